import JSON
import LLMClient

/// What a tool call produced: the text the model reads, and the value kept for the report.
public struct ToolOutcome: Sendable {
    public var isError: Bool
    /// Sent back to the model as the tool message.
    public var content: String
    /// The structured result (or the error text) for the trace and the run report.
    public var record: JSONValue
    /// Not made: the same write already succeeded for this request (see `WriteLedger`); `record`
    /// is that one's result.
    public var alreadyDone: Bool

    public init(isError: Bool, content: String, record: JSONValue, alreadyDone: Bool = false) {
        self.isError = isError
        self.content = content
        self.record = record
        self.alreadyDone = alreadyDone
    }

    public static func error(_ text: String) -> ToolOutcome {
        ToolOutcome(isError: true, content: text, record: .string(text))
    }
}

/// A tool an agent may call. Arguments arrive already checked by the agent's policies.
public protocol AgentTool: Sendable {
    var definition: ToolDefinition { get }
    /// It changes nothing (a lookup): policies on writes pass it by.
    var readOnly: Bool { get }
    func call(_ arguments: JSONValue, caller: String) async throws(AgentFailure) -> ToolOutcome
}
