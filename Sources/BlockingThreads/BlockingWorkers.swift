import Dispatch
import Foundation
import Synchronization

/// Threads for blocking work, kept and reused: a job goes to an idle thread when there is one and
/// to a new thread when there is none, so a job never waits behind another (as on a dispatch
/// queue, which runs about one blocking item per core at a time), and a job does not pay for
/// creating and tearing down a thread (as with a thread per operation, which cost more than the
/// database round trip itself on a loaded two-core machine).
///
/// The number of threads is the largest number of jobs ever run at once; a thread idle for
/// `idleTimeout` exits.
public final class BlockingWorkers: Sendable {
    private final class Worker: Sendable {
        let wake = DispatchSemaphore(value: 0)
        /// Set by `submit` before it signals `wake`; nil on wake-up means "idle too long, exit".
        let job = Mutex<(@Sendable () -> Void)?>(nil)
    }

    private let idle = Mutex<[Worker]>([])
    private let name: String
    private let idleTimeout: DispatchTimeInterval

    public init(name: String, idleTimeout: DispatchTimeInterval = .seconds(60)) {
        self.name = name
        self.idleTimeout = idleTimeout
    }

    /// Whether the calling thread is a worker of some `BlockingWorkers`: code running there may
    /// block on I/O without holding up the cooperative pool, so it need not hand the work off.
    public static var isCurrentThreadWorker: Bool { WorkerMark.isSet }

    public func submit(_ job: @escaping @Sendable () -> Void) {
        // LIFO: the most recently parked thread is the likeliest to still be warm.
        if let worker = idle.withLock({ $0.popLast() }) {
            worker.job.withLock { $0 = job }
            worker.wake.signal()
            return
        }
        let worker = Worker()
        let thread = Thread { [self] in
            WorkerMark.set()
            loop(worker, first: job)
        }
        thread.name = name
        thread.start()
    }

    private func loop(_ worker: Worker, first: @escaping @Sendable () -> Void) {
        var job: (@Sendable () -> Void)? = first
        while let current = job {
            current()
            idle.withLock { $0.append(worker) }
            if worker.wake.wait(timeout: .now() + idleTimeout) == .timedOut {
                // Leave the idle list, unless a submit has just taken this worker: then its job is
                // set (or about to be) and its signal is pending, so wait for it and run it.
                let removed = idle.withLock { list -> Bool in
                    guard let index = list.firstIndex(where: { $0 === worker }) else { return false }
                    list.remove(at: index)
                    return true
                }
                if removed { return }
                worker.wake.wait()
            }
            job = worker.job.withLock { value in
                defer { value = nil }
                return value
            }
        }
    }
}

/// A thread-specific flag on the workers' threads (pthread keys: Foundation's thread dictionary
/// costs a dictionary lookup on every check).
enum WorkerMark {
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static func set() { pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1)) }
    static func clear() { pthread_setspecific(key, nil) }
    static var isSet: Bool { pthread_getspecific(key) != nil }
}
