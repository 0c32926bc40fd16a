import JSON
import Synchronization

/// The records of every agent of a run, added as each one finishes (sub-agents run concurrently).
final class RunLog: Sendable {
    private let records = Mutex<[AgentRecord]>([])
    func add(_ record: AgentRecord) { records.withLock { $0.append(record) } }
    var all: [AgentRecord] { records.withLock { $0 } }
}

/// The writes made for one instruction (one manager run), across all its agents: a write
/// identical to one that already succeeded (or is under way) is not made again. A weak model sometimes delegates the same job
/// twice, and the second agent would place the same order again.
final class WriteLedger: Sendable {
    struct Done: Sendable {
        let agent: String
        let result: JSONValue
    }

    private enum Entry: Sendable {
        case inFlight(agent: String)
        case done(Done)
    }

    private struct Key: Hashable, Sendable {
        let tool: String
        let arguments: String
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let completed = Mutex<[(tool: String, result: JSONValue)]>([])

    /// The writes that succeeded so far, in order (the answer's "Changes:" line).
    var done: [(tool: String, result: JSONValue)] { completed.withLock { $0 } }

    enum Claim {
        case claimed
        case inFlight(agent: String)
        case done(Done)
    }

    /// Claims the write for `agent`, unless it is already done or under way.
    func claim(_ tool: String, _ arguments: JSONValue, agent: String) -> Claim {
        let key = Key(tool: tool, arguments: JSONWriter.string(arguments))
        return entries.withLock { entries in
            switch entries[key] {
            case .inFlight(let owner)?: return .inFlight(agent: owner)
            case .done(let done)?: return .done(done)
            case nil:
                entries[key] = .inFlight(agent: agent)
                return .claimed
            }
        }
    }

    /// Ends a claim: a success is remembered; a failure frees the write for another try.
    func finish(_ tool: String, _ arguments: JSONValue, agent: String, result: JSONValue?) {
        let key = Key(tool: tool, arguments: JSONWriter.string(arguments))
        entries.withLock { entries in
            entries[key] = result.map { .done(Done(agent: agent, result: $0)) }
        }
        if let result { completed.withLock { $0.append((tool, result)) } }
    }
}
