import TestSupport
import Agents
import Foundation
import JSON
import Testing

@Suite struct ParallelAndLimitsTests {
    @Test func twoDelegationsInOneMessageRunConcurrently() async throws {
        let database = try await TestDatabase.make("parallel")
        defer { database.drop() }
        // Each sub-agent's first answer is held until both sub-agents have asked: only a host that
        // runs them concurrently gets both answers before the 10 s barrier timeout.
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("inventory", ["tool": "check_stock", "task": "Check the stock of prod1."]), .init("orders", ["tool": "list_orders", "task": "List the orders."])]),
                .answer("prod1 has 10 in stock; there are no orders."),
            ]),
            .agent("inventory", [
                .rendezvous("both", count: 2, .calls([.init("check_stock", ["product_id": "prod1"])])),
                .answer("prod1: 10 in stock."),
            ]),
            .agent("orders", [
                .rendezvous("both", count: 2, .calls([.init("list_orders", [:])])),
                .answer("No orders."),
            ]),
        ]
        // (A capable manager's delegations run side by side; a small one's plan runs in order.)
        let outcome = try await HostHarness.run("Check prod1 and list the orders.", routes: routes, database: database,
                                                settings: HostSettings(profile: .capable))
        #expect(outcome.report.status == .completed)

        let inventory = try #require(outcome.llm.requests("inventory").first)
        let orders = try #require(outcome.llm.requests("orders").first)
        let inventoryDone = try #require(inventory.responded), ordersDone = try #require(orders.responded)
        // Overlap: each request arrived before the other one was answered.
        #expect(inventory.arrived < ordersDone)
        #expect(orders.arrived < inventoryDone)

        // Both results went back to the manager, in the order of its calls, with their ids.
        let manager = outcome.llm.requests("manager")
        #expect(manager[1].lastToolResults.compactMap { $0["tool_call_id"]?.stringValue } == manager[0].answeredCallIDs)
        #expect(manager[1].lastResults.compactMap { $0["agent"]?.stringValue } == ["inventory#1", "orders#1"])
        #expect(manager[0].body["parallel_tool_calls"] == true)
    }

    @Test func subAgentStepLimitAsksOnceForAnAnswerAndMarksTheRunIncomplete() async throws {
        let database = try await TestDatabase.make("maxsteps")
        defer { database.drop() }
        let check = { (id: String) -> ScriptedLLMServer.Turn in .calls([.init("check_stock", ["product_id": .string(id)])]) }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("inventory", ["tool": "list_products", "task": "Check prod1 and prod2 until they change."])]),
                .dynamic { request in .answer("Inventory stopped: \(request.lastResults.first?["status"]?.stringValue ?? "?")") },
            ]),
            .agent("inventory", [check("prod1"), check("prod2"), .answer("prod1 still has 10.")]),
        ]
        let outcome = try await HostHarness.run("Watch prod1.", routes: routes, database: database,
                                                settings: HostSettings(subAgentMaxSteps: 2, profile: .small))
        let report = outcome.report
        #expect(report.status == .incomplete)
        #expect(report.exitCode == 2)
        #expect(report.finalAnswer.hasPrefix("Inventory stopped: incomplete\nFound: check_stock: {product_id: prod1"), "\(report.finalAnswer)")
        let inventory = outcome.llm.requests("inventory")
        #expect(inventory.count == 3)
        let last = try #require(inventory.last)
        #expect(last.body["tool_choice"] == "none")
        let prompt = last.messages.last?["content"]?.stringValue ?? ""
        #expect(prompt.hasPrefix("Stop: step limit (2) reached."), "\(prompt)")
        let record = try #require(report.agents.first { $0.role == "inventory" })
        #expect(record.status == .incomplete)
        #expect(record.answer == "prod1 still has 10.")
        #expect(record.steps.last?.finalAnswerRequest == true)
    }

    @Test func managerStepLimitThroughTheBinaryExitsWithTwo() async throws {
        let database = try await TestDatabase.make("mgrsteps")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([
            .agent("manager", [
                .calls([.init("inventory", ["tool": "check_stock", "task": "Check prod1."])]),
                .answer("prod1 has 10 (stopped early)."),
            ]),
            .agent("inventory", [.calls([.init("check_stock", ["product_id": "prod1"])]), .answer("10 in stock.")]),
        ])
        defer { llm.stop() }
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "check prod1", "--manager-max-steps", "1", "--base-url", llm.baseURL, "--model", "scripted",
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(60))
        #expect(result.status == 2, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "prod1 has 10 (stopped early).\n"
                + "Found: check_stock: {product_id: prod1, name: Laptop, price: 999.99, stock: 10}.\n")
        #expect(result.stderr.contains("step limit (1) reached"))
        #expect(result.stderr.contains("the run is incomplete"))
    }

    @Test func malformedCallsAreRefusedByTheHostAndBounded() async throws {
        let database = try await TestDatabase.make("malformed")
        defer { database.drop() }
        let badJSON = ScriptedLLMServer.Turn.body(["choices": [["message": [
            "role": "assistant", "content": "",
            "tool_calls": [["id": "bad_1", "type": "function", "function": ["name": "create_order", "arguments": "{items: oops"]]],
        ]]]])
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod1 x2 to \"1 Main St\"."])]),
                .answer("The orders agent could not make a valid call."),
            ]),
            .agent("orders", [
                .calls([.init("create_order", ["items": [["product_id": "prod1", "quantity": "two"]], "delivery_address": "1 Main St"])]),
                badJSON,
                .calls([.init("create_ordr", ["items": []])]),
                .answer("I could not create the order."),
            ]),
        ]
        let outcome = try await HostHarness.run("Order two laptops.", routes: routes, database: database,
                                                settings: HostSettings(maxMalformedSteps: 3, profile: .small))
        #expect(try database.orders().isEmpty)
        #expect(outcome.report.status == .incomplete)
        let orders = outcome.llm.requests("orders")
        #expect(orders.count == 4)
        let texts = orders.dropFirst().map { $0.toolMessages.last?["content"]?.stringValue ?? "" }
        #expect(texts[0] == "invalid arguments for create_order: items[0].quantity: must be an integer, got string 'two'. "
            + "Fix the call to match the tool's schema. Nothing was called.")
        #expect(texts[1].hasPrefix("invalid arguments for create_order: not valid JSON"))
        #expect(texts[2] == "unknown tool 'create_ordr'. Your tools: create_order, get_order, list_orders, list_products.")
        #expect(orders[3].body["tool_choice"] == "none")
        let record = try #require(outcome.report.agents.first { $0.role == "orders" })
        let calls = record.steps.flatMap(\.toolCalls)
        #expect(calls.count == 3 && calls.allSatisfy { $0.rejected })
        #expect(record.note == "3 steps in a row with only malformed tool calls")
    }

    /// A manager that checks two products, then is told its conversation no longer fits (llama.cpp's
    /// HTTP 400), then answers.
    static let twoChecksThenAFullContext: [ScriptedLLMServer.Route] = [
        .agent("manager", [
            .calls([.init("inventory", ["tool": "check_stock", "task": "Check prod1."])]),
            .calls([.init("inventory", ["tool": "check_stock", "task": "Check prod2."])]),
            .status(400, body: #"{"error":{"message":"This model's maximum context length is 4096 tokens. However, you "#
                + #"requested 4705 tokens (4193 in the messages, 512 in the completion)."}}"#, headers: [:]),
            .answer("prod1 and prod2 checked."),
        ]),
        .agent("inventory", [.calls([.init("check_stock", ["product_id": "prod1"])]),
                             .calls([.init("check_stock", ["product_id": "prod2"])])]),
    ]

    /// A conversation that outgrows the model's context (HTTP 400 "maximum context length") ends
    /// the agent as incomplete, with an answer asked for on the task and the last exchange only,
    /// rather than failing the run.
    @Test func aFullContextEndsTheAgentWithAnAnswerFromTheLastExchange() async throws {
        let database = try await TestDatabase.make("fullctx")
        defer { database.drop() }
        let outcome = try await HostHarness.run("Check prod1, then prod2.", routes: Self.twoChecksThenAFullContext,
                                                database: database)
        #expect(outcome.report.status == .incomplete, "\(outcome.report.error ?? "")")
        #expect(outcome.report.finalAnswer == "prod1 and prod2 checked.\nFound: check_stock: {product_id: prod1, name: Laptop, price: 999.99, stock: 10}; "
                + "check_stock: {product_id: prod2, name: Smartphone, price: 599.99, stock: 15}.")
        let record = try #require(outcome.report.agents.first { $0.role == "manager" })
        #expect(record.note == "the conversation no longer fits the model's context")
        let last = try #require(outcome.llm.requests("manager").last)
        #expect(last.body["tool_choice"] == "none")
        // System prompt, task, the last delegation and its result, the request for an answer.
        #expect(last.messages.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant", "tool", "user"])
        #expect(last.messages[1]["content"] == "Check prod1, then prod2.")
        #expect(last.lastResultText.isEmpty)  // the request for an answer comes after the result
        #expect(last.messages[3]["content"]?.stringValue?.contains("inventory#2") == true)
        #expect(last.messages[4]["content"]?.stringValue?.hasPrefix("Stop: the conversation no longer fits the model's context.") == true)
    }

    /// The request for the answer after a step limit can itself outgrow the context: it is sent
    /// again with the task and the last exchange only, and the run still has an answer.
    @Test func anAnswerRequestThatNoLongerFitsIsSentAgainShorter() async throws {
        let database = try await TestDatabase.make("fullanswer")
        defer { database.drop() }
        let outcome = try await HostHarness.run("Check prod1, then prod2.", routes: Self.twoChecksThenAFullContext,
                                                database: database, settings: HostSettings(managerMaxSteps: 2, profile: .small))
        #expect(outcome.report.status == .incomplete, "\(outcome.report.error ?? "")")
        #expect(outcome.report.finalAnswer == "prod1 and prod2 checked.\nFound: check_stock: {product_id: prod1, name: Laptop, price: 999.99, stock: 10}; "
                + "check_stock: {product_id: prod2, name: Smartphone, price: 599.99, stock: 15}.")
        let requests = outcome.llm.requests("manager")
        #expect(requests.count == 4)
        // The one that did not fit had the whole conversation; the one sent again, the shorter.
        #expect(requests[2].messages.count == 7)
        #expect(requests[3].messages.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant", "tool", "user"])
        #expect(requests[3].messages[4] == requests[2].messages[6])  // the same request for the answer
        #expect(requests[3].messages[4]["content"]?.stringValue?.hasPrefix("Stop: step limit (2) reached.") == true)
    }
}
