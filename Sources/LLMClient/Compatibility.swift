/// Work-arounds for servers that only partly follow the OpenAI API. The default is plain OpenAI;
/// everything here is applied by `WireFormat`, the one place that knows about server quirks.
///
/// Always on, because they are harmless with OpenAI too: assistant messages are echoed back with
/// `content: ""` (never `null`), a legacy `function_call` in a response is ignored, and tool calls
/// written as JSON text in `content` (bare, in a fenced block or in `<tool_call>` tags) are read
/// as tool calls when they name an offered tool.
public struct Compatibility: Sendable, Hashable {
    /// Also pass each batch of tool results as a user message ("Result of check_stock (call_1):
    /// {…}"), for servers whose chat template drops `role: "tool"` messages.
    public var toolResultsAsUserMessages: Bool
    /// Offer a `final_answer(answer)` tool and turn a call to it into a plain text answer, for
    /// servers that cannot produce free text while tools are offered.
    public var finalAnswerTool: Bool
    /// Send `parallel_tool_calls` (some servers reject the field).
    public var sendParallelToolCalls: Bool

    public init(toolResultsAsUserMessages: Bool = false, finalAnswerTool: Bool = false, sendParallelToolCalls: Bool = true) {
        self.toolResultsAsUserMessages = toolResultsAsUserMessages
        self.finalAnswerTool = finalAnswerTool
        self.sendParallelToolCalls = sendParallelToolCalls
    }

    /// Plain OpenAI chat completions.
    public static let openAI = Compatibility()

    /// llama-cpp-python's server with `--chat_format chatml-function-calling` (small local models).
    public static let llamaCpp = Compatibility(toolResultsAsUserMessages: true, finalAnswerTool: true,
                                               sendParallelToolCalls: false)

    /// Named presets for `--compat`.
    public static let presets: [String: Compatibility] = ["openai": .openAI, "llama-cpp": .llamaCpp]

    /// The name of the tool that carries the final answer when `finalAnswerTool` is on.
    public static let finalAnswerToolName = "final_answer"
}
