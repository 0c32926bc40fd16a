import TestSupport
import Agents
import JSON
import LLMClient
import Testing

@Suite struct TextToolCallTests {
    let wire = WireFormat(model: "m")

    private func parse(_ content: String, offered: [String] = ["check_stock", "create_order"]) throws -> ChatResponse {
        let body: JSONValue = ["choices": [["message": ["role": "assistant", "content": .string(content)], "finish_reason": "stop"]]]
        return try wire.response(from: JSONWriter.bytes(body), offered: offered)
    }

    @Test func bareFencedTaggedAndListedFormsAreRead() throws {
        let forms = [
            #"{"name": "check_stock", "arguments": {"product_id": "prod1"}}"#,
            "Let me check.\n```json\n{\"name\": \"check_stock\", \"arguments\": {\"product_id\": \"prod1\"}}\n```",
            "<tool_call>\n{\"name\": \"check_stock\", \"arguments\": {\"product_id\": \"prod1\"}}\n</tool_call>",
            #"{"function": {"name": "check_stock", "arguments": "{\"product_id\": \"prod1\"}"}}"#,
            #"[{"name": "check_stock", "parameters": {"product_id": "prod1"}}]"#,
        ]
        for form in forms {
            let response = try parse(form)
            #expect(response.toolCallsFromText, "\(form)")
            #expect(response.content == "")
            #expect(response.toolCalls.map(\.name) == ["check_stock"], "\(form)")
            #expect(response.toolCalls.first?.id == "text_call_1")
            let arguments = try JSONParser.parse(response.toolCalls.first?.arguments ?? "")
            #expect(arguments == ["product_id": "prod1"], "\(form)")
        }
        let two = try parse("{\"name\": \"check_stock\", \"arguments\": {\"product_id\": \"prod1\"}}\n"
            + "{\"name\": \"check_stock\", \"arguments\": {\"product_id\": \"prod2\"}}")
        #expect(two.toolCalls.map(\.id) == ["text_call_1", "text_call_2"])
    }

    @Test func ordinaryTextAndUnofferedNamesStayText() throws {
        for text in ["All done.", #"{"name": "rm_rf", "arguments": {}}"#, #"{"order_id": "ord_1", "status": "pending"}"#] {
            let response = try parse(text)
            #expect(response.toolCalls.isEmpty)
            #expect(response.content == text)
        }
        // Without tools offered nothing is read as a call.
        #expect(try parse(#"{"name": "check_stock", "arguments": {}}"#, offered: []).toolCalls.isEmpty)
    }

    @Test func aToolCallWrittenInContentIsExecutedEndToEnd() async throws {
        let database = try await TestDatabase.make("textcall")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .answer("```json\n{\"name\": \"orders\", \"arguments\": {\"tool\": \"create_order\", \"task\": \"Create an order: prod3 x3 to 456 Elm St.\"}}\n```"),
                .answer("Done."),
            ]),
            // A first call that fails (no product prod9), so that the agent is asked again.
            .agent("orders", [
                .answer(#"{"name": "create_order", "arguments": {"items": [{"product_id": "prod9", "quantity": 3}], "delivery_address": "456 Elm St"}}"#),
                .answer(#"{"name": "create_order", "arguments": {"items": [{"product_id": "prod3", "quantity": 3}], "delivery_address": "456 Elm St"}}"#),
            ]),
        ]
        let outcome = try await HostHarness.run("Order three headphones (prod3) to 456 Elm St.", routes: routes, database: database)
        #expect(outcome.report.status == .completed)
        #expect(try database.orders().count == 1)
        #expect(try database.stock()["prod3"] == 27)
        // The call went back as a proper tool call with its result under the same id.
        let second = outcome.llm.requests("orders")[1]
        let assistant = try #require(second.messages.first { $0["role"] == "assistant" })
        #expect(assistant["content"] == "")
        #expect(assistant["tool_calls"]?.arrayValue?.first?["id"] == "text_call_1")
        #expect(second.lastToolResults.first?["tool_call_id"] == "text_call_1")
        #expect(second.lastToolResults.first?["content"]?.stringValue?.hasPrefix("product(s) not found: 'prod9'") == true)
        #expect(outcome.trace.contains("tool call(s) read from the message text"))
    }
}
