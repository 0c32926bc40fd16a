import Synchronization

/// The records of every agent of a run, added as each one finishes (sub-agents run concurrently).
final class RunLog: Sendable {
    private let records = Mutex<[AgentRecord]>([])
    func add(_ record: AgentRecord) { records.withLock { $0.append(record) } }
    var all: [AgentRecord] { records.withLock { $0 } }
}
