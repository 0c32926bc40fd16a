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
        return .answer(visible.contains(#"Result of check_stock (call_1): {"product_id":"prod1","stock":10}"#)
                       ? "prod1 has 10" : "I did not see any result")
    }

    @Test func toolResultsAreAlsoPassedAsAUserMessage() async throws {
        let llm = try ScriptedLLMServer([.any([Self.dropsToolMessages, Self.dropsToolMessages])])
        defer { llm.stop() }
        let plain = try await scriptedClient(llm).complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(plain.content == "I did not see any result")
        let compatible = try await scriptedClient(llm, compatibility: .llamaCpp)
            .complete(ChatRequest(messages: afterOneToolCall, tools: [checkStockTool]))
        #expect(compatible.content == "prod1 has 10")
        // The tool message is still sent, with its id, before the user copy.
        let roles = llm.requests[1].messages.compactMap { $0["role"]?.stringValue }
        #expect(roles == ["system", "user", "assistant", "tool", "user"])
        #expect(llm.requests[1].messages[3]["tool_call_id"] == "call_1")
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

    @Test func answerNowForcesTheFinalAnswerTool() {
        let body = WireFormat(model: "m", compatibility: .llamaCpp)
            .body(for: ChatRequest(messages: afterOneToolCall, tools: [checkStockTool], toolChoice: .none))
        #expect(body["tools"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue } == ["final_answer"])
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
