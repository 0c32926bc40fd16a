@testable import Agents
import Foundation
import JSON
import Testing
import TestSupport

/// A typed `delivered` for a pending order: the host sets in_transit first (`StatusWalk`), since
/// the domain has no other way there; not for a request that only asks questions.
@Suite struct StatusWalkTests {
    @Test func onlyAPendingOrderNeedsAStepBeforeDelivered() {
        let deliver = CallKey(name: "update_delivery_status", arguments: ["order_id": "ord_a", "status": "delivered"])
        #expect(StatusWalk.step(before: deliver, current: "pending") == StatusWalk(orderID: "ord_a", step: "in_transit"))
        #expect(StatusWalk.step(before: deliver, current: "in_transit") == nil)
        #expect(StatusWalk.step(before: deliver, current: "cancelled") == nil)
        let ship = CallKey(name: "update_delivery_status", arguments: ["order_id": "ord_a", "status": "in_transit"])
        #expect(StatusWalk.step(before: ship, current: "pending") == nil && !StatusWalk.mayApply(to: ship))
        #expect(StatusWalk.lookup(of: deliver) == CallKey(name: "get_order", arguments: ["order_id": "ord_a"]))
        #expect(StatusWalk.step(before: deliver, current: "pending")?.call
                == CallKey(name: "update_delivery_status", arguments: ["order_id": "ord_a", "status": "in_transit"]))
    }

    /// In an English request, in_transit is grounded by "delivered" too (the way there), but not by nothing.
    @Test func inTransitIsOnTheWayToDelivered() {
        let step: JSONValue = ["order_id": "ord_a", "status": "in_transit"]
        #expect(RequestGrounding("Order ord_a reached the customer; record it as delivered.")
            .violation(tool: "update_delivery_status", arguments: step) == nil)
        #expect(RequestGrounding("Order ord_a reached the customer; please update it in the system.")
            .violation(tool: "update_delivery_status", arguments: step)?.hasPrefix("cannot set in_transit") == true)
        // Another order than the one delivered: not on its way there.
        #expect(RequestGrounding("Order ord_b reached the customer; record it as delivered.")
            .violation(tool: "update_delivery_status", arguments: step)?.hasPrefix("cannot set in_transit") == true)
        #expect(RequestGrounding("The order to 3 Elm Row reached the customer; record it as delivered.")
            .violation(tool: "update_delivery_status", arguments: step) == nil)
    }

    static func deliver(saying instruction: (String) -> String) async throws -> (TestDatabase, String, HostHarness.Outcome) {
        let database = try await TestDatabase.make("walk")
        let id = try #require(try await OrderReferenceTests.place([("3 Elm Row", "prod2")], in: database).first)
        let manager: ScriptedLLMServer.Route = .agent("manager", [
            .calls([.init("delivery", ["tool": "update_delivery_status", "arguments": ["order_id": .string(id), "status": "delivered"]])]),
            .answer("Done."),
        ])
        let outcome = try await HostHarness.run(instruction(id), routes: [manager], database: database,
                                                settings: TypedDelegationTests.settings)
        return (database, id, outcome)
    }

    @Test func aPendingOrderIsShippedThenDelivered() async throws {
        let (database, id, outcome) = try await Self.deliver { "Order \($0) reached the customer yesterday. Record it as delivered." }
        defer { database.drop() }
        #expect(try database.statuses() == [id: "delivered"])
        #expect(outcome.report.writes.map { $0.result["status"]?.stringValue } == ["in_transit", "delivered"])
        #expect(outcome.report.finalAnswer.contains("Changes: update_delivery_status \(id) in_transit; update_delivery_status \(id) delivered."),
                "\(outcome.report.finalAnswer)")
        // The order as it was read before the walk is not shown as found: it is no longer pending.
        #expect(!outcome.report.finalAnswer.contains("Found: get_order"), "\(outcome.report.finalAnswer)")
        // The host read the order and made both calls: no delivery agent's model was asked.
        #expect(outcome.llm.requests("delivery").isEmpty && outcome.llm.requests("unmatched").isEmpty)
        #expect(outcome.llm.requests("manager").last?.lastResultText.contains("\(id) was pending: set in_transit first") == true)
    }

    /// A question, or a request that names another order too: the jump is left to the ToolServer,
    /// which refuses it, and nothing is written.
    @Test(arguments: ["Has order {id} been delivered yet?", "Ship order {id}. Order ord_other1 was delivered yesterday: record it."])
    func aQuestionOrAnotherOrderIsNotWalked(_ request: String) async throws {
        let (database, id, outcome) = try await Self.deliver { request.replacingOccurrences(of: "{id}", with: $0) }
        defer { database.drop() }
        #expect(try database.statuses() == [id: "pending"])
        #expect(outcome.report.writes.isEmpty)
    }
}
