import JSON

/// One tool call as the model wrote it. `arguments` stays the raw JSON text: a model may write
/// invalid JSON, and the agent reports that back to it instead of guessing.
public struct ToolCall: Sendable, Hashable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// A message of a chat-completions conversation.
public enum ChatMessage: Sendable, Hashable {
    case system(String)
    case user(String)
    case assistant(content: String, toolCalls: [ToolCall])
    /// The result of the tool call `callID`; `name` is the tool's, for servers that render it.
    case tool(callID: String, name: String, content: String)
}

/// A function the model may call: its name, what it does, and a JSON Schema for its arguments.
public struct ToolDefinition: Sendable, Hashable {
    public var name: String
    public var description: String
    public var parameters: JSONValue
    /// A shorter schema for the prompt, where the server holds replies to `parameters` by a grammar
    /// (`Compatibility.toolCallSchema`): the model need not read what the grammar enforces, and a
    /// small model's context is short (nil: `parameters`).
    public var promptParameters: JSONValue?

    public init(name: String, description: String, parameters: JSONValue, promptParameters: JSONValue? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.promptParameters = promptParameters
    }
}

/// `tool_choice`: let the model decide, forbid tools, require one, or force a named one.
public enum ToolChoice: Sendable, Hashable {
    case auto
    case none
    case required
    case function(String)
    /// Exactly these calls, in this order, each held to its definition (a narrower shape of one of
    /// the request's tools: some arguments fixed): a plan whose steps are known. A server that
    /// holds replies to a schema holds the reply to it; elsewhere it is sent as `required`.
    case sequence([ToolDefinition])
}

/// One chat-completions request, independent of the wire format.
public struct ChatRequest: Sendable {
    public var messages: [ChatMessage]
    public var tools: [ToolDefinition]
    public var toolChoice: ToolChoice
    /// Whether the model may return several tool calls in one message.
    public var parallelToolCalls: Bool
    /// False when the caller can do without the text of an answer: on a server that can only
    /// answer through `final_answer`, an empty reply is then returned as it is, not asked again
    /// with the tool forced (one model call less).
    public var answerRequired: Bool

    public init(messages: [ChatMessage], tools: [ToolDefinition] = [], toolChoice: ToolChoice = .auto,
                parallelToolCalls: Bool = true, answerRequired: Bool = true) {
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.answerRequired = answerRequired
    }
}

/// Token counts of one call, when the API reports them.
public struct TokenUsage: Sendable, Hashable {
    public var prompt: Int
    public var completion: Int
    public var total: Int { prompt + completion }

    public init(prompt: Int = 0, completion: Int = 0) {
        self.prompt = prompt
        self.completion = completion
    }

    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        TokenUsage(prompt: lhs.prompt + rhs.prompt, completion: lhs.completion + rhs.completion)
    }

    public var json: JSONValue {
        ["prompt_tokens": .int(Int64(prompt)), "completion_tokens": .int(Int64(completion)), "total_tokens": .int(Int64(total))]
    }
}

/// The model's reply: text, tool calls, or both.
public struct ChatResponse: Sendable {
    public var content: String
    public var toolCalls: [ToolCall]
    public var finishReason: String?
    public var usage: TokenUsage?
    /// True when the tool calls were recovered from JSON text in `content`.
    public var toolCallsFromText: Bool

    public init(content: String, toolCalls: [ToolCall], finishReason: String? = nil, usage: TokenUsage? = nil,
                toolCallsFromText: Bool = false) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
        self.toolCallsFromText = toolCallsFromText
    }

    /// The reply as it goes back into the conversation.
    public var message: ChatMessage { .assistant(content: content, toolCalls: toolCalls) }
}

/// Anything that answers chat-completions requests: the HTTP client, or a stand-in in tests.
public protocol ChatCompleting: Sendable {
    func complete(_ request: ChatRequest) async throws(LLMError) -> ChatResponse
}
