@testable import Agents
import Foundation
import JSON
import Testing
import TestSupport

/// A typed `update_stock` as `{product_id, change, quantity}` (`StockChange`): add and remove
/// become a signed delta; for set, the host reads the stock and makes the change that reaches the
/// level, and a level already reached changes nothing.
@Suite struct StockChangeTests {
    static func change(_ product: String, _ kind: String, _ quantity: Int64) -> CallKey {
        CallKey(name: "update_stock", arguments: ["product_id": .string(product), "change": .string(kind), "quantity": .int(quantity)])
    }

    @Test func addAndRemoveAreASignedDelta() throws {
        #expect(StockChange(Self.change("prod4", "add", 20))?.call == CallKey(name: "update_stock", arguments: ["product_id": "prod4", "delta": 20]))
        #expect(StockChange(Self.change("prod4", "remove", 2))?.call == CallKey(name: "update_stock", arguments: ["product_id": "prod4", "delta": -2]))
        // Not this form: no change, a kind it does not know, nothing to add, another tool.
        #expect(StockChange(CallKey(name: "update_stock", arguments: ["product_id": "prod4", "delta": 3])) == nil)
        #expect(StockChange(Self.change("prod4", "double", 2)) == nil)
        #expect(StockChange(Self.change("prod4", "add", 0)) == nil)
        #expect(StockChange(CallKey(name: "check_stock", arguments: ["product_id": "prod4", "change": "add", "quantity": 2])) == nil)
    }

    @Test func aLevelIsReachedByTheDifference() throws {
        let level = try #require(StockChange(Self.change("prod5", "set", 22)))
        #expect(level.call == nil)
        #expect(level.lookup == CallKey(name: "check_stock", arguments: ["product_id": "prod5"]))
        #expect(level.call(reachingLevelFrom: ["product_id": "prod5", "stock": 25])
                == CallKey(name: "update_stock", arguments: ["product_id": "prod5", "delta": -3, "reason": "stock set to 22 (was 25)"]))
        #expect(level.call(reachingLevelFrom: ["product_id": "prod5", "stock": 22]) == nil)
        // A product named by its name: the change names the catalogue's id the read gave.
        let byName = try #require(StockChange(Self.change("Keyboard", "set", 0)))
        #expect(byName.call(reachingLevelFrom: ["product_id": "prod5", "stock": 25])?.arguments["product_id"] == "prod5")
        #expect(StockChange(Self.change("prod5", "set", -1)) == nil)
    }

    /// In an English request (small profile) the level must be a number it states, or 0 for a write-off.
    @Test func aLevelIsOneTheRequestStates() {
        #expect(RequestGrounding("The stocktake counted 22 keyboards. Make the system match.").violation(settingStockTo: 22) == nil)
        #expect(RequestGrounding("The stocktake counted 22 keyboards. Make the system match.").violation(settingStockTo: 25)?
            .hasPrefix("cannot set the stock to 25") == true)
        #expect(RequestGrounding("Every monitor left is ruined: write them all off.").violation(settingStockTo: 0) == nil)
        #expect(RequestGrounding("Top the headphones up, please.").violation(settingStockTo: 0) != nil)
        // A request the word checks cannot read: they stand aside, unless it only asks questions.
        #expect(RequestGrounding("Inventur: genau zwölf Tastaturen. Bitte anpassen.").violation(settingStockTo: 12) == nil)
        #expect(RequestGrounding("Wie viele Tastaturen haben wir?").violation(settingStockTo: 12) != nil)
    }

    static func manager(_ product: String, _ kind: String, _ quantity: Int64) -> ScriptedLLMServer.Route {
        .agent("manager", [.calls([.init("inventory", ["tool": "update_stock", "arguments": change(product, kind, quantity).arguments])]),
                           .answer("Done.")])
    }

    /// Runs `instruction` with the small profile's typed delegations on a fresh database, then `check`s it.
    static func run(_ instruction: String, _ routes: [ScriptedLLMServer.Route],
                    check: (TestDatabase, HostHarness.Outcome) throws -> Void) async throws {
        let database = try await TestDatabase.make("stockchange")
        defer { database.drop() }
        let outcome = try await HostHarness.run(instruction, routes: routes, database: database, settings: TypedDelegationTests.settings)
        try check(database, outcome)
    }

    @Test func theHostReadsTheStockAndMakesTheChange() async throws {
        let request = "Stocktake's done: there are really 22 headphones on the shelf. Make the system match."
        try await Self.run(request, [Self.manager("prod3", "set", 22)]) { database, outcome in
            let stock = try database.stock()
            #expect(stock["prod3"] == 22, "\(outcome.trace)")
            #expect(outcome.report.writes.map { $0.result["delta"]?.integerValue } == [-8])
            // The host read the stock and made the call: no inventory agent's model was asked.
            #expect(outcome.llm.requests("inventory").isEmpty && outcome.llm.requests("unmatched").isEmpty)
            #expect(outcome.llm.requests("manager").last?.lastResultText.contains("prod3 had 30 in stock: set to 22 by delta -8") == true)
            // The answer gives the stock as it is now, not the 30 read before the change.
            #expect(outcome.report.finalAnswer.contains("Changes: update_stock prod3 stock 22.") && !outcome.report.finalAnswer.contains("stock: 30"),
                    "\(outcome.report.finalAnswer)")
            // The manager is offered a change in words, not the tool's delta.
            let tools = try #require(outcome.llm.requests("manager").first?.body["tools"]?.arrayValue)
            let inventory = try #require(tools.first { $0["function"]?["name"] == "inventory" })
            #expect(inventory["function"]?["description"]?.stringValue?.contains("update_stock(product_id, change, quantity)") == true)
            let shapes = try #require(inventory["function"]?["parameters"]?["anyOf"]?.arrayValue)
            let kinds = shapes.filter { $0["properties"]?["tool"]?["const"] == "update_stock" }
                .map { $0["properties"]?["arguments"]?["properties"]?["change"]?["enum"] }
            #expect(kinds == [["add", "remove"], ["set"]])
        }
    }

    @Test func aLevelAlreadyReachedChangesNothing() async throws {
        try await Self.run("Make sure we have 10 laptops in stock.", [Self.manager("prod1", "set", 10)]) { database, outcome in
            let stock = try database.stock()
            #expect(stock["prod1"] == 10)
            #expect(outcome.report.writes.isEmpty)
            #expect(outcome.llm.requests("manager").last?.lastResultText.contains("prod1 has 10 in stock, the level asked: nothing to change") == true)
        }
    }

    /// Unattended, a level the English request does not state is refused, and nothing is written.
    @Test func aLevelTheRequestDoesNotStateIsNotSet() async throws {
        let routes: [ScriptedLLMServer.Route] = [Self.manager("prod3", "set", 40),
                                                 .agent("inventory", [.answer("Not done: 40 is not in the request.")])]
        try await Self.run("Top the headphones up, please.", routes) { database, outcome in
            let stock = try database.stock()
            #expect(stock["prod3"] == 30)
            #expect(outcome.report.writes.isEmpty)
            #expect(outcome.trace.contains("[grounded-writes]"), "\(outcome.trace)")
        }
    }

    /// A removal is the tool's delta, made by the host with no model call; grounded-writes checks it as any delta.
    @Test func aRemovalIsMadeAsTheDelta() async throws {
        try await Self.run("Two Headphones were damaged: write them off.", [Self.manager("prod3", "remove", 2)]) { database, outcome in
            let stock = try database.stock()
            #expect(stock["prod3"] == 28)
            #expect(outcome.report.writes.map { $0.result["delta"]?.integerValue } == [-2])
            #expect(outcome.llm.requests("inventory").isEmpty && outcome.llm.requests("unmatched").isEmpty)
        }
    }
}

extension StockChangeTests {
    /// A second change of a product's stock in one request waits for a person, or is refused when
    /// nobody can be asked; another product's is made.
    @Test func aSecondChangeOfAProductsStockIsHeld() {
        let written = Write(tool: "update_stock", result: ["product_id": "prod4", "name": "Monitor", "previous_stock": 8, "delta": 20, "stock": 28])
        let policy = OneStockChangePerProduct(done: { [written] })
        func pending(_ product: String) -> PendingCall {
            PolicyTests.call(PolicyTests.updateStock, ["product_id": .string(product), "delta": 12])
        }
        let unattended = PolicyTests.run(writeCount: 1)
        #expect(policy.check(pending("prod4"), in: unattended)
                == .refused("cannot change prod4's stock again: this request already changed it (update_stock prod4 stock 28), and one "
                    + "change per product is all a request makes. If the request asks for another, say so in your final answer. "
                    + "Nothing was changed.", failsWrite: true))
        #expect(policy.check(pending("Monitors"), in: unattended) != .allow)  // by its name, as the ToolServer resolves it
        #expect(policy.check(pending("prod3"), in: unattended) == .allow)
        var attended = unattended
        attended.canAskPerson = true
        guard case .askPerson = policy.check(pending("prod4"), in: attended) else {
            Issue.record("not put to a person")
            return
        }
        #expect(OneStockChangePerProduct(done: { [] }).check(pending("prod4"), in: unattended) == .allow)
    }
}

extension StockChangeTests {
    /// The answer's Found line leaves out a stock read that a stock change of its product followed
    /// (the Changes line has the stock now), and keeps one made after it.
    @Test func aStockReadBeforeItsChangeIsNotFound() {
        func agent(_ id: String, _ calls: [ToolCallRecord]) -> AgentRecord {
            AgentRecord(id: id, role: "inventory", task: "", status: .completed, answer: "", steps: [PolicyTests.step(calls)],
                        note: nil, durationMs: 1)
        }
        let read = { (stock: Int64) in
            PolicyTests.record("check_stock", ["product_id": "prod3"], result: ["product_id": "prod3", "stock": .int(stock)])
        }
        let change = PolicyTests.record("update_stock", ["product_id": "prod3", "delta": -8],
                                        result: ["product_id": "prod3", "delta": -8, "stock": 22])
        let other = PolicyTests.record("check_stock", ["product_id": "prod1"], result: ["product_id": "prod1", "stock": 10])
        let before = [agent("inventory#1", [read(30), other]), agent("inventory#2", [change])]
        #expect(HostAnswer.foundLine(before, readTools: ["check_stock"]) == "Found: check_stock: {product_id: prod1, stock: 10}.")
        let after = before + [agent("inventory#3", [read(22)])]
        #expect(HostAnswer.foundLine(after, readTools: ["check_stock"])?.contains("{product_id: prod3, stock: 22}") == true)
    }
}
