/// A task executor whose jobs run on `BlockingWorkers` threads: a task that prefers it
/// (`Task(executorPreference:)`) runs on a thread that may block, so blocking I/O inside it (the
/// MongoDB driver) runs in place instead of being handed to another thread and back.
public final class BlockingExecutor: TaskExecutor {
    private let workers: BlockingWorkers

    public init(name: String) { workers = BlockingWorkers(name: name) }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        workers.submit { job.runSynchronously(on: executor) }
    }
}
