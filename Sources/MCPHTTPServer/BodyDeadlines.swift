import Synchronization

/// The body deadlines of the requests being read, enforced by one timer for the whole server.
///
/// Not a timer per request: a `Task.sleep` raced against the read and cancelled when the body is
/// in keeps its timer, and its task's memory, until it would have fired (about 400 bytes a request
/// for the whole body timeout: 14 MB at 1,800 requests/s with the default 10 s).
final class BodyDeadlines: Sendable {
    private struct Watch {
        let deadline: ContinuousClock.Instant
        let expire: @Sendable () -> Void
    }

    private struct State {
        var lastID: UInt64 = 0
        var watches: [UInt64: Watch] = [:]
    }

    let timeout: Duration
    /// How often deadlines are checked: a body is cut off between `timeout` and `timeout + tick`.
    let tick: Duration
    private let state = Mutex(State())

    init(timeout: Duration) {
        self.timeout = timeout
        tick = min(timeout / 5, .seconds(1))
    }

    /// Runs `read` (a request body's read) and returns what it produced, or nil when its deadline
    /// passed first: then `expire` was called, which must make the read end (by closing the
    /// connection's input).
    func run<T>(expire: @escaping @Sendable () -> Void, _ read: () async -> T) async -> T? {
        let deadline = ContinuousClock.now + timeout
        let id = state.withLock { state in
            state.lastID += 1
            state.watches[state.lastID] = Watch(deadline: deadline, expire: expire)
            return state.lastID
        }
        let value = await read()
        let expired = state.withLock { $0.watches.removeValue(forKey: id) == nil }
        return expired ? nil : value
    }

    /// Reads being watched now.
    var watching: Int { state.withLock { $0.watches.count } }

    /// Expires the reads whose deadline has passed, every `tick`, until the calling task is cancelled.
    func enforce() async {
        while (try? await Task.sleep(for: tick)) != nil {
            let now = ContinuousClock.now
            let expired = state.withLock { state -> [Watch] in
                let due = state.watches.filter { $0.value.deadline <= now }
                for id in due.keys { state.watches[id] = nil }
                return Array(due.values)
            }
            for watch in expired { watch.expire() }
        }
    }
}
