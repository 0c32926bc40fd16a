import JSON
import LLMClient
import Synchronization

/// One of the manager's tools: `inventory(tool, task)`, `orders(tool, task)`, `delivery(tool, task)`.
/// A call runs a fresh sub-agent loop on the task, starting with the named tool, and returns its
/// answer with the results of its tool calls, so the manager does not have to ask again.
///
/// Why the manager names the first tool: a small model, given only a task, often answered it
/// without calling any tool (inventing "prod1 has 10 units in stock"); with the tool forced, its
/// first call is one of its tools, and its arguments follow that tool's schema.
struct DelegateTool: AgentTool {
    let role: AgentRole
    let makeAgent: @Sendable (AgentRole) -> AgentLoop
    let data: UntrustedData

    var definition: ToolDefinition {
        ToolDefinition(
            name: role.rawValue, description: role.delegateDescription + " Returns its answer and tool results.",
            parameters: ["type": "object",
                         "properties": [
                             "tool": ["type": "string", "enum": .array(role.toolNames.map { .string($0) }),
                                      "description": "The tool the agent starts with."],
                             "task": ["type": "string", "minLength": 1,
                                      "description": .string("What the \(role.rawValue) agent must do, with exact ids, quantities and addresses.")],
                         ],
                         "required": ["tool", "task"], "additionalProperties": false])
    }

    func call(_ arguments: JSONValue, caller: String) async throws(AgentFailure) -> ToolOutcome {
        let task = arguments["task"]?.stringValue ?? ""
        let record = try await makeAgent(role).run(task: task, firstTool: arguments["tool"]?.stringValue)
        return ToolOutcome(isError: record.status != .completed, content: data.wrap(Self.report(record, brief: true)),
                           record: Self.report(record))
    }

    /// Characters of one tool result the manager reads whole; of a longer one (a long list, say)
    /// only its own fields, and the sub-agent's answer is the summary.
    static let resultLimit = 600

    /// A result as the manager needs it: whole when it is short (an order with its lines, to
    /// answer "what is in it"); otherwise an order's or a product's own fields (id, status,
    /// stock, total…) without its lists.
    static func brief(_ result: JSONValue) -> JSONValue {
        let size = JSONWriter.string(result).utf8.count
        if size <= resultLimit { return result }
        if case .object(let object) = result {
            var scalars = JSONObject()
            for (key, value) in object {
                switch value {
                case .object, .array: continue
                default: scalars[key] = value
                }
            }
            if !scalars.isEmpty { return .object(scalars) }
        }
        return .string("(\(size) characters, left out: see the answer)")
    }

    /// What the manager reads: status, answer, and each tool call's result or error.
    /// `brief`: results as the manager reads them (`brief(_:)`); otherwise whole, for the report.
    static func report(_ record: AgentRecord, brief: Bool = false) -> JSONValue {
        let results: [JSONValue] = record.toolResults.map { call in
            var entry: JSONObject = ["tool": .string(call.name), "ok": .bool(!call.isError)]
            if call.isError {
                entry["arguments"] = call.arguments
                entry["error"] = call.result
            } else {
                entry["result"] = brief ? Self.brief(call.result) : call.result
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
