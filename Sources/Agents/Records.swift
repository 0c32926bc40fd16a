import JSON
import LLMClient

/// How an agent (or the whole run) ended.
public enum RunStatus: String, Sendable {
    /// It gave its final answer within its limits.
    case completed
    /// It hit a limit (steps, malformed calls) and answered with what it had.
    case incomplete
    /// A fatal error: the model or the tool server failed.
    case failed
}

/// One tool call of one step, with its result.
public struct ToolCallRecord: Sendable {
    public var id: String
    public var name: String
    /// The arguments as parsed, or the raw text when they were not JSON.
    public var arguments: JSONValue
    public var isError: Bool
    public var result: JSONValue
    public var durationMs: Int
    /// Refused by the host as malformed or a repeat, before reaching the tool (bad JSON, unknown
    /// tool, schema violation, an identical call).
    public var rejected: Bool
    /// The policy that refused, held or rewrote the call (nil: none).
    public var policy: String?
    /// Not made: the same write already succeeded for this request, in another agent.
    public var alreadyDone = false

    public var json: JSONValue {
        var out: JSONObject = ["id": .string(id), "name": .string(name), "arguments": arguments, "is_error": .bool(isError),
                               "result": result, "duration_ms": .int(Int64(durationMs))]
        if rejected { out["rejected_by_host"] = true }
        if let policy { out["policy"] = .string(policy) }
        if alreadyDone { out["already_done"] = true }
        return .object(out)
    }
}

/// One model call of an agent and the tool calls it asked for.
public struct StepRecord: Sendable {
    public var step: Int
    public var content: String
    public var toolCalls: [ToolCallRecord]
    public var usage: TokenUsage?
    public var durationMs: Int
    /// True for the extra call that asks for a final answer after a limit.
    public var finalAnswerRequest: Bool
    /// False for a sub-agent's first step when the host made the manager's call (no model call).
    public var byModel: Bool = true

    public var json: JSONValue {
        var out: JSONObject = ["step": .int(Int64(step)), "duration_ms": .int(Int64(durationMs)), "content": .string(content),
                               "tool_calls": .array(toolCalls.map(\.json))]
        if let usage { out["usage"] = usage.json }
        if finalAnswerRequest { out["final_answer_request"] = true }
        if !byModel { out["made_by"] = "host: the manager's call" }
        return .object(out)
    }
}

/// Everything one agent did.
public struct AgentRecord: Sendable {
    public var id: String
    public var role: String
    public var task: String
    public var status: RunStatus
    public var answer: String
    public var steps: [StepRecord]
    public var note: String?
    public var durationMs: Int

    public var usage: TokenUsage { steps.compactMap(\.usage).reduce(TokenUsage(), +) }

    /// The results of the tool calls that reached the tool (for the manager and the report).
    public var toolResults: [ToolCallRecord] { steps.flatMap(\.toolCalls).filter { !$0.rejected } }

    public var json: JSONValue {
        var out: JSONObject = ["id": .string(id), "role": .string(role), "task": .string(task), "status": .string(status.rawValue),
                               "answer": .string(answer), "duration_ms": .int(Int64(durationMs)), "usage": usage.json,
                               "steps": .array(steps.map(\.json))]
        if let note { out["note"] = .string(note) }
        return .object(out)
    }
}

/// The machine-readable report of a run (`--json`).
public struct RunReport: Sendable {
    public var instruction: String
    public var status: RunStatus
    public var finalAnswer: String
    public var error: String?
    /// The manager first, then the sub-agents in the order they finished.
    public var agents: [AgentRecord]
    public var wallTimeMs: Int
    public var model: String?
    /// The writes that succeeded, in order (the `Changes:` line's).
    public var writes: [Write] = []

    public var usage: TokenUsage { agents.map(\.usage).reduce(TokenUsage(), +) }

    /// 0 completed, 1 failed, 2 incomplete (a limit was reached).
    public var exitCode: Int32 {
        switch status {
        case .completed: 0
        case .failed: 1
        case .incomplete: 2
        }
    }

    public var json: JSONValue {
        var out: JSONObject = ["status": .string(status.rawValue), "final_answer": .string(finalAnswer)]
        if let error { out["error"] = .string(error) }
        out["instruction"] = .string(instruction)
        if let model { out["model"] = .string(model) }
        out["wall_time_ms"] = .int(Int64(wallTimeMs))
        out["tokens"] = usage.json
        out["agents"] = .array(agents.map(\.json))
        return .object(out)
    }
}
