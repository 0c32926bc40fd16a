import TestSupport
import Foundation
import LLMClient

/// A ChatClient pointed at a scripted server.
func scriptedClient(_ llm: ScriptedLLMServer, compatibility: Compatibility = .openAI, timeout: Duration = .seconds(10),
                    attempts: Int = 1, keySetting: String = "OPENAI_API_KEY",
                    maxResponseBytes: Int = ChatClientOptions.defaultMaxResponseBytes,
                    transport: any HTTPTransport = StandardTransport()) throws -> ChatClient {
    guard let url = URL(string: llm.baseURL) else { throw TestFailure("bad URL") }
    return ChatClient(endpoint: LLMEndpoint(baseURL: url, model: "scripted", apiKey: "sk-test", keySetting: keySetting),
                      options: ChatClientOptions(requestTimeout: timeout,
                                                 retry: RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(20)),
                                                 compatibility: compatibility, maxResponseBytes: maxResponseBytes),
                      transport: transport)
}

let checkStockTool = ToolDefinition(name: "check_stock", description: "Look up one product.",
                                    parameters: ["type": "object", "properties": ["product_id": ["type": "string"]],
                                                 "required": ["product_id"]])

/// A conversation after one check_stock call and its result.
let afterOneToolCall: [ChatMessage] = [
    .system("You are the inventory agent."),
    .user("Check prod1."),
    .assistant(content: "", toolCalls: [ToolCall(id: "call_1", name: "check_stock", arguments: #"{"product_id":"prod1"}"#)]),
    .tool(callID: "call_1", name: "check_stock", content: #"{"product_id":"prod1","stock":10}"#),
]
