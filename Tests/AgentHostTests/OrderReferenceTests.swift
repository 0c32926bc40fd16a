@testable import Agents
import Foundation
import JSON
import MCPClient
import Testing
import TestSupport

/// An order the request names by its address or contents (typed delegations, small profile): the
/// manager's `order_id` may be only an id the instruction gave, or a reference the host resolves
/// with a filtered list_orders, acting only on the one order that matches (`OrderReference`).
@Suite struct OrderReferenceTests {
    static let list: JSONValue = ["count": 3, "orders": [
        ["order_id": "ord_a", "status": "pending", "delivery_address": "4 Birch Close",
         "items": [["product_id": "prod5", "name": "Keyboard", "quantity": 2]]],
        ["order_id": "ord_b", "status": "pending", "delivery_address": "4 Birch Close",
         "items": [["product_id": "prod4", "name": "Monitor", "quantity": 1]]],
        ["order_id": "ord_c", "status": "in_transit", "delivery_address": "9 Elm Rd",
         "items": [["product_id": "prod4", "name": "Monitor", "quantity": 3]]],
    ]]

    @Test func aReferenceIsOneKindWithAValue() {
        #expect(OrderReference(["delivery_address": "Lindenweg 4"]) == OrderReference(["delivery_address": "Lindenweg 4"]))
        #expect(OrderReference(["delivery_address": "Lindenweg 4"])?.lookup
                == CallKey(name: "list_orders", arguments: ["delivery_address": "Lindenweg 4", "limit": 100]))
        #expect(OrderReference(["product_id": "prod5"])?.lookup == CallKey(name: "list_orders", arguments: ["limit": 100]))
        #expect(OrderReference("ord_4k2x9m3p7q8r5s6t7v8w") == nil)
        #expect(OrderReference(["delivery_address": "  "]) == nil)
        #expect(OrderReference(["delivery_address": "4 Birch Close", "product_id": "prod5"]) == nil)
        #expect(OrderReference(["customer": "Ana"]) == nil)
    }

    @Test func onlyOneMatchingOrderResolves() throws {
        // By contents: the product's id, its name or that name's plural, in any case.
        for product in ["prod5", "Keyboard", "keyboards"] {
            #expect(try #require(OrderReference(["product_id": .string(product)])).resolve(Self.list) == .success("ord_a"))
        }
        // Several: each named with what it holds, nothing chosen.
        let monitors = try #require(OrderReference(["product_id": "Monitor"])).resolve(Self.list)
        guard case .failure(let several) = monitors else { Issue.record("resolved \(monitors)"); return }
        #expect(several.message.contains("ord_b (1 × Monitor, pending, 4 Birch Close)") && several.message.contains("ord_c"))
        #expect(several.message.contains("Nothing was changed"))
        // An address: the server filtered, so every order listed matches.
        let byAddress = try #require(OrderReference(["delivery_address": "4 Birch Close"])).resolve(Self.list)
        guard case .failure(let two) = byAddress else { Issue.record("resolved \(byAddress)"); return }
        #expect(two.message.hasPrefix("3 orders to 4 Birch Close"))
        let none = try #require(OrderReference(["product_id": "prod1"])).resolve(Self.list)
        #expect(none == .failure(.init(message: "No order with prod1 was found, so nothing was changed. Which order is it (its id)?")))
        // A full page of orders may leave out the one meant: a product is then not enough to tell.
        let page: JSONValue = ["orders": .array([Self.list["orders"]?.arrayValue?[0] ?? .null]
            + Array(repeating: ["order_id": "ord_x", "items": []], count: 99))]
        let full = try #require(OrderReference(["product_id": "prod5"])).resolve(page)
        guard case .failure(let tooMany) = full else { Issue.record("resolved \(full)"); return }
        #expect(tooMany.message.hasPrefix("Too many orders"))
    }

    @Test func anOrderIDCanOnlyBeOneTheInstructionGave() {
        let seen = OrderIDsSeen(text: "Cancel ord_4k2x9m3p7q8r5s6t7v8w. Ship order-77a to 12 Oak St, 2026-12-07, prod5.")
        #expect(seen.all == ["ord_4k2x9m3p7q8r5s6t7v8w", "order-77a"])
        seen.note(Self.list)
        seen.note(text: "order not found: 'ord_x'. Did you mean 'ord_kgcz4cpdxznnjnmezqdy'?")
        #expect(seen.all == ["ord_4k2x9m3p7q8r5s6t7v8w", "order-77a", "ord_a", "ord_b", "ord_c", "ord_kgcz4cpdxznnjnmezqdy"])

        // Without an id, the schema offers only the references; with ids, those ids as well.
        let none = OrderReference.orderIDSchema(known: [])["anyOf"]?.arrayValue ?? []
        #expect(none.count == 2 && !none.contains { $0["type"] == "string" })
        let some = OrderReference.orderIDSchema(known: ["ord_a"])["anyOf"]?.arrayValue ?? []
        #expect(some.first == ["type": "string", "enum": ["ord_a"]] && some.count == 3)
    }

    @Test func anUnresolvedOrderEndsTheRequestWithWhatWasFound() {
        let record = ToolCallRecord(id: "c", name: "delivery", arguments: [:], isError: true,
                                    result: [OrderReference.unresolvedKey: "2 orders to 4 Birch Close: …"], durationMs: 0, rejected: false)
        let run = RunView(agent: "manager", firstTool: nil, steps: [], made: [], writeCount: 0, interventions: [], canAskPerson: false)
        #expect(UnresolvedOrderEnds().review(StepView(content: "", calls: [record]), in: run)
                == .stop(.answer("2 orders to 4 Birch Close: …")))
        var other = record
        other.result = "product not found"
        #expect(UnresolvedOrderEnds().review(StepView(content: "", calls: [other]), in: run) == .allow)
    }

    // MARK: - Through the host, the ToolServer and a scripted manager

    /// The orders, placed through the ToolServer before the run; their ids.
    static func place(_ orders: [(address: String, product: String)], in database: TestDatabase) async throws -> [String] {
        let launch = ServerLaunch(executable: TestEnvironment.toolServerPath, arguments: database.serverArguments,
                                  environment: ["LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"])
        let client = try await MCPClient.launch(launch, callTimeout: .seconds(20))
        var ids: [String] = []
        for order in orders {
            let created = try await client.callTool("create_order", arguments: [
                "items": [["product_id": .string(order.product), "quantity": 1]], "delivery_address": .string(order.address)])
            ids.append(try #require(created.structured?["order_id"]?.stringValue))
        }
        _ = await client.shutdown(grace: .seconds(2))
        return ids
    }

    /// `orders` placed on a fresh database, then `instruction` run by a manager that cancels the
    /// order `reference` names; `check` reads the outcome.
    static func cancel(_ reference: JSONValue, saying instruction: String, orders: [(address: String, product: String)],
                       check: (TestDatabase, [String], HostHarness.Outcome) throws -> Void) async throws {
        let database = try await TestDatabase.make("orderref")
        defer { database.drop() }
        let ids = try await place(orders, in: database)
        let manager: ScriptedLLMServer.Route = .agent("manager", [
            .calls([.init("delivery", ["tool": "update_delivery_status", "arguments": ["order_id": reference, "status": "cancelled"]])]),
            .answer("Cancelled."),
        ])
        let outcome = try await HostHarness.run(instruction, routes: [manager], database: database,
                                                settings: TypedDelegationTests.settings)
        try check(database, ids, outcome)
    }

    @Test func theOneOrderToTheAddressIsTheOneChanged() async throws {
        try await Self.cancel(["delivery_address": "Lindenweg 4"], saying: "Der Kunde am Lindenweg 4 hat storniert.",
                              orders: [("Lindenweg 40", "prod3"), ("Lindenweg 4", "prod1")]) { database, ids, outcome in
            let statuses = Dictionary(uniqueKeysWithValues: try database.orders().map {
                ($0["_id"]?.stringValue ?? "", $0["status"]?.stringValue ?? "") })
            #expect(statuses == [ids[0]: "pending", ids[1]: "cancelled"])
            // The host looked the order up and made the call: no sub-agent's model was asked.
            #expect(outcome.llm.requests("delivery").isEmpty && outcome.llm.requests("unmatched").isEmpty)
            // The manager read which order it was.
            let managerRequests = outcome.llm.requests("manager")
            #expect(managerRequests.last?.lastResultText.contains("is \(ids[1]), the one order to Lindenweg 4") == true)
            // No id was in the instruction: the manager's first call could not name one.
            let tools = try #require(managerRequests.first?.body["tools"]?.arrayValue)
            let delivery = try #require(tools.first { $0["function"]?["name"] == "delivery" })
            let update = try #require(delivery["function"]?["parameters"]?["anyOf"]?.arrayValue?.first {
                $0["properties"]?["tool"]?["const"] == "update_delivery_status" })
            let choices = try #require(update["properties"]?["arguments"]?["properties"]?["order_id"]?["anyOf"]?.arrayValue)
            #expect(choices.count == 2 && !choices.contains { $0["type"] == "string" })
        }
    }

    @Test func twoOrdersToTheAddressChangeNothingAndAreBothNamed() async throws {
        try await Self.cancel(["delivery_address": "4 birch close"], saying: "Cancel the order going to 4 Birch Close.",
                              orders: [("4 Birch Close", "prod2"), ("4 Birch Close", "prod3")]) { database, ids, outcome in
            let orders = try database.orders()
            #expect(orders.allSatisfy { $0["status"] == "pending" })
            #expect(outcome.report.writes.isEmpty)
            #expect(ids.allSatisfy { outcome.report.finalAnswer.contains($0) } && outcome.report.finalAnswer.contains("Nothing was changed"))
            // The request ended there: the manager was asked once.
            #expect(outcome.llm.requests("manager").count == 1)
            #expect(outcome.trace.contains("! unresolved-order: the run ends"))
        }
    }

    /// An address the request does not give is left out of the lookup by the small profile
    /// (`ungrounded-read-filters-left-out`): the host does not take the unfiltered list's one order.
    @Test func aLookupWithoutItsFilterChangesNothing() async throws {
        try await Self.cancel(["delivery_address": "2nd phone"], saying: "Cancel the order of the two phones.",
                              orders: [("1 Elm Rd", "prod2")]) { database, _, outcome in
            let orders = try database.orders()
            #expect(orders.allSatisfy { $0["status"] == "pending" })
            #expect(outcome.report.finalAnswer.hasPrefix("The order to 2nd phone was not looked up: its filter was left out "
                                                         + "(ungrounded-read-filters-left-out). Nothing was changed."))
        }
    }
}
