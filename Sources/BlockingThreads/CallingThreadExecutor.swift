import Dispatch
import Synchronization

/// A task executor whose jobs run on the thread that called `run(_:)`, which waits for the task
/// to end: work started this way needs no other thread, so nothing is handed off and no thread
/// is woken. The calling thread counts as one that may block while the work runs (as
/// `BlockingWorkers` threads do), so blocking I/O inside the work runs in place too.
public final class CallingThreadExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    public init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    /// Runs `work` to its end on the calling thread. Not reentrant: one `run` at a time.
    public func run(_ work: @escaping @Sendable () async -> Void) {
        let wasMarked = WorkerMark.isSet
        WorkerMark.set()
        defer { if !wasMarked { WorkerMark.clear() } }
        let finished = FinishedFlag()
        Task(executorPreference: self) {
            await work()
            finished.set()
        }
        let executor = asUnownedTaskExecutor()
        // One job per signal: a job the task enqueues from another thread wakes this one.
        while !finished.isSet {
            ready.wait()
            if let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                job.runSynchronously(on: executor)
            }
        }
    }
}

private final class FinishedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
