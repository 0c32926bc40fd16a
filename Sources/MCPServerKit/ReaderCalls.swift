import Synchronization

/// Which calls the reader thread runs itself: a read-only call that comes alone (no call on a
/// worker, no further line in what it has read), while reads answer quickly. Writes, and calls
/// among others, run on workers, so that the reader stays free for what follows them; after a
/// slow read (a database that stopped answering), reads do too until one is quick again, so that
/// such a database holds one read, not the reader.
final class ReaderCalls: Sendable {
    static let slowRead: Duration = .milliseconds(100)
    /// Calls started on workers and not yet answered.
    let inFlight = Atomic<Int>(0)
    private let lastReadWasSlow = Atomic<Bool>(false)

    init() {}

    func runsOnReader(readOnly: Bool, moreRead: Bool) -> Bool {
        readOnly && !moreRead && inFlight.load(ordering: .relaxed) == 0 && !lastReadWasSlow.load(ordering: .relaxed)
    }

    /// Runs `call`; for a read, remembers whether it was slow.
    func timed<T>(read: Bool, _ call: () async -> T) async -> T {
        guard read else { return await call() }
        let started = ContinuousClock.now
        let result = await call()
        lastReadWasSlow.store(ContinuousClock.now - started > Self.slowRead, ordering: .relaxed)
        return result
    }
}
