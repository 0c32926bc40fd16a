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

/// A write the tool refused (short stock, an unknown id, a status change not allowed): the tool,
/// what it was about (an order id, a product id, an order's product ids) and the error's text.
public struct FailedWrite: Sendable, Equatable {
    public let tool: String
    public let subject: String
    public let error: String

    /// What a write is about, from its arguments: its order or product id, or an order's product ids.
    static func subject(of arguments: JSONValue) -> String {
        if let id = arguments["order_id"]?.stringValue ?? arguments["product_id"]?.stringValue { return id }
        return (arguments["items"]?.arrayValue ?? []).compactMap { $0["product_id"]?.stringValue }.joined(separator: ",")
    }
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

    /// A write by what it does: its arguments in any key order, without the ones that only
    /// annotate it (`reason`, `note`, `idempotency_key`). A manager that delegated a write-off
    /// again got it made again: the second agent wrote the same delta with another reason.
    private struct Key: Hashable, Sendable {
        let tool: String
        let arguments: JSONValue

        init(_ tool: String, _ arguments: JSONValue) {
            self.tool = tool
            guard case .object(var object) = arguments else {
                self.arguments = arguments
                return
            }
            for name in Self.annotations { object[name] = nil }
            self.arguments = .object(object)  // (JSONObject's equality and hash ignore key order)
        }

        static let annotations = ["reason", "note", "idempotency_key"]
    }

    private struct State: Sendable {
        var entries: [Key: Entry] = [:]
        /// The successes in order, for the answer's "Changes:" line.
        var done: [Write] = []
        /// The refusals in order, each with its agent and whether a later success made it good.
        var failed: [(failure: FailedWrite, agent: String, madeGood: Bool)] = []
        /// The arguments of every write claimed, by tool, in order.
        var attempts: [String: [JSONValue]] = [:]

        /// Keeps a refusal of `agent`'s write (the tool's, or the host's) for the "Failed:" line.
        mutating func fail(_ tool: String, _ arguments: JSONValue, agent: String, error: String) {
            failed.append((FailedWrite(tool: tool, subject: FailedWrite.subject(of: arguments), error: error), agent, false))
        }
    }

    private let state = Mutex(State())

    /// Eight random characters that scope this instruction's idempotency keys (see
    /// `ServerTool.scoped`).
    let scope = String((0..<8).map { _ in "abcdefghjkmnpqrstvwxyz0123456789".randomElement() ?? "x" })

    /// The writes that succeeded so far, in order.
    var done: [Write] { state.withLock { $0.done } }

    /// The ids of the orders the instruction has created, oldest first.
    var createdOrders: [String] {
        done.filter { $0.tool == "create_order" }.compactMap { $0.result["order_id"]?.stringValue }
    }
    /// How many writes succeeded so far (without copying them).
    var count: Int { state.withLock { $0.done.count } }
    /// The refused writes that nothing made good, each once, for the answer's "Failed:" line. A
    /// later success of the same tool made a refusal good if it was on the same subject, or by the
    /// same agent (which fixed its call: a wrong order id, then the right one).
    var unresolved: [FailedWrite] {
        state.withLock { state in
            var out: [FailedWrite] = []
            for entry in state.failed where !entry.madeGood && !out.contains(entry.failure) {
                out.append(entry.failure)
            }
            return out
        }
    }

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
                state.attempts[tool, default: []].append(arguments)
                return .claimed
            }
        }
    }

    /// The arguments of the writes of `tool` tried so far (made or refused by the tool), oldest first.
    func attempts(of tool: String) -> [JSONValue] {
        state.withLock { $0.attempts[tool] ?? [] }
    }

    /// A write the host refused before the tool saw it (see `RequestGrounding`): kept like the
    /// tool's refusals, for the answer's "Failed:" line.
    func refuse(_ tool: String, _ arguments: JSONValue, agent: String, error: String) {
        state.withLock { $0.fail(tool, arguments, agent: agent, error: error) }
    }

    /// Ends a claim: a success is remembered; a failure frees the write for another try, and its
    /// `error` (the tool's refusal; nil when the call did not get that far) is kept.
    func finish(_ tool: String, _ arguments: JSONValue, agent: String, result: JSONValue?, error: String? = nil) {
        let key = Key(tool, arguments)
        let subject = FailedWrite.subject(of: arguments)
        state.withLock { state in
            state.entries[key] = result.map { .done(Done(agent: agent, result: $0)) }
            if let result {
                state.done.append(Write(tool: tool, result: result))
                for index in state.failed.indices where state.failed[index].failure.tool == tool
                    && (state.failed[index].agent == agent || state.failed[index].failure.subject == subject) {
                    state.failed[index].madeGood = true
                }
            } else if let error {
                state.fail(tool, arguments, agent: agent, error: error)
            }
        }
    }
}
