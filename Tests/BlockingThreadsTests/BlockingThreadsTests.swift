import BlockingThreads
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite("Blocking threads")
struct BlockingThreadsTests {
    @Test("a job never waits behind another: jobs that each wait for all the others all finish")
    func jobsRunSideBySide() {
        let workers = BlockingWorkers(name: "test-workers")
        let count = 16
        let arrived = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        for _ in 0..<count {
            finished.enter()
            workers.submit {
                arrived.signal()
                release.wait()  // blocks until every job has started
                finished.leave()
            }
        }
        var started = 0
        while started < count, arrived.wait(timeout: .now() + 10) == .success { started += 1 }
        #expect(started == count)
        for _ in 0..<count { release.signal() }
        #expect(finished.wait(timeout: .now() + 10) == .success)
    }

    @Test("the workers' threads are marked as threads that may block; others are not")
    func workerThreadsAreMarked() {
        #expect(!BlockingWorkers.isCurrentThreadWorker)
        let workers = BlockingWorkers(name: "test-workers")
        let seen = Mutex<[Bool]>([])
        let done = DispatchGroup()
        for _ in 0..<3 {  // the second and third reuse a parked thread
            done.enter()
            workers.submit {
                seen.withLock { $0.append(BlockingWorkers.isCurrentThreadWorker) }
                done.leave()
            }
            done.wait()
        }
        #expect(seen.withLock { $0 } == [true, true, true])
    }

    @Test("a task that prefers the executor runs on a worker thread, also after it suspends")
    func tasksRunOnWorkers() async {
        let executor = BlockingExecutor(name: "test-executor")
        let marks = await Task(executorPreference: executor) { () -> [Bool] in
            let before = BlockingWorkers.isCurrentThreadWorker
            try? await Task.sleep(for: .milliseconds(1))
            return [before, BlockingWorkers.isCurrentThreadWorker]
        }.value
        #expect(marks == [true, true])
        #expect(!BlockingWorkers.isCurrentThreadWorker)
    }
}

@Suite("Calling-thread executor")
struct CallingThreadExecutorTests {
    private struct Observation: Sendable, Equatable {
        var thread: UInt
        var mayBlock: Bool
    }

    private static func here() -> Observation {
        Observation(thread: UInt(pthread_self()),
                    mayBlock: BlockingWorkers.isCurrentThreadWorker)
    }

    @Test("the work runs on the thread that called run, also after it is resumed from another thread, and run returns after it")
    func workRunsOnTheCallingThread() {
        let seen = Mutex<[Observation]>([])
        let caller = Mutex<Observation?>(nil)
        let markAfter = Mutex<Bool?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            caller.withLock { $0 = Self.here() }
            CallingThreadExecutor().run {
                seen.withLock { $0.append(Self.here()) }
                // Resumed by a dispatch queue's thread: the rest must still run on the caller.
                await withCheckedContinuation { (resume: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(5)) { resume.resume() }
                }
                seen.withLock { $0.append(Self.here()) }
            }
            markAfter.withLock { $0 = BlockingWorkers.isCurrentThreadWorker }
            done.signal()
        }
        thread.start()
        #expect(done.wait(timeout: .now() + 10) == .success)
        let callerThread = caller.withLock { $0 }
        #expect(callerThread?.mayBlock == false)
        let expected = callerThread.map { Observation(thread: $0.thread, mayBlock: true) }
        #expect(seen.withLock { $0 } == [expected, expected].compactMap { $0 })
        #expect(markAfter.withLock { $0 } == false, "the caller is marked only while the work runs")
    }
}
