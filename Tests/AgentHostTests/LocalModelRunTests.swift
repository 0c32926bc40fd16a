import TestSupport
import Agents
import JSON
import LLMClient
import Testing

/// A whole run against a scripted server that behaves like llama-cpp-python's
/// `chatml-function-calling` format: tool messages are invisible to the model, and it can only
/// answer through the final_answer tool.
@Suite struct LocalModelRunTests {
    typealias Request = ScriptedLLMServer.Request

    /// The text the model can "see": every message but the tool messages.
    static func visible(_ request: Request) -> String {
        request.messages.filter { $0["role"] != "tool" }.compactMap { $0["content"]?.stringValue }.joined(separator: "\n")
    }

    static func finalAnswer(_ text: String) -> ScriptedLLMServer.Turn {
        .body(["choices": [["message": ["role": "assistant", "content": "", "tool_calls": [
            ["id": "fa", "type": "function", "function": ["name": "final_answer", "arguments": .string(JSONWriter.string(["answer": .string(text)]))]],
        ]], "finish_reason": "tool_calls"]]])
    }

    @Test func aRunWithTheLlamaCppWorkarounds() async throws {
        let database = try await TestDatabase.make("llamacpp")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod2 x1 to \"7 Oak St\"."])]),
                .dynamic { request in
                    let ids = Request.orderIDs(in: Self.visible(request))
                    return ids.isEmpty ? .answer("") : Self.finalAnswer("Created \(ids.joined()).")
                },
            ]),
            .agent("orders", [
                .calls([.init("create_order", ["items": [["product_id": "prod2", "quantity": 1]], "delivery_address": "7 Oak St"])]),
                .dynamic { request in
                    let ids = Request.orderIDs(in: Self.visible(request))
                    return ids.isEmpty ? .answer("") : Self.finalAnswer("Created \(ids.joined()).")
                },
            ]),
        ]
        let outcome = try await HostHarness.run("Order one smartphone to 7 Oak St.", routes: routes, database: database,
                                                settings: HostSettings(finalAnswerTool: true, profile: .small), compatibility: .llamaCpp)
        let id = try #require(try database.orders().first?["_id"]?.stringValue)
        #expect(outcome.report.status == .completed)
        #expect(outcome.report.finalAnswer == "Created \(id).\nChanges: create_order \(id) pending.")
        for request in outcome.llm.requests {
            #expect(request.toolNames.last == "final_answer")
            #expect(request.systemPrompt.contains("call final_answer"))
            #expect(request.body["parallel_tool_calls"] == nil)
        }
    }

    /// There an empty reply is the model choosing to stop. A sub-agent that has results stops
    /// there (the manager reads the results); the manager, whose answer is the user's, is asked
    /// for it with final_answer forced.
    @Test func aSubAgentsEmptyReplyAfterItsResultsEndsItWithoutAnotherCall() async throws {
        let database = try await TestDatabase.make("llamaempty")
        defer { database.drop() }
        let managerAnswers: ScriptedLLMServer.Turn = .dynamic { request in
            guard request.body["tool_choice"]?["function"]?["name"] == "final_answer" else { return .answer("") }
            return Self.finalAnswer("There are no orders.")
        }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("orders", ["tool": "get_order", "task": "Find the orders."])]), managerAnswers, managerAnswers]),
            // Exactly two turns: a forced final_answer request would find the script exhausted.
            .agent("orders", [.calls([.init("list_orders", [:])]), .answer("")]),
        ]
        let outcome = try await HostHarness.run("Which orders are there?", routes: routes, database: database,
                                                settings: HostSettings(finalAnswerTool: true, profile: .small), compatibility: .llamaCpp)
        #expect(outcome.report.status == .completed)
        #expect(outcome.report.finalAnswer == "There are no orders.\nFound: list_orders: {orders: [], count: 0}.")
        let ordersRequests = outcome.llm.requests("orders")
        // The first step calls the tool the manager named (get_order: the script's list_orders leaves the run going).
        #expect(ordersRequests.map { $0.body["tool_choice"] } == [["type": "function", "function": ["name": "get_order"]], "auto"])
        let agent = try #require(outcome.report.agents.first { $0.role == "orders" })
        #expect(agent.status == .completed && agent.answer == "list_orders: {orders: [], count: 0}", "\(agent.answer)")
        #expect(outcome.llm.requests("manager").last?.body["tool_choice"] == ["type": "function", "function": ["name": "final_answer"]])
    }
}
