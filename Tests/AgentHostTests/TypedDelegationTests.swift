@testable import Agents
import Foundation
import JSON
import Testing
import TestSupport

/// Typed delegations (small profile, `HostSettings.typedDelegations`): the manager's delegation is
/// the call itself, held to the tool's schema; the host makes it as the agent's first step (no
/// model call), and the agent's model takes over only when it failed, keeping the manager's values.
@Suite struct TypedDelegationTests {
    static var settings: HostSettings {
        var settings = HostSettings(profile: .small)
        settings.typedDelegations = true
        return settings
    }

    /// The manager delegates one typed create_order, then answers.
    static func managerOrders(_ items: JSONValue, to address: String, answer: String) -> ScriptedLLMServer.Route {
        .agent("manager", [
            .calls([.init("orders", ["tool": "create_order", "arguments": ["items": items, "delivery_address": .string(address)]])]),
            .answer(answer),
        ])
    }

    @Test func theManagersCallIsMadeWithoutAskingTheAgentsModel() async throws {
        let database = try await TestDatabase.make("typed")
        defer { database.drop() }
        let routes = [Self.managerOrders([["product_id": "prod2", "quantity": 1]], to: "7 Oak St", answer: "Ordered.")]
        let outcome = try await HostHarness.run("Order one Smartphone (prod2) to 7 Oak St.", routes: routes, database: database,
                                                settings: Self.settings)
        let orders = try database.orders()
        #expect(orders.count == 1 && orders.first?["delivery_address"] == "7 Oak St")
        #expect(outcome.llm.requests("orders").isEmpty && outcome.llm.requests("unmatched").isEmpty)
        let agent = try #require(outcome.report.agents.first { $0.id == "orders#1" })
        #expect(agent.status == .completed && agent.steps.count == 1 && agent.steps.first?.byModel == false)

        // The manager is offered each tool's call with the tool's own required arguments: no
        // optional idempotency_key to fill in.
        let tools = try #require(outcome.llm.requests("manager").first?.body["tools"]?.arrayValue)
        let orders_ = try #require(tools.first { $0["function"]?["name"] == "orders" })
        let shapes = try #require(orders_["function"]?["parameters"]?["anyOf"]?.arrayValue)
        #expect(shapes.compactMap { $0["properties"]?["tool"]?["const"]?.stringValue }
                == ["create_order", "get_order", "list_orders", "list_products"])
        let createOrder = try #require(shapes.first { $0["properties"]?["tool"]?["const"] == "create_order" })
        #expect(createOrder["properties"]?["arguments"]?["properties"]?.objectValue?.keys.sorted() == ["delivery_address", "items"])
        #expect(outcome.report.finalAnswer.hasPrefix("Ordered."))
    }

    @Test func aFailedCallIsLeftToTheAgentWhichKeepsTheManagersValues() async throws {
        let database = try await TestDatabase.make("typedretry")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            Self.managerOrders([["product_id": "Lap-top", "quantity": 2]], to: "9 Pine St", answer: "Ordered 2 Laptops."),
            .agent("orders", [
                // After "product not found": the right id, but a quantity the manager did not give; then as given.
                .calls([.init("create_order", ["items": [["product_id": "prod1", "quantity": 5]], "delivery_address": "9 Pine St"])]),
                .calls([.init("create_order", ["items": [["product_id": "prod1", "quantity": 2]], "delivery_address": "9 Pine St"])]),
            ]),
        ]
        let outcome = try await HostHarness.run("Order 2 Laptops to 9 Pine St.", routes: routes, database: database,
                                                settings: Self.settings)
        let orders = try database.orders()
        #expect(orders.count == 1)
        let line = orders.first?["lines"]?.arrayValue?.first
        #expect(line?["quantity"]?.integerValue == 2 && line?["product_id"] == "prod1")
        let agentRequests = outcome.llm.requests("orders")
        #expect(agentRequests.count == 2)
        // The agent read the manager's call as its own first step, with the server's error.
        #expect(agentRequests.first?.lastResultText.contains("Lap-top") == true)
        #expect(agentRequests.last?.lastResultText.contains("the manager's call gave") == true)
        #expect(outcome.trace.contains("[delegated-values-kept]"))
    }

    /// `AgentHost chat`'s one line per delegation shows the call.
    @Test func theDelegationLineShowsTheCall() {
        let event = TraceEvent(kind: .toolCall, agent: "manager", step: 1, tool: "delivery", callID: "c",
                               arguments: ["tool": "update_delivery_status", "arguments": ["order_id": "ord_1", "status": "cancelled"]])
        #expect(DelegationTraceSink.render(event) == "  → delivery: update_delivery_status {order_id: ord_1, status: cancelled}")
        // An order the host did not find: why, not an empty line.
        let unresolved = TraceEvent(kind: .toolResult, agent: "manager", step: 1, tool: "delivery", callID: "c",
                                    result: [OrderReference.unresolvedKey: "No order to 9 Elm Rd was found, so nothing was changed."],
                                    isError: true)
        #expect(DelegationTraceSink.render(unresolved) == "  ✗ delivery: No order to 9 Elm Rd was found, so nothing was changed.")
    }

    /// AgentHost delegates typed calls with the small profile on llama.cpp's server, whose grammar
    /// holds the manager's reply to the calls' schemas; the prompt shows their signatures.
    @Test func theBinaryDelegatesTypedCallsOnLlamaServer() async throws {
        let database = try await TestDatabase.make("typedbin")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([.agent("manager", [
            .calls([.init("inventory", ["tool": "check_stock", "arguments": ["product_id": "prod1"]])]),
            .calls([.init("final_answer", ["answer": "prod1: 10 in stock."])]),
        ])])
        defer { llm.stop() }
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "How many prod1 are in stock?", "--quiet", "--model", "scripted", "--base-url", llm.baseURL,
            "--compat", "llama-server",
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self).hasPrefix("prod1: 10 in stock."))
        #expect(llm.requests("inventory").isEmpty && llm.requests("unmatched").isEmpty)
        let first = try #require(llm.requests("manager").first)
        let inventory = first.body["tools"]?.arrayValue?.first { $0["function"]?["name"] == "inventory" }
        #expect(inventory?["function"]?["description"]?.stringValue?.contains("check_stock(product_id)") == true)
        let held = first.body["response_format"]?["json_schema"]?["schema"]?["anyOf"]?.arrayValue?
            .first { $0["properties"]?["name"]?["const"] == "inventory" }?["properties"]?["arguments"]?["anyOf"]?.arrayValue ?? []
        #expect(held.count == 4)  // check_stock, update_stock with a delta or a level (`StockLevel`), list_products

        let wrong = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "hi", "--model", "scripted", "--base-url", llm.baseURL, "--delegations", "words",
        ], environment: TestEnvironment.childEnvironment, timeout: .seconds(30))
        #expect(wrong.status == 3 && wrong.stderr.contains("--delegations 'words': use typed or task"), "\(wrong.stderr)")
    }
}
