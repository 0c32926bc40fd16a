import Agents
import Foundation
import JSON
import Testing
import TestSupport

/// What the agents of one instruction share: no write is made twice, and the answer lists the
/// writes; and the warm-up that readies each agent's endpoint.
@Suite struct RunContextTests {
    typealias Request = ScriptedLLMServer.Request

    static let order: JSONValue = ["items": [["product_id": "prod2", "quantity": 1]], "delivery_address": "7 Oak St"]

    /// A manager that delegates the same job twice in other words: the second orders agent's
    /// identical create_order is not made, and it is told the result of the first.
    @Test func aWriteIsNotMadeTwiceInOneRun() async throws {
        let database = try await TestDatabase.make("ledger")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create the order."])]),
                .calls([.init("orders", ["tool": "create_order", "task": "Place the order for the smartphone."])]),
                .answer("Done."),
            ]),
            // The first orders agent is done once its create_order succeeds. The second is told
            // its create_order is already done, and asked for its own part: it repeats the call,
            // and that ends it with the earlier result.
            .agent("orders", [
                .calls([.init("create_order", Self.order)]),
                .calls([.init("get_order", ["order_id": "ord_unknown1"]), .init("create_order", Self.order)]),
                .calls([.init("create_order", Self.order)]),
            ]),
        ]
        let outcome = try await HostHarness.run("Order one smartphone to 7 Oak St.", routes: routes, database: database)
        let orders = try database.orders()
        #expect(orders.count == 1)
        #expect(try database.stock()["prod2"] == 14)
        let id = try #require(orders.first?["_id"]?.stringValue)
        let second = try #require(outcome.report.agents.first { $0.id == "orders#2" })
        let calls = second.steps.flatMap(\.toolCalls)
        // The read went through (read-only tools are never held back); the write did not.
        #expect(calls.first { $0.name == "get_order" }?.result.stringValue?.contains("order not found") == true)
        let refused = try #require(calls.first { $0.name == "create_order" })
        // Reported as done (the work is), with the first result, so the model does not try again.
        #expect(!refused.isError && refused.result["note"]?.stringValue?.contains("already succeeded in orders#1") == true)
        #expect(refused.result["order_id"]?.stringValue == id)
        #expect(outcome.llm.requests("orders").count == 3)
        #expect(outcome.llm.requests("orders")[2].lastResultText.contains("If your part (the manager's note) is a different call, make that one now."))
        #expect(second.status == .completed && second.answer.contains(id), "\(second.answer)")
        // The manager reads the first order's id in the second agent's results.
        let told = outcome.llm.requests("manager").last?.lastResultText ?? ""
        #expect(told.contains("\"agent\":\"orders#2\"") && told.contains(id), "\(told)")
    }

    /// A sub-agent whose named write was already made by another (a small one given the request
    /// "10 prod3 and 5 prod5" and the note "prod5 5" made the first restock again) is not done:
    /// it makes its own part next.
    @Test func aSubAgentWhoseWriteWasAlreadyMadeMakesItsOwnPart() async throws {
        let database = try await TestDatabase.make("ledgerown")
        defer { database.drop() }
        let prod3: JSONValue = ["product_id": "prod3", "delta": 10]
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("inventory", ["tool": "update_stock", "task": "prod3 10"])]),
                .calls([.init("inventory", ["tool": "update_stock", "task": "prod2 5"])]),
                .answer("Restocked."),
            ]),
            .agent("inventory", [
                .calls([.init("update_stock", prod3)]),
                // The same write, with its keys in another order and a reason: still the same write.
                .calls([.init("update_stock", ["delta": 10, "product_id": "prod3", "reason": "restock"])]),
                .calls([.init("update_stock", ["product_id": "prod2", "delta": 5])]),
            ]),
        ]
        let outcome = try await HostHarness.run("Restock 10 prod3 and 5 prod2.", routes: routes, database: database)
        #expect(try database.stock() == ["prod1": 10, "prod2": 20, "prod3": 40])
        let second = try #require(outcome.report.agents.first { $0.id == "inventory#2" })
        #expect(second.steps.flatMap(\.toolCalls).map(\.name) == ["update_stock", "update_stock"])
        #expect(second.status == .completed && second.answer.contains("stock: 20"), "\(second.answer)")
        #expect(outcome.report.finalAnswer == "Restocked.\nChanges: update_stock prod3 stock 40; update_stock prod2 stock 20.")
    }

    /// A write that failed is not remembered: the same call may be made again (after a restock,
    /// say), and it is not reported as done.
    @Test func aFailedWriteMayBeMadeAgain() async throws {
        let database = try await TestDatabase.make("ledgerfail")
        defer { database.drop() }
        let short: JSONValue = ["items": [["product_id": "prod1", "quantity": 11]], "delivery_address": "7 Oak St"]
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create the order."])]),
                .calls([.init("inventory", ["tool": "update_stock", "task": "Restock prod1 by 5."])]),
                .calls([.init("orders", ["tool": "create_order", "task": "Create the order again."])]),
                .answer("Done."),
            ]),
            .agent("orders", [.calls([.init("create_order", short)]), .answer("Short."), .calls([.init("create_order", short)])]),
            .agent("inventory", [.calls([.init("update_stock", ["product_id": "prod1", "delta": 5])])]),
        ]
        let outcome = try await HostHarness.run("Order 11 laptops to 7 Oak St; restock 5 first if short.", routes: routes, database: database)
        #expect(try database.orders().count == 1)
        #expect(try database.stock()["prod1"] == 4)
        let first = outcome.report.agents.first { $0.id == "orders#1" }?.steps.flatMap(\.toolCalls).first
        let second = outcome.report.agents.first { $0.id == "orders#2" }?.steps.flatMap(\.toolCalls).first
        #expect(first?.isError == true && second?.isError == false)
        #expect(!outcome.trace.contains("already succeeded"))
    }

    /// The guard is per instruction: two equal entries of a process-orders file are two orders,
    /// each manager run with its own answer line and its own writes.
    @Test func equalOrdersOfTwoInstructionsAreTwoOrders() async throws {
        let database = try await TestDatabase.make("ledgerper")
        defer { database.drop() }
        let manager: [ScriptedLLMServer.Turn] = [.calls([.init("orders", ["tool": "create_order", "task": "Create the order."])]), .answer("Created.")]
        let orders: [ScriptedLLMServer.Turn] = [.calls([.init("create_order", Self.order)])]
        let outcome = try await HostHarness.run(
            instructions: ["Order one smartphone to 7 Oak St.", "Order one smartphone to 7 Oak St."],
            routes: [.agent("manager", manager + manager), .agent("orders", orders + orders)], database: database)
        let ids = try database.orders().compactMap { $0["_id"]?.stringValue }
        #expect(ids.count == 2)
        #expect(try database.stock()["prod2"] == 13)
        let lines = outcome.report.finalAnswer.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let lineIDs = lines.map { Request.orderIDs(in: $0) }
        #expect(lineIDs.allSatisfy { $0.count == 1 } && Set(lineIDs.flatMap { $0 }) == Set(ids))
        for (line, id) in zip(lines, lineIDs.map { $0.first ?? "?" }) {
            #expect(line.hasSuffix("Changes: create_order \(id) pending."), "\(line)")
        }
    }

    /// A run with a goal (process-orders: the order created and in transit) ends when the writes
    /// reach it: the manager is asked for its answer then, not left to go on.
    @Test func theManagerIsAskedForItsAnswerOnceTheGoalIsReached() async throws {
        let database = try await TestDatabase.make("goal")
        defer { database.drop() }
        let shipAgain: ScriptedLLMServer.Turn = .dynamic { request in
            request.body["tool_choice"] == "none" ? .answer("Created and shipped.") : .calls([.init("delivery", ["tool": "update_delivery_status", "task": "Ship it again."])])
        }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create the order."])]),
                .dynamic { request in
                    .calls([.init("delivery", ["tool": "update_delivery_status", "task": .string("Ship \(Request.orderIDs(in: request.lastResultText).joined()).")])])
                },
                shipAgain,
            ]),
            // (A capable agent answers after its call; a small one is done with it.)
            .agent("orders", [.calls([.init("create_order", Self.order)]), .answer("Created.")]),
            .agent("delivery", [
                .dynamic { request in
                    .calls(Request.orderIDs(in: request.task).map { .init("update_delivery_status", ["order_id": .string($0), "status": "in_transit"]) })
                },
                .answer("Shipped."),
            ]),
        ]
        let goal: RunGoal = { writes in
            writes.contains { $0.tool == "update_delivery_status" && $0.result["status"] == "in_transit" }
        }
        let outcome = try await HostHarness.run(instructions: ["Order one smartphone to 7 Oak St and ship it."], routes: routes,
                                                database: database, settings: HostSettings(profile: .capable), goal: goal)
        #expect(outcome.report.status == .completed)
        #expect(outcome.report.finalAnswer.hasPrefix("Created and shipped.\nChanges: create_order "))
        let managerRequests = outcome.llm.requests("manager")
        #expect(managerRequests.count == 3 && managerRequests.last?.body["tool_choice"] == "none")
        #expect(managerRequests.last?.messages.last?["content"]?.stringValue?.hasPrefix("That completes the instruction.") == true)
        #expect(outcome.llm.requests("delivery").count == 2)  // one delivery agent: its call, then its answer
        // In the small profile the host answers: no model call for it.
        let databaseSmall = try await TestDatabase.make("goalsmall")
        defer { databaseSmall.drop() }
        let small = try await HostHarness.run(instructions: ["Order one smartphone to 7 Oak St and ship it."], routes: routes,
                                              database: databaseSmall, goal: goal)
        #expect(small.report.finalAnswer.hasPrefix("Done: that completes the instruction.\nChanges: create_order "))
        #expect(small.llm.requests("manager").count == 2)
        #expect(small.llm.requests("delivery").count == 1)  // one delivery agent, done with its call
        // Without the goal, the same script goes on to ship again.
        let database2 = try await TestDatabase.make("nogoal")
        defer { database2.drop() }
        let without = try await HostHarness.run(instructions: ["Order one smartphone to 7 Oak St and ship it."], routes: routes,
                                                database: database2)
        #expect(without.llm.requests("delivery").count > 1)
    }

    /// `AgentHost warm-up`: one request per agent, each with that agent's own prompt and tools,
    /// sent to that agent's endpoint; no tool is called.
    @Test func warmUpSendsEachAgentItsPromptOnce() async throws {
        let database = try await TestDatabase.make("warmup")
        defer { database.drop() }
        let shared = try ScriptedLLMServer([.any([.answer("ready"), .answer("ready"), .answer("ready")])])
        defer { shared.stop() }
        let orders = try ScriptedLLMServer([.any([.answer("ready")])])
        defer { orders.stop() }
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "warm-up", "--model", "scripted", "--base-url", shared.baseURL, "--agent-base-url", "orders=\(orders.baseURL)",
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        for agent in ["manager", "inventory", "orders", "delivery"] {
            #expect(result.stderr.contains("warm-up: \(agent) read its prompt in"))
        }
        let prompts = shared.requests.map(\.systemPrompt)
        #expect(prompts.count == 3 && prompts.allSatisfy { !$0.hasPrefix("You are the orders ") })
        #expect(Set(prompts.map { String($0.prefix(24)) }).count == 3)
        #expect(orders.requests.count == 1 && orders.requests.first?.systemPrompt.hasPrefix("You are the orders agent") == true)
        #expect(orders.requests.first?.toolNames == ["create_order", "get_order", "list_orders", "list_products"])
        #expect(try database.orders().isEmpty)
    }

    /// `warm-up --agent manager` readies the manager only (scripts/run.sh: the demo asks no
    /// sub-agent's model); an unknown name is a usage error that sends nothing.
    @Test func warmUpReadiesOnlyTheNamedAgents() async throws {
        let database = try await TestDatabase.make("warmupnamed")
        defer { database.drop() }
        let shared = try ScriptedLLMServer([.any([.answer("ready"), .answer("ready")])])
        defer { shared.stop() }
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "warm-up", "--model", "scripted", "--base-url", shared.baseURL, "--agent", "manager",
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warm-up: manager read its prompt in") && !result.stderr.contains("warm-up: orders read"))
        #expect(shared.requests.count == 1 && shared.requests.first?.toolNames.contains("orders") == true)
        let wrong = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "warm-up", "--model", "scripted", "--base-url", shared.baseURL, "--agent", "shipping",
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(60))
        #expect(wrong.status == 64 && wrong.stderr.contains("unknown agent 'shipping'"), "\(wrong.status) \(wrong.stderr)")
        #expect(shared.requests.count == 1)
    }
}

/// A model's idempotency key is scoped to its instruction.
@Suite struct IdempotencyScopeTests {
    /// Two instructions whose orders a model gives the same idempotency_key are two orders (a small
    /// model wrote "unique_key" for both orders of a file, and the second was refused as a conflict).
    @Test func anIdempotencyKeyIsScopedToItsInstruction() async throws {
        let database = try await TestDatabase.make("scopedkey")
        defer { database.drop() }
        func order(_ id: String, _ address: String) -> JSONValue {
            ["delivery_address": .string(address), "items": [["quantity": 1, "product_id": .string(id)]], "idempotency_key": "unique_key"]
        }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("orders", ["tool": "create_order", "task": "the order"])]), .answer("One."),
                               .calls([.init("orders", ["tool": "create_order", "task": "the order"])]), .answer("Two.")]),
            .agent("orders", [.calls([.init("create_order", order("prod1", "1 Main St"))]),
                              .calls([.init("create_order", order("prod2", "2 Main St"))])]),
        ]
        _ = try await HostHarness.run(instructions: ["Order a Laptop (prod1) to 1 Main St.", "Order a Smartphone (prod2) to 2 Main St."],
                                      routes: routes, database: database)
        let keys = try database.orders().compactMap { $0["idempotency_key"]?.stringValue }
        #expect(keys.count == 2 && Set(keys).count == 2, "\(keys)")
        #expect(keys.allSatisfy { $0.hasSuffix(":unique_key") && $0.count == 8 + 1 + 10 }, "\(keys)")
    }
}
