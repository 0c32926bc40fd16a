import Foundation
import Synchronization

/// The lines of stdin, read on one thread of their own and handed out in order to whoever asks:
/// the chat's prompt, or an approval. One reader for the whole process, so that a line is never
/// taken by a read that was given up (Ctrl-C during an approval); a line typed ahead waits for the
/// next ask.
final class StdinLines: Sendable {
    static let shared = StdinLines()

    private struct State {
        var lines: [String] = []
        var ended = false
        var started = false
        var waiter: CheckedContinuation<String?, Never>?
    }

    private let state = Mutex(State())

    /// The next line (without its newline); nil at the end of input or when the task is cancelled.
    func next() async -> String? {
        startReading()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                let ready: String?? = state.withLock { state in
                    if !state.lines.isEmpty { return .some(state.lines.removeFirst()) }
                    if state.ended { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            state.withLock { $0.waiter.take() }?.resume(returning: nil)
        }
    }

    private func startReading() {
        let start = state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard start else { return }
        let thread = Thread { [self] in
            while let line = readLine(strippingNewline: true) { deliver(line) }
            deliver(nil)
        }
        thread.name = "stdin-lines"
        thread.start()
    }

    private func deliver(_ line: String?) {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            if let waiter = state.waiter.take() { return waiter }
            if let line { state.lines.append(line) } else { state.ended = true }
            return nil
        }
        if let waiter {
            waiter.resume(returning: line)
            if line == nil { state.withLock { $0.ended = true } }
        }
    }
}

/// Runs one body at a time, in the order they asked (approvals from parallel agents).
actor OneAtATime {
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        if busy {
            await withCheckedContinuation { queue.append($0) }
        }
        busy = true
        let result = await body()
        if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
        return result
    }
}
