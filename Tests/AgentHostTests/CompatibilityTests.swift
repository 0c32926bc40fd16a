import TestSupport
import Foundation
import JSON
import LLMClient
import Testing

/// The quirks of llama-cpp-python's server (`--chat_format chatml-function-calling`), each
/// reproduced by the scripted server, and what `Compatibility` does about them.
@Suite struct CompatibilityTests {
    /// Answers as that server would: it drops `role: "tool"` messages from the prompt, so the
    /// model only "sees" a result that also came as another kind of message.
    static let dropsToolMessages = ScriptedLLMServer.Turn.dynamic { request in
        let visible = request.messages.filter { $0["role"] != "tool" }.compactMap { $0["content"]?.stringValue }.joined()
        return .answer(visible.contains(#"Result of check_stock: {"product_id":"prod1","stock":10}"#)
                       ? "prod1 has 10" : "I did not see any result")
    }

    @Test func toolResultsArePassedAsAUserMessageInstead() async throws {
        let llm = try ScriptedLLMServer([.any([Self.dropsToolMessages, Self.dropsToolMessages])])
        defer { llm.stop() }
        let plain = try await scriptedClient(llm).complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(plain.content == "I did not see any result")
        let compatible = try await scriptedClient(llm, compatibility: .llamaCpp)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(compatible.content == "prod1 has 10")
        // No `role: "tool"` message: that server would render it as an empty, unterminated turn.
        let roles = llm.requests[1].messages.compactMap { $0["role"]?.stringValue }
        #expect(roles == ["system", "user", "assistant", "user"])
        #expect(llm.requests[0].messages.count == 4)  // plain OpenAI: no extra message
    }

    /// With tools offered and tool_choice "auto" that server cannot write free text: its
    /// "answer" is an empty content; it can only answer through a tool.
    static let noFreeText = ScriptedLLMServer.Turn.dynamic { request in
        if request.toolNames.contains("final_answer") {
            return .body(["choices": [["message": ["role": "assistant", "content": "", "tool_calls": [
                ["id": "call_9", "type": "function", "function": ["name": "final_answer", "arguments": #"{"answer":"prod1 has 10"}"#]],
            ]], "finish_reason": "tool_calls"]]])
        }
        return .answer("")
    }

    @Test func theFinalAnswerComesThroughAFinalAnswerTool() async throws {
        let llm = try ScriptedLLMServer([.any([Self.noFreeText, Self.noFreeText])])
        defer { llm.stop() }
        let plain = try await scriptedClient(llm).complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(plain.content == "" && plain.toolCalls.isEmpty)
        let compatible = try await scriptedClient(llm, compatibility: .llamaCpp)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(compatible.content == "prod1 has 10")
        #expect(compatible.toolCalls.isEmpty)
        #expect(llm.requests[1].toolNames == ["check_stock", "final_answer"])
        #expect(llm.requests[1].body["parallel_tool_calls"] == nil)
        #expect(llm.requests[0].toolNames == ["check_stock"])
    }

    /// That server's grammar as it is: with `tool_choice: "auto"` the model either calls a tool or
    /// "answers" with an empty content (or, after a nudge, a bare `functions.<name>:`); a forced
    /// tool choice yields a call to that tool.
    static func grammarBound(whenAuto content: String) -> ScriptedLLMServer.Turn {
        .dynamic { request in
            guard let forced = request.body["tool_choice"]?["function"]?["name"]?.stringValue else { return .answer(content) }
            let arguments = forced == "final_answer" ? #"{"answer":"prod1 has 10"}"# : #"{"product_id":"prod1"}"#
            return .body(["choices": [["message": ["role": "assistant", "content": .null, "tool_calls": [
                ["id": "call_7", "type": "function", "function": ["name": .string(forced), "arguments": .string(arguments)]],
            ]], "finish_reason": "tool_calls"]], "usage": ["prompt_tokens": 100, "completion_tokens": 10]])
        }
    }

    @Test func anEmptyReplyIsFollowedByTheSamePromptWithFinalAnswerForced() async throws {
        let llm = try ScriptedLLMServer([.any([Self.grammarBound(whenAuto: ""), Self.grammarBound(whenAuto: "")])])
        defer { llm.stop() }
        let response = try await scriptedClient(llm, compatibility: .llamaCpp)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(response.content == "prod1 has 10" && response.toolCalls.isEmpty)
        #expect(response.usage == TokenUsage(prompt: 200, completion: 20))  // both exchanges counted
        let requests = llm.requests
        #expect(requests.count == 2)
        // The same prompt (so the server can reuse what it has read), only the choice differs.
        #expect(requests[1].body["messages"] == requests[0].body["messages"])
        #expect(requests[1].body["tools"] == requests[0].body["tools"])
        #expect(requests[0].body["tool_choice"] == "auto")
        #expect(requests[1].body["tool_choice"] == ["type": "function", "function": ["name": "final_answer"]])
    }

    /// A caller that can do without the text (a sub-agent whose results are the answer) gets the
    /// empty reply as it is: one model call, not two.
    @Test func anEmptyReplyStandsWhenNoAnswerIsRequired() async throws {
        let llm = try ScriptedLLMServer([.any([Self.grammarBound(whenAuto: ""), Self.grammarBound(whenAuto: "")])])
        defer { llm.stop() }
        let response = try await scriptedClient(llm, compatibility: .llamaCpp)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool], answerRequired: false))
        #expect(response.content == "" && response.toolCalls.isEmpty)
        #expect(llm.requests.count == 1 && llm.requests.first?.body["tool_choice"] == "auto")
    }

    @Test func aBareFunctionNameIsFollowedByThatToolForced() async throws {
        let llm = try ScriptedLLMServer([.any([Self.grammarBound(whenAuto: "functions.check_stock:"),
                                               Self.grammarBound(whenAuto: "")])])
        defer { llm.stop() }
        let response = try await scriptedClient(llm, compatibility: .llamaCpp)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(response.toolCalls.map(\.name) == ["check_stock"] && response.toolCalls.first?.arguments == #"{"product_id":"prod1"}"#)
        #expect(llm.requests.last?.body["tool_choice"] == ["type": "function", "function": ["name": "check_stock"]])
        // Plain OpenAI: an empty reply is the reply; nothing is sent again.
        let plainServer = try ScriptedLLMServer([.any([Self.grammarBound(whenAuto: "")])])
        defer { plainServer.stop() }
        let plain = try await scriptedClient(plainServer).complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(plain.content == "" && plainServer.requests.count == 1)
    }

    /// That server shows the model only each tool's name and `parameters`, HTML-escapes message
    /// text, and every prompt token costs time. Strings keep a bounded `maxLength`: its grammar
    /// must close them, as it ignores `max_tokens` in tool arguments.
    @Test func toolSchemasAreCompactedAndCarryTheirDescription() throws {
        let tool = ToolDefinition(name: "update_stock", description: "Change a product's stock.", parameters: [
            "type": "object", "additionalProperties": false, "required": ["product_id", "delta"],
            "properties": ["product_id": ["type": "string", "description": "Product id.", "pattern": "^[a-z0-9]+$", "maxLength": 64,
                                          "examples": ["prod1"]],
                           "reason": ["type": "string", "minLength": 1, "maxLength": 2000],
                           "note": ["type": "string"],
                           "kind": ["type": "string", "enum": ["restock", "write-off"]],
                           "delta": ["type": "integer", "minimum": -1000, "maximum": 1000, "not": ["const": 0]],
                           "lines": ["type": "array", "maxItems": 3, "items": ["type": "object", "properties": [
                               "quantity": ["type": "integer", "minimum": 1]]]]],
        ])
        let sent = WireFormat(model: "m", compatibility: .llamaCpp).body(for: ChatRequest(messages: [.user("hi")], tools: [tool]))
        let parameters = try #require(sent["tools"]?.arrayValue?.first?["function"]?["parameters"])
        #expect(parameters.objectValue?.keys.first == "description")
        #expect(parameters["description"] == "Change a product's stock.")
        #expect(parameters["properties"] == ["product_id": ["type": "string", "description": "Product id.", "maxLength": 64],
                                             "reason": ["type": "string", "maxLength": 300], "note": ["type": "string", "maxLength": 300],
                                             "kind": ["type": "string", "enum": ["restock", "write-off"]],
                                             "delta": ["type": "integer"],
                                             "lines": ["type": "array", "items": ["type": "object", "properties": ["quantity": ["type": "integer"]]]]])
        #expect(parameters["additionalProperties"] == false && parameters["required"] == ["product_id", "delta"])
        // Plain OpenAI gets the schema as the server wrote it.
        let plain = WireFormat(model: "m").body(for: ChatRequest(messages: [.user("hi")], tools: [tool]))
        #expect(plain["tools"]?.arrayValue?.first?["function"]?["parameters"] == tool.parameters)
    }

    @Test func echoedToolCallArgumentsArePlainTextWhereTheServerEscapesHTML() {
        let messages: [ChatMessage] = [.user("go"), .assistant(content: "", toolCalls: [
            ToolCall(id: "call_1", name: "create_order", arguments: #"{"items":[{"product_id":"prod1","quantity":2}],"delivery_address":"1 <b> St"}"#),
        ])]
        let sent = WireFormat(model: "m", compatibility: .llamaCpp).body(for: ChatRequest(messages: messages))
        #expect(sent["messages"]?.arrayValue?.last?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]
            == "{items: [{product_id: prod1, quantity: 2}], delivery_address: 1 ‹b› St}")
        let plain = WireFormat(model: "m").body(for: ChatRequest(messages: messages))
        #expect(plain["messages"]?.arrayValue?.last?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]
            == #"{"items":[{"product_id":"prod1","quantity":2}],"delivery_address":"1 <b> St"}"#)
    }

    @Test func answerNowForcesTheFinalAnswerTool() {
        let body = WireFormat(model: "m", compatibility: .llamaCpp)
            .body(for: ChatRequest(messages: afterOneToolCall, tools: [checkStockTool], toolChoice: .none))
        // The tools stay as they were (the server can reuse the prompt it has read); the choice is forced.
        #expect(body["tools"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue } == ["check_stock", "final_answer"])
        #expect(body["tool_choice"] == ["type": "function", "function": ["name": "final_answer"]])
        let plain = WireFormat(model: "m").body(for: ChatRequest(messages: afterOneToolCall, tools: [checkStockTool], toolChoice: .none))
        #expect(plain["tool_choice"] == "none")
        #expect(plain["temperature"] == 0)
    }

    @Test func everyRequestHasATimeout() async throws {
        let llm = try ScriptedLLMServer([.any([.delay(.seconds(3), .answer("too late"))])])
        defer { llm.stop() }
        let client = try scriptedClient(llm, timeout: .milliseconds(400))
        // The answer comes after 3 s: only a timeout ends the call without it.
        do {
            _ = try await client.complete(ChatRequest(messages: [.user("hi")]))
            Issue.record("expected a timeout")
        } catch {
            guard case .timeout = error else { Issue.record("expected a timeout, got \(error)"); return }
            #expect("\(error)".contains("--llm-timeout"))
        }
    }

    @Test func assistantContentIsNeverNullAndLegacyFunctionCallIsIgnored() async throws {
        let legacy: JSONValue = ["choices": [["message": [
            "role": "assistant", "content": nil, "function_call": ["name": "check_stock", "arguments": "{}"],
        ], "finish_reason": "function_call"]]]
        let llm = try ScriptedLLMServer([.any([.body(legacy)])])
        defer { llm.stop() }
        let response = try await scriptedClient(llm).complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(response.content == "")
        #expect(response.toolCalls.isEmpty)
        let assistant = llm.requests[0].messages[2]
        #expect(assistant["content"] == "")  // not null
        #expect(assistant["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == #"{"product_id":"prod1"}"#)
    }
}

@Suite struct HTTPBehaviourTests {
    @Test func unauthorizedNamesTheKeySetting() async throws {
        let llm = try ScriptedLLMServer([.any([.status(401, body: #"{"error":{"message":"Incorrect API key provided"}}"#, headers: [:])])])
        defer { llm.stop() }
        do {
            _ = try await scriptedClient(llm, attempts: 3, keySetting: "DEEPSEEK_API_KEY").complete(ChatRequest(messages: [.user("hi")]))
            Issue.record("expected 401")
        } catch {
            #expect("\(error)".contains("Incorrect API key provided"))
            #expect("\(error)".contains("DEEPSEEK_API_KEY"))
        }
        #expect(llm.requests.count == 1)  // not retried
        #expect(llm.requests[0].headers["authorization"] == "Bearer sk-test")
    }

    @Test func notFoundNamesModelAndBaseURL() async throws {
        let llm = try ScriptedLLMServer([.any([.status(404, body: #"{"error":{"message":"model 'scripted' not found"}}"#, headers: [:])])])
        defer { llm.stop() }
        do {
            _ = try await scriptedClient(llm).complete(ChatRequest(messages: [.user("hi")]))
            Issue.record("expected 404")
        } catch {
            let text = "\(error)"
            #expect(text.contains("model 'scripted' not found") && text.contains("LLM_MODEL") && text.contains("OPENAI_BASE_URL"))
        }
    }

    @Test func rateLimitsAreRetriedAfterRetryAfter() async throws {
        let llm = try ScriptedLLMServer([.any([
            .status(429, body: #"{"error":{"message":"slow down"}}"#, headers: ["Retry-After": "1"]),
            .status(503, body: "busy", headers: [:]),
            .answer("ok"),
        ])])
        defer { llm.stop() }
        let response = try await scriptedClient(llm, attempts: 4).complete(ChatRequest(messages: [.user("hi")]))
        #expect(response.content == "ok")
        let requests = llm.requests
        #expect(requests.count == 3)
        let waited = requests[1].arrived - (requests[0].responded ?? requests[0].arrived)
        #expect(waited >= .milliseconds(950))
    }

    /// llama.cpp's server (`llama-server`, xllamacpp) with the bundled 1.5B model, as measured:
    /// it writes a tool call as fenced JSON in `content` (not parsed into `tool_calls`), refuses a
    /// named function as `tool_choice`, and writes what a `response_format` schema allows.
    static let llamaServer = ScriptedLLMServer.Turn.dynamic { request in
        if request.body["tool_choice"]?.objectValue != nil { return .status(400, body: #"{"error":{"message":"type must be string"}}"#, headers: [:]) }
        guard let schema = request.body["response_format"]?["json_schema"]?["schema"] else {
            return .answer("```json\n{\"name\": \"check_stock\", \"arguments\": {\"product_id\": \"Laptop\"}}\n```")
        }
        let allowed = (schema["anyOf"]?.arrayValue ?? [schema]).compactMap { $0["properties"]?["name"]?["const"]?.stringValue }
        if allowed == ["final_answer"] { return .answer("{\n  \"name\": \"final_answer\",\n  \"arguments\": {\"answer\": \"prod1 has 10\"}\n}") }
        return .answer("{\n  \"name\": \"check_stock\",\n  \"arguments\": {\n    \"product_id\": \"prod1\"\n  }\n}")
    }

    @Test func llamaServerRepliesAreHeldToAToolCallBySchema() async throws {
        let llm = try ScriptedLLMServer([.any([Self.llamaServer, Self.llamaServer, Self.llamaServer, Self.llamaServer])])
        defer { llm.stop() }
        let client = try scriptedClient(llm, compatibility: .llamaServer)
        let call = try await client.complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool], parallelToolCalls: false))
        #expect(call.toolCalls.map(\.name) == ["check_stock"])
        #expect(call.toolCalls.first?.arguments.contains("prod1") == true)
        let sent = llm.requests[0].body
        #expect(sent["tool_choice"] == "auto")
        let alternatives = sent["response_format"]?["json_schema"]?["schema"]?["anyOf"]?.arrayValue ?? []
        #expect(alternatives.compactMap { $0["properties"]?["name"]?["const"]?.stringValue } == ["check_stock", "final_answer"])
        #expect(alternatives.first?["properties"]?["arguments"]?["properties"]?["product_id"]?["maxLength"] == 300)
        // Tool results stay `role: "tool"` messages: its templates render them.
        #expect(llm.requests[0].messages.compactMap { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool"])

        // "Answer now" (no tool allowed): the schema allows only the final answer, which comes back as text.
        let answer = try await client.complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool], toolChoice: .none))
        #expect(answer.content == "prod1 has 10" && answer.toolCalls.isEmpty)
        #expect(llm.requests[1].body["tool_choice"] == "auto")

        // Parallel calls allowed: one call or a list of them.
        _ = try await client.complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool], parallelToolCalls: true))
        let either = llm.requests[2].body["response_format"]?["json_schema"]?["schema"]?["anyOf"]?.arrayValue ?? []
        #expect(either.count == 2 && either.last?["type"] == "array")

        // "A call, not the answer": `.required` leaves the final answer out.
        _ = try await client.complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool], toolChoice: .required,
                                                  parallelToolCalls: false))
        let required = llm.requests[3].body["response_format"]?["json_schema"]?["schema"]
        #expect(required?["properties"]?["name"]?["const"] == "check_stock")
    }

    /// A tool with a shorter schema for the prompt (a typed delegation's): the prompt shows that
    /// one, the grammar holds replies to the full one; a server without a grammar gets the full one.
    @Test func llamaServerShowsThePromptSchemaAndHoldsRepliesToTheFullOne() async throws {
        let tool = ToolDefinition(name: "orders", description: "Orders agent.",
                                  parameters: ["type": "object", "anyOf": [["properties": ["tool": ["const": "get_order"]]]]],
                                  promptParameters: ["type": "object", "properties": ["tool": ["type": "string"]]])
        let llm = try ScriptedLLMServer([.any([Self.llamaServer, .answer("ok")])])
        defer { llm.stop() }
        _ = try await scriptedClient(llm, compatibility: .llamaServer)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [tool], parallelToolCalls: false))
        let shown = llm.requests[0].body["tools"]?.arrayValue?.first?["function"]?["parameters"]
        #expect(shown?["anyOf"] == nil && shown?["properties"]?["tool"]?["type"] == "string")
        let held = llm.requests[0].body["response_format"]?["json_schema"]?["schema"]?["anyOf"]?.arrayValue?.first?["properties"]?["arguments"]
        #expect(held?["anyOf"]?.arrayValue?.first?["properties"]?["tool"]?["const"] == "get_order")
        _ = try await scriptedClient(llm, compatibility: .openAI).complete(ChatRequest(messages: afterOneToolCall, tools: [tool]))
        #expect(llm.requests[1].body["tools"]?.arrayValue?.first?["function"]?["parameters"]?["anyOf"] != nil)
    }

    /// A known plan (`ToolChoice.sequence`): exactly these calls in this order, each held to its
    /// narrower shape; a server without a grammar is asked for calls.
    @Test func aSequenceIsHeldToItsCallsInOrder() async throws {
        let create = ToolDefinition(name: "orders", description: "", parameters: ["type": "object", "properties": ["tool": ["const": "create_order"]]])
        let ship = ToolDefinition(name: "delivery", description: "", parameters: ["type": "object", "properties": ["tool": ["const": "update_delivery_status"]]])
        let llm = try ScriptedLLMServer([.any([
            .answer(#"[{"name": "orders", "arguments": {"tool": "create_order"}}, {"name": "delivery", "arguments": {"tool": "update_delivery_status"}}]"#),
            .answer("ok"),
        ])])
        defer { llm.stop() }
        let reply = try await scriptedClient(llm, compatibility: .llamaServer)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [create, ship], toolChoice: .sequence([create, ship])))
        #expect(reply.toolCalls.map(\.name) == ["orders", "delivery"])
        let schema = llm.requests[0].body["response_format"]?["json_schema"]?["schema"]
        #expect(schema?["type"] == "array" && schema?["items"] == nil && schema?["minItems"] == 2 && schema?["maxItems"] == 2)
        #expect(schema?["prefixItems"]?.arrayValue?.compactMap { $0["properties"]?["name"]?["const"]?.stringValue } == ["orders", "delivery"])
        #expect(schema?["prefixItems"]?.arrayValue?.last?["properties"]?["arguments"]?["properties"]?["tool"]?["const"] == "update_delivery_status")
        _ = try await scriptedClient(llm, compatibility: .openAI)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [create, ship], toolChoice: .sequence([create, ship])))
        #expect(llm.requests[1].body["tool_choice"] == "required" && llm.requests[1].body["response_format"] == nil)
    }

    /// The grammar keeps integers' bounds (a small manager sent `limit: 0`); the prompt leaves them out.
    @Test func llamaServerGrammarsKeepIntegerBounds() async throws {
        let tool = ToolDefinition(name: "list_products", description: "",
                                  parameters: ["type": "object", "properties": ["limit": ["type": "integer", "minimum": 1, "maximum": 500]]])
        let llm = try ScriptedLLMServer([.any([.answer("{\"name\": \"list_products\", \"arguments\": {\"limit\": 5}}")])])
        defer { llm.stop() }
        _ = try await scriptedClient(llm, compatibility: .llamaServer)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [tool], parallelToolCalls: false))
        let body = llm.requests[0].body
        let held = body["response_format"]?["json_schema"]?["schema"]?["anyOf"]?.arrayValue?.first?["properties"]?["arguments"]
        #expect(held?["properties"]?["limit"]?["minimum"] == 1 && held?["properties"]?["limit"]?["maximum"] == 500)
        #expect(body["tools"]?.arrayValue?.first?["function"]?["parameters"]?["properties"]?["limit"]?["minimum"] == nil)
    }

    @Test func connectionErrorsAreRetriedThenReported() async throws {
        // Port 1: nothing listens there, and it is outside the range the system hands out to
        // other tests' servers (a freed ephemeral port could be reused by one while we retry).
        let url = try #require(URL(string: "http://127.0.0.1:1/v1"))
        let client = ChatClient(endpoint: LLMEndpoint(baseURL: url, model: "scripted", apiKey: "sk-test", keySetting: "OPENAI_API_KEY"),
                                options: ChatClientOptions(requestTimeout: .seconds(10),
                                                           retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(20))))
        do {
            _ = try await client.complete(ChatRequest(messages: [.user("hi")]))
            Issue.record("expected a connection error")
        } catch {
            // Retried once, then reported with the number of attempts.
            guard case .attemptsExhausted(.connection, 2) = error else {
                Issue.record("expected .connection after 2 attempts, got \(error)")
                return
            }
            #expect("\(error)".contains("cannot reach the LLM endpoint"))
            #expect("\(error)".hasSuffix("(gave up after 2 attempts, --llm-attempts)"))
        }
    }

    @Test func tokenUsageIsRecorded() async throws {
        let llm = try ScriptedLLMServer([.any([.answer("hi")])])
        defer { llm.stop() }
        let response = try await scriptedClient(llm).complete(ChatRequest(messages: [.user("hi")]))
        #expect(response.usage == TokenUsage(prompt: 100, completion: 10))
    }
}
