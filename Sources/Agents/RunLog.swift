import JSON
import Synchronization

/// The records of every agent of a run, added as each one finishes (sub-agents run concurrently).
final class RunLog: Sendable {
    private let records = Mutex<[AgentRecord]>([])
    func add(_ record: AgentRecord) { records.withLock { $0.append(record) } }
    var all: [AgentRecord] { records.withLock { $0 } }
}

/// A write that succeeded: the tool and its result.
public struct Write: Sendable {
    public let tool: String
    public let result: JSONValue
}

/// Whether an instruction is done, given its successful writes (see `HostRun.run(instructions:…)`).
public typealias RunGoal = @Sendable ([Write]) -> Bool

/// The writes made for one instruction (one manager run), across all its agents: a write
/// identical to one that already succeeded (or is under way) is not made again. A weak model
/// sometimes delegates the same job twice, and the second agent would place the same order again.
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

        init(_ tool: String, _ arguments: JSONValue) {
            self.tool = tool
            self.arguments = JSONWriter.string(arguments)
        }
    }

    private struct State: Sendable {
        var entries: [Key: Entry] = [:]
        /// The successes in order, for the answer's "Changes:" line.
        var done: [Write] = []
    }

    private let state = Mutex(State())

    /// The writes that succeeded so far, in order.
    var done: [Write] { state.withLock { $0.done } }
    /// How many writes succeeded so far (without copying them).
    var count: Int { state.withLock { $0.done.count } }

    enum Claim {
        case claimed
        case inFlight(agent: String)
        case done(Done)
    }

    /// Claims the write for `agent`, unless it is already done or under way.
    func claim(_ tool: String, _ arguments: JSONValue, agent: String) -> Claim {
        let key = Key(tool, arguments)
        return state.withLock { state in
            switch state.entries[key] {
            case .inFlight(let owner)?: return .inFlight(agent: owner)
            case .done(let done)?: return .done(done)
            case nil:
                state.entries[key] = .inFlight(agent: agent)
                return .claimed
            }
        }
    }

    /// Ends a claim: a success is remembered; a failure frees the write for another try.
    func finish(_ tool: String, _ arguments: JSONValue, agent: String, result: JSONValue?) {
        let key = Key(tool, arguments)
        state.withLock { state in
            state.entries[key] = result.map { .done(Done(agent: agent, result: $0)) }
            if let result { state.done.append(Write(tool: tool, result: result)) }
        }
    }
}
