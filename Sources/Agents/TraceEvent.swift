import JSON
import LLMClient

/// One thing that happened during a run, in the order it happened. The same events feed the
/// live trace on stderr and the JSON-lines file of `--trace`.
public struct TraceEvent: Sendable {
    public enum Kind: String, Sendable {
        case runStarted = "run_started"
        case agentStarted = "agent_started"
        /// A model call returned (`step`, duration, tokens, how many tool calls).
        case modelReplied = "model_replied"
        /// A message's calls, which run in order (a small manager's plan).
        case plan
        case toolCall = "tool_call"
        case toolResult = "tool_result"
        case agentFinished = "agent_finished"
        case retry
        case warning
        case error
        case runFinished = "run_finished"
    }

    public var kind: Kind
    /// Seconds since the run started.
    public var time: Double
    public var agent: String
    public var step: Int?
    public var tool: String?
    public var callID: String?
    public var arguments: JSONValue?
    public var result: JSONValue?
    public var isError: Bool?
    public var durationMs: Int?
    public var usage: TokenUsage?
    public var message: String?
    /// The policy behind a refusal, rewrite, hold or stop (see `AgentPolicy`).
    public var policy: String?

    public init(kind: Kind, time: Double = 0, agent: String, step: Int? = nil, tool: String? = nil, callID: String? = nil,
                arguments: JSONValue? = nil, result: JSONValue? = nil, isError: Bool? = nil, durationMs: Int? = nil,
                usage: TokenUsage? = nil, message: String? = nil, policy: String? = nil) {
        self.kind = kind
        self.time = time
        self.agent = agent
        self.step = step
        self.tool = tool
        self.callID = callID
        self.arguments = arguments
        self.result = result
        self.isError = isError
        self.durationMs = durationMs
        self.usage = usage
        self.message = message
        self.policy = policy
    }

    public var json: JSONValue {
        var out: JSONObject = ["event": .string(kind.rawValue), "t": .double((time * 1000).rounded() / 1000),
                               "agent": .string(agent)]
        if let step { out["step"] = .int(Int64(step)) }
        if let tool { out["tool"] = .string(tool) }
        if let callID { out["call_id"] = .string(callID) }
        if let arguments { out["arguments"] = arguments }
        if let result { out["result"] = result }
        if let isError { out["is_error"] = .bool(isError) }
        if let durationMs { out["duration_ms"] = .int(Int64(durationMs)) }
        if let usage { out["usage"] = usage.json }
        if let message { out["message"] = .string(message) }
        if let policy { out["policy"] = .string(policy) }
        return .object(out)
    }
}
