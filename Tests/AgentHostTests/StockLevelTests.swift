@testable import Agents
import Foundation
import JSON
import Testing
import TestSupport

/// A typed `update_stock` with `set_to` in place of `delta` (`StockLevel`): the host reads the
/// stock and makes the change that reaches the level; a level already reached changes nothing.
@Suite struct StockLevelTests {
    @Test func aLevelIsReachedByTheDifference() throws {
        let level = try #require(StockLevel(CallKey(name: "update_stock", arguments: ["product_id": "prod5", "set_to": 22])))
        #expect(level.lookup == CallKey(name: "check_stock", arguments: ["product_id": "prod5"]))
        #expect(level.change(from: ["product_id": "prod5", "stock": 25])
                == CallKey(name: "update_stock", arguments: ["product_id": "prod5", "delta": -3, "reason": "stock set to 22 (was 25)"]))
        #expect(level.change(from: ["product_id": "prod5", "stock": 22]) == nil)
        // A product named by its name: the change names the catalogue's id the read gave.
        let byName = try #require(StockLevel(CallKey(name: "update_stock", arguments: ["product_id": "Keyboard", "set_to": 0])))
        #expect(byName.change(from: ["product_id": "prod5", "stock": 25])?.arguments["product_id"] == "prod5")
        // Not a level: a delta, another tool, a negative level.
        #expect(StockLevel(CallKey(name: "update_stock", arguments: ["product_id": "prod5", "delta": 3])) == nil)
        #expect(StockLevel(CallKey(name: "check_stock", arguments: ["product_id": "prod5", "set_to": 3])) == nil)
        #expect(StockLevel(CallKey(name: "update_stock", arguments: ["product_id": "prod5", "set_to": -1])) == nil)
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

    static func manager(_ arguments: JSONValue) -> ScriptedLLMServer.Route {
        .agent("manager", [.calls([.init("inventory", ["tool": "update_stock", "arguments": arguments])]), .answer("Done.")])
    }

    @Test func theHostReadsTheStockAndMakesTheChange() async throws {
        let database = try await TestDatabase.make("level")
        defer { database.drop() }
        let outcome = try await HostHarness.run("Stocktake's done: there are really 22 headphones on the shelf. Make the system match.",
                                                routes: [Self.manager(["product_id": "prod3", "set_to": 22])], database: database,
                                                settings: TypedDelegationTests.settings)
        #expect(try database.stock()["prod3"] == 22, "\(outcome.trace)")
        #expect(outcome.report.writes.map { $0.result["delta"]?.integerValue } == [-8])
        // The host read the stock and made the call: no inventory agent's model was asked.
        #expect(outcome.llm.requests("inventory").isEmpty && outcome.llm.requests("unmatched").isEmpty)
        #expect(outcome.llm.requests("manager").last?.lastResultText.contains("prod3 had 30 in stock: set to 22 by delta -8") == true)
        // The manager is offered the level beside the delta.
        let tools = try #require(outcome.llm.requests("manager").first?.body["tools"]?.arrayValue)
        let inventory = try #require(tools.first { $0["function"]?["name"] == "inventory" })
        let shapes = try #require(inventory["function"]?["parameters"]?["anyOf"]?.arrayValue)
        let fields = shapes.filter { $0["properties"]?["tool"]?["const"] == "update_stock" }
            .compactMap { $0["properties"]?["arguments"]?["properties"]?.objectValue?.keys.sorted() }
        #expect(fields == [["delta", "product_id"], ["product_id", "set_to"]])
    }

    @Test func aLevelAlreadyReachedChangesNothing() async throws {
        let database = try await TestDatabase.make("levelthere")
        defer { database.drop() }
        let outcome = try await HostHarness.run("Make sure we have 10 laptops in stock.",
                                                routes: [Self.manager(["product_id": "prod1", "set_to": 10])], database: database,
                                                settings: TypedDelegationTests.settings)
        #expect(try database.stock()["prod1"] == 10)
        #expect(outcome.report.writes.isEmpty)
        #expect(outcome.llm.requests("manager").last?.lastResultText.contains("prod1 has 10 in stock, the level asked: nothing to change") == true)
    }

    /// Unattended, a level the English request does not state is refused, and nothing is written.
    @Test func aLevelTheRequestDoesNotStateIsNotSet() async throws {
        let database = try await TestDatabase.make("levelnot")
        defer { database.drop() }
        let outcome = try await HostHarness.run("Top the headphones up, please.",
                                                routes: [Self.manager(["product_id": "prod3", "set_to": 40]),
                                                         .agent("inventory", [.answer("Not done: 40 is not in the request.")])],
                                                database: database, settings: TypedDelegationTests.settings)
        #expect(try database.stock()["prod3"] == 30)
        #expect(outcome.report.writes.isEmpty)
        #expect(outcome.trace.contains("[grounded-writes]"), "\(outcome.trace)")
    }
}
