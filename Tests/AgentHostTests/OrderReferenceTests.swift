@testable import Agents
import Foundation
import JSON
import MCPClient
import Testing
import TestSupport

/// An order the request names by its address or contents (typed delegations, small profile): the
/// manager's `order_id` may be only an id the instruction gave, or the request's words for it, which the
/// host resolves with list_orders, acting only on the one order that matches (`OrderReference`).
@Suite struct OrderReferenceTests {
    static let list: JSONValue = ["count": 3, "orders": [
        ["order_id": "ord_a", "status": "pending", "delivery_address": "4 Birch Close",
         "items": [["product_id": "prod5", "name": "Keyboard", "quantity": 2]]],
        ["order_id": "ord_b", "status": "pending", "delivery_address": "4 Birch Close",
         "items": [["product_id": "prod4", "name": "Monitor", "quantity": 1]]],
        ["order_id": "ord_c", "status": "in_transit", "delivery_address": "9 Elm Rd",
         "items": [["product_id": "prod4", "name": "Monitor", "quantity": 3]]],
    ]]

    @Test func aReferenceIsTheRequestsWords() {
        #expect(OrderReference(["described_as": "Lindenweg 4"])?.words == "Lindenweg 4")
        #expect(OrderReference(["described_as": "Lindenweg 4"])?.byAddress
                == CallKey(name: "list_orders", arguments: ["delivery_address": "Lindenweg 4", "limit": 100]))
        #expect(OrderReference.newest == CallKey(name: "list_orders", arguments: ["limit": 100]))
        #expect(OrderReference("ord_4k2x9m3p7q8r5s6t7v8w") == nil)
        #expect(OrderReference(["described_as": "  "]) == nil)
        #expect(OrderReference(["described_as": "4 Birch Close", "product_id": "prod5"]) == nil)
        #expect(OrderReference(["delivery_address": "4 Birch Close"]) == nil)
    }

    static func resolve(_ words: String, _ result: JSONValue = list, filtered: Bool = false) throws -> Result<String, OrderReference.Unresolved> {
        try #require(OrderReference(["described_as": .string(words)])).resolve(result, filtered: filtered)
    }

    @Test func onlyOneMatchingOrderResolves() throws {
        // By contents: the product's id, its name or that name's plural, in any case, among other words.
        for words in ["prod5", "the Keyboard order", "the two keyboards", "KEYBOARDS"] {
            #expect(try Self.resolve(words) == .success("ord_a"))
        }
        // By an address among the words, word for word (not 9 Elm Rd in "19 Elm Rd").
        #expect(try Self.resolve("the order going to 9 Elm Rd") == .success("ord_c"))
        #expect(try Self.resolve("the order to 19 Elm Rd") == .failure(.init(
            message: "No order described as \"the order to 19 Elm Rd\" was found, so nothing was changed. Which order is it (its id)?")))
        // Several: a quantity the words state tells them apart; else each is named with what it holds.
        #expect(try Self.resolve("the three monitors") == .success("ord_c"))
        #expect(try Self.resolve("1 Monitor") == .success("ord_b"))
        guard case .failure(let several) = try Self.resolve("the monitor order") else { Issue.record("resolved"); return }
        #expect(several.message.contains("ord_b (1 × Monitor, pending, 4 Birch Close)") && several.message.contains("ord_c"))
        #expect(several.message.contains("Nothing was changed"))
        // Of several, the one that can still be set to the status asked: the other monitor is in transit.
        #expect(try #require(OrderReference(["described_as": "the monitor order"])).resolve(Self.list, filtered: false,
                                                                                          status: "in_transit") == .success("ord_b"))
        guard case .failure = try #require(OrderReference(["described_as": "the monitor order"]))
            .resolve(Self.list, filtered: false, status: "delivered") else { Issue.record("resolved"); return }
        // Every product named must be in the order: a keyboard and a monitor are in none.
        guard case .failure = try Self.resolve("the keyboard and the monitor") else { Issue.record("resolved"); return }
        // Filtered by the server by address: every order listed matches.
        guard case .failure(let two) = try Self.resolve("4 Birch Close", filtered: true) else { Issue.record("resolved"); return }
        #expect(two.message.hasPrefix("3 orders described as \"4 Birch Close\""))
        #expect(try Self.resolve("prod1") == .failure(.init(
            message: "No order described as \"prod1\" was found, so nothing was changed. Which order is it (its id)?")))
        guard case .failure = try Self.resolve("customer") else { Issue.record("resolved"); return }
        // A full page of orders may leave out the one meant: its contents are then not enough to tell.
        let page: JSONValue = ["orders": .array([Self.list["orders"]?.arrayValue?[0] ?? .null]
            + Array(repeating: ["order_id": "ord_x", "items": []], count: 99))]
        guard case .failure(let tooMany) = try Self.resolve("prod5", page) else { Issue.record("resolved"); return }
        #expect(tooMany.message.hasPrefix("Too many orders"))
    }

    @Test func anOrderIDCanOnlyBeOneTheInstructionGave() {
        let seen = OrderIDsSeen(text: "Cancel ord_4k2x9m3p7q8r5s6t7v8w. Ship order-77a to 12 Oak St, 2026-12-07, prod5.")
        #expect(seen.all == ["ord_4k2x9m3p7q8r5s6t7v8w", "order-77a"])
        seen.note(Self.list)
        seen.note(text: "order not found: 'ord_x'. Did you mean 'ord_kgcz4cpdxznnjnmezqdy'?")
        #expect(seen.all == ["ord_4k2x9m3p7q8r5s6t7v8w", "order-77a", "ord_a", "ord_b", "ord_c", "ord_kgcz4cpdxznnjnmezqdy"])

        // Without an id, the schema offers only the reference; with ids, those ids as well.
        let none = OrderReference.orderIDSchema(known: [])["anyOf"]?.arrayValue ?? []
        #expect(none.count == 1 && !none.contains { $0["type"] == "string" })
        let some = OrderReference.orderIDSchema(known: ["ord_a"])["anyOf"]?.arrayValue ?? []
        #expect(some.first == ["type": "string", "enum": ["ord_a"]] && some.count == 2)
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

    /// Each order's status, by its id.
    static func statuses(_ database: TestDatabase) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try database.orders().map { ($0["_id"]?.stringValue ?? "", $0["status"]?.stringValue ?? "") })
    }

    @Test func theOneOrderToTheAddressIsTheOneChanged() async throws {
        try await Self.cancel(["described_as": "Lindenweg 4"], saying: "Der Kunde am Lindenweg 4 hat storniert.",
                              orders: [("Lindenweg 40", "prod3"), ("Lindenweg 4", "prod1")]) { database, ids, outcome in
            let statuses = try Self.statuses(database)
            #expect(statuses == [ids[0]: "pending", ids[1]: "cancelled"])
            // The host looked the order up and made the call: no sub-agent's model was asked.
            #expect(outcome.llm.requests("delivery").isEmpty && outcome.llm.requests("unmatched").isEmpty)
            // The manager read which order it was.
            let managerRequests = outcome.llm.requests("manager")
            #expect(managerRequests.last?.lastResultText.contains("is \(ids[1]), the one order described as \"Lindenweg 4\"") == true)
            // No id was in the instruction: the manager's first call could not name one.
            let tools = try #require(managerRequests.first?.body["tools"]?.arrayValue)
            let delivery = try #require(tools.first { $0["function"]?["name"] == "delivery" })
            let update = try #require(delivery["function"]?["parameters"]?["anyOf"]?.arrayValue?.first {
                $0["properties"]?["tool"]?["const"] == "update_delivery_status" })
            let choices = try #require(update["properties"]?["arguments"]?["properties"]?["order_id"]?["anyOf"]?.arrayValue)
            #expect(choices.count == 1 && !choices.contains { $0["type"] == "string" })
        }
    }

    @Test func twoOrdersToTheAddressChangeNothingAndAreBothNamed() async throws {
        try await Self.cancel(["described_as": "4 birch close"], saying: "Cancel the order going to 4 Birch Close.",
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
    /// (`ungrounded-read-filters-left-out`): the host reads the newest orders instead and takes
    /// only one its words name; a phone is not the Smartphone.
    @Test func wordsThatNameNoOrderChangeNothing() async throws {
        try await Self.cancel(["described_as": "2nd phone"], saying: "Cancel the order of the two phones.",
                              orders: [("1 Elm Rd", "prod2")]) { database, _, outcome in
            let orders = try database.orders()
            #expect(orders.allSatisfy { $0["status"] == "pending" })
            #expect(outcome.report.finalAnswer.hasPrefix("No order described as \"2nd phone\" was found, so nothing was changed."))
        }
    }

    /// An order named by what is in it: the newest orders are read, and the one with the product
    /// (the headphones, not a laptop) is the one changed.
    @Test func theOneOrderWithTheProductIsTheOneChanged() async throws {
        try await Self.cancel(["described_as": "the headphones order"], saying: "Please cancel the headphones order.",
                              orders: [("15 Mill Lane", "prod1"), ("8 Fern Way", "prod3")]) { database, ids, outcome in
            let statuses = try Self.statuses(database)
            #expect(statuses == [ids[0]: "pending", ids[1]: "cancelled"])
            #expect(outcome.llm.requests("delivery").isEmpty)
            #expect(outcome.llm.requests("manager").last?.lastResultText
                .contains("is \(ids[1]), the one order described as \"the headphones order\"") == true)
        }
    }
}
