/// Work-arounds for servers that only partly follow the OpenAI API. The default is plain OpenAI;
/// everything here is applied by `WireFormat`, the one place that knows about server quirks.
///
/// Always on, because they are harmless with OpenAI too: assistant messages are echoed back with
/// `content: ""` (never `null`), a legacy `function_call` in a response is ignored, and tool calls
/// written as JSON text in `content` (bare, in a fenced block or in `<tool_call>` tags) are read
/// as tool calls when they name an offered tool.
public struct Compatibility: Sendable, Hashable {
    /// Pass each batch of tool results as one user message ("Result of check_stock: {…}") instead
    /// of `role: "tool"` messages, for servers whose chat template drops their content (and
    /// leaves an empty, unterminated turn in the prompt). The calls' order says which is which.
    public var toolResultsAsUserMessages: Bool
    /// Offer a `final_answer(answer)` tool and turn a call to it into a plain text answer, for
    /// servers that cannot produce free text while tools are offered.
    public var finalAnswerTool: Bool
    /// Send `parallel_tool_calls` (some servers reject the field).
    public var sendParallelToolCalls: Bool
    /// Put each tool's description inside its `parameters` schema (as the schema's own
    /// `description`), for servers whose prompt template shows the model only the parameters.
    public var describeToolsInParameters: Bool
    /// Send the model schemas without their validation keywords (patterns, length and range
    /// bounds): every prompt token costs time on a small local model, and the host checks every
    /// call against the full schema before sending it anyway.
    public var compactSchemas: Bool
    /// The server's prompt template HTML-escapes message text (`"` becomes `&#34;`), so JSON in
    /// messages is sent as `PlainText` instead: tool results (by the agents) and the arguments of
    /// earlier tool calls echoed back (here).
    public var plainTextData: Bool
    /// Sent as `stop` and `max_tokens` with every request, for servers that ignore `max_tokens`
    /// while writing tool arguments: a small model can otherwise write one argument until the
    /// context is full, and such a server goes on generating after the client has timed out.
    public var stop: [String]
    public var maxTokens: Int?
    /// With `compactSchemas`: every string the model writes gets this `maxLength` (or its own, if
    /// smaller). A server that turns schemas into a grammar then has to close the string: the one
    /// bound on a runaway argument where `max_tokens` is ignored.
    public var maxStringLength: Int?
    /// Ask for every reply as JSON that is one call of an offered tool (`response_format` with a
    /// JSON schema: `{"name": <tool>, "arguments": <its parameters>}`, or a list of such calls), for
    /// servers that turn a schema into a grammar but do not parse a small model's tool calls. The
    /// reply is read back as tool calls; with `finalAnswerTool` the answer is one of them. The
    /// model can then only write a call the schema allows, and `tool_choice` is carried by the
    /// schema (such a server runs away on `"required"` and refuses a named function).
    public var toolCallSchema: Bool

    public init(toolResultsAsUserMessages: Bool = false, finalAnswerTool: Bool = false, sendParallelToolCalls: Bool = true,
                describeToolsInParameters: Bool = false, compactSchemas: Bool = false, plainTextData: Bool = false,
                stop: [String] = [], maxTokens: Int? = nil, maxStringLength: Int? = nil, toolCallSchema: Bool = false) {
        self.toolResultsAsUserMessages = toolResultsAsUserMessages
        self.finalAnswerTool = finalAnswerTool
        self.sendParallelToolCalls = sendParallelToolCalls
        self.describeToolsInParameters = describeToolsInParameters
        self.compactSchemas = compactSchemas
        self.plainTextData = plainTextData
        self.stop = stop
        self.maxTokens = maxTokens
        self.maxStringLength = maxStringLength
        self.toolCallSchema = toolCallSchema
    }

    /// Plain OpenAI chat completions.
    public static let openAI = Compatibility()

    /// llama-cpp-python's server with `--chat_format chatml-function-calling` (small local models).
    public static let llamaCpp = Compatibility(toolResultsAsUserMessages: true, finalAnswerTool: true,
                                               sendParallelToolCalls: false, describeToolsInParameters: true,
                                               compactSchemas: true, plainTextData: true,
                                               // Its tool arguments are one line of JSON: a newline ends a runaway.
                                               stop: ["\n"], maxTokens: 512, maxStringLength: 300)

    /// llama.cpp's own server (`llama-server`, or the `xllamacpp` wheel that embeds it) with a
    /// model whose tool calls it does not parse (the bundled Qwen2.5-Coder-1.5B writes them as
    /// fenced JSON): every reply is constrained to a tool call by a JSON schema. Tool results
    /// stay `role: "tool"` messages (its Jinja templates render them) and text is not escaped.
    public static let llamaServer = Compatibility(finalAnswerTool: true, sendParallelToolCalls: false,
                                                  compactSchemas: true, maxTokens: 512, maxStringLength: 300,
                                                  toolCallSchema: true)

    /// Named presets for `--compat`.
    public static let presets: [String: Compatibility] = ["openai": .openAI, "llama-cpp": .llamaCpp,
                                                          "llama-server": .llamaServer]

    /// The name of the tool that carries the final answer when `finalAnswerTool` is on.
    public static let finalAnswerToolName = "final_answer"
}
