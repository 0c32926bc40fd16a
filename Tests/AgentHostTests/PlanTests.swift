@testable import Agents
import Foundation
import JSON
import Testing
import TestSupport

/// A small manager's plan, for a command whose steps are known (`process-orders`, given as a
/// goal): its first reply lists the delegations, which run in order, each agent told what the
/// ones before it wrote; the plan stops at its first failed step. Without a goal it delegates
/// one step at a time.
@Suite struct PlanTests {
    static let shipped: RunGoal = { writes in
        writes.contains { $0.tool == "update_delivery_status" && $0.result["status"] == "in_transit" }
    }

    @Test func aPlanRunsInOrderInOneModelCall() async throws {
        let database = try await TestDatabase.make("plan")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "1 Smartphone (prod2) to 7 Oak St"]),
                        .init("delivery", ["tool": "update_delivery_status", "task": "Ship the order just created."])]),
                .answer("Created and shipped."),
            ]),
            .agent("orders", [.calls([.init("create_order", ["items": [["product_id": "prod2", "quantity": 1]],
                                                             "delivery_address": "7 Oak St"])])]),
            .agent("delivery", [.dynamic { request in
                .calls(ScriptedLLMServer.Request.orderIDs(in: request.task).map {
                    .init("update_delivery_status", ["order_id": .string($0), "status": "in_transit"])
                })
            }]),
        ]
        let outcome = try await HostHarness.run(instructions: ["Order one Smartphone (prod2) to 7 Oak St and ship it."], routes: routes,
                                                database: database, goal: Self.shipped)
        #expect(try database.orders().map { $0["status"]?.stringValue } == ["in_transit"])
        let manager = outcome.llm.requests("manager")
        #expect(manager.count == 1)  // the plan; the host answers once the order is in transit
        #expect(manager.first?.body["tool_choice"] == "required" && manager.first?.body["parallel_tool_calls"] == true)
        #expect(manager.first?.task.hasSuffix(AgentLoop.planRequest) == true)
        #expect(outcome.report.finalAnswer.hasPrefix("Done: that completes the instruction."))
        // The delivery agent was told the order the orders agent had made.
        #expect(outcome.llm.requests("delivery").first?.task.contains("Already done: create_order ord_") == true)
        #expect(outcome.trace.contains("plan: 1. orders create_order  2. delivery update_delivery_status"))
    }

    /// `process-orders`' known plan with typed delegations: the reply is held to exactly its two
    /// calls, the shipment's order and status fixed; the host puts the created order's id in.
    @Test func aKnownPlanIsHeldToItsStepsAndNamesTheCreatedOrder() async throws {
        let database = try await TestDatabase.make("knownplan")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "arguments": ["items": [["product_id": "prod2", "quantity": 1]],
                                                                               "delivery_address": "7 Oak St"]]),
                        .init("delivery", ["tool": "update_delivery_status",
                                           "arguments": ["order_id": .string(CreatedOrderReference.placeholder), "status": "in_transit"]])]),
            ]),
        ]
        var settings = HostSettings(profile: .small)
        settings.typedDelegations = true
        let outcome = try await HostHarness.run(instructions: ["Process this order: have it created, then have it set in_transit. Order: 1 prod2 to 7 Oak St."], routes: routes,
                                                database: database, settings: settings, goal: Self.shipped, plan: .createThenShip)
        #expect(try database.orders().map { $0["status"]?.stringValue } == ["in_transit"])
        // One model call in all: the plan; the agents' calls are the manager's, the answer the host's.
        #expect(outcome.llm.requests.count == 1)
        #expect(outcome.trace.contains("[created-order-reference]"))
        #expect(outcome.report.finalAnswer.hasPrefix("Done: that completes the instruction."))
        // A server without a grammar is asked for calls; the loop offers the exact steps (see CompatibilityTests).
        #expect(outcome.llm.requests.first?.body["tool_choice"] == "required")
    }

    @Test func theCreatedOrderReferenceNeedsAnOrderCreatedFirst() {
        let delegation = PolicyTests.call(nil, name: "delivery", [
            "tool": "update_delivery_status",
            "arguments": ["order_id": .string(CreatedOrderReference.placeholder), "status": "in_transit"],
        ])
        let none = CreatedOrderReference(createdOrders: { [] })
        guard case .reject(let refusal) = none.check(delegation, in: PolicyTests.run()) else {
            Issue.record("a step naming an order nobody created was run")
            return
        }
        #expect(refusal.message.hasPrefix("No order has been created"))
        let two = CreatedOrderReference(createdOrders: { ["ord_a", "ord_b"] })
        #expect(two.check(delegation, in: PolicyTests.run())
                == .rewrite(["tool": "update_delivery_status", "arguments": ["order_id": "ord_b", "status": "in_transit"]],
                            note: "order_id ord_b: the order created above"))
        let plain = PolicyTests.call(nil, name: "delivery", ["tool": "update_delivery_status",
                                                              "arguments": ["order_id": "ord_x", "status": "cancelled"]])
        #expect(two.check(plain, in: PolicyTests.run()) == .allow)
    }

    @Test func aPlanStopsAtItsFirstFailedStep() async throws {
        let database = try await TestDatabase.make("planstop")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "50 Laptops (prod1) to 1 Ash St"]),
                        .init("delivery", ["tool": "update_delivery_status", "task": "Ship the order just created."])]),
                .answer("Only 10 Laptops are in stock: nothing was ordered."),
            ]),
            // Its create_order is refused (10 in stock); it answers all the same.
            .agent("orders", [.calls([.init("create_order", ["items": [["product_id": "prod1", "quantity": 50]],
                                                             "delivery_address": "1 Ash St"])]),
                              .answer("Only 10 Laptops in stock.")]),
        ]
        let outcome = try await HostHarness.run(instructions: ["Order 50 Laptops (prod1) for 1 Ash St and ship it."], routes: routes,
                                                database: database, goal: Self.shipped)
        #expect(try database.orders().isEmpty)
        #expect(outcome.llm.requests("delivery").isEmpty && outcome.llm.requests("unmatched").isEmpty)
        let results = try #require(outcome.llm.requests("manager").last?.lastToolResults)
        #expect(results.count == 2)
        #expect(results.last?["content"]?.stringValue == "Not run: step 1 of your plan (orders) failed first, so the steps after it "
                + "were not run. Nothing was called.")
        #expect(outcome.report.finalAnswer.hasPrefix("Only 10 Laptops are in stock"))
        #expect(outcome.trace.contains("[plan-stops-at-failure]"))
    }

    @Test func withoutAGoalASmallManagerDelegatesOneStepAtATime() async throws {
        let database = try await TestDatabase.make("noplan")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("inventory", ["tool": "check_stock", "task": "prod1"])]), .answer("prod1: 10.")]),
            .agent("inventory", [.calls([.init("check_stock", ["product_id": "prod1"])])]),
        ]
        let outcome = try await HostHarness.run("How many Laptops (prod1) are in stock?", routes: routes, database: database)
        let first = try #require(outcome.llm.requests("manager").first)
        // One call, not a list; a call, not an answer (a small manager answered "cancel …" without delegating).
        #expect(first.body["tool_choice"] == "required" && first.body["parallel_tool_calls"] == false)
        #expect(outcome.llm.requests("manager").last?.body["tool_choice"] == "auto")
        #expect(first.task == "How many Laptops (prod1) are in stock?")
        #expect(outcome.report.finalAnswer.hasPrefix("prod1: 10."))
    }
}
