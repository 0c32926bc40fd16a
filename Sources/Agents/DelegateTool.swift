import JSON
import LLMClient
import Synchronization

/// One of the manager's tools: `inventory(task)`, `orders(task)`, `delivery(task)`. A call runs
/// a fresh sub-agent loop on the task and returns its answer with the results of its tool calls,
/// so the manager does not have to ask again.
struct DelegateTool: AgentTool {
    let role: AgentRole
    let makeAgent: @Sendable (AgentRole) -> AgentLoop
    let data: UntrustedData

    var definition: ToolDefinition {
        ToolDefinition(
            name: role.rawValue, description: role.delegateDescription + " Returns its answer and tool results.",
            parameters: ["type": "object",
                         "properties": ["task": ["type": "string", "minLength": 1,
                                                 "description": .string("What the \(role.rawValue) agent must do, with exact ids, quantities and addresses.")]],
                         "required": ["task"], "additionalProperties": false])
    }

    func call(_ arguments: JSONValue, caller: String) async throws(AgentFailure) -> ToolOutcome {
        let task = arguments["task"]?.stringValue ?? ""
        let record = try await makeAgent(role).run(task: task)
        let report = Self.report(record)
        return ToolOutcome(isError: record.status != .completed, content: data.wrap(report), record: report)
    }

    /// What the manager reads: status, answer, and each tool call's result or error.
    static func report(_ record: AgentRecord) -> JSONValue {
        let results: [JSONValue] = record.toolResults.map { call in
            var entry: JSONObject = ["tool": .string(call.name), "ok": .bool(!call.isError)]
            if call.isError {
                entry["arguments"] = call.arguments
                entry["error"] = call.result
            } else {
                entry["result"] = call.result
            }
            return .object(entry)
        }
        var out: JSONObject = ["agent": .string(record.id), "status": .string(record.status.rawValue),
                               "answer": .string(record.answer), "results": .array(results)]
        if let note = record.note { out["note"] = .string(note) }
        return .object(out)
    }
}

/// Numbers the sub-agent runs per role: orders#1, orders#2, …
final class AgentCounter: Sendable {
    private let counts = Mutex<[AgentRole: Int]>([:])
    func next(_ role: AgentRole) -> Int {
        counts.withLock { counts in
            counts[role, default: 0] += 1
            return counts[role, default: 1]
        }
    }
}
