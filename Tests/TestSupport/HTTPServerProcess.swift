import Foundation
import Synchronization

/// A ToolServer running `--transport http` on a free loopback port (`--port 0`; the port is read
/// from its `http.listening` log line), stopped with SIGTERM.
package final class HTTPServerProcess: Sendable {
    package let port: Int
    private let process: Process
    private let log: LogBuffer
    private let readerDone: DispatchSemaphore

    /// The URL clients use.
    package var url: String { "http://127.0.0.1:\(port)/mcp" }

    /// Starts the server and waits (at most `timeout`) until it listens.
    package static func start(_ arguments: [String], token: String? = nil, timeout: Duration = .seconds(60)) async throws -> HTTPServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.toolServerPath)
        process.arguments = ["--transport", "http", "--port", "0", "--log-level", "info"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "TOOLSERVER_TOKEN")
        if let token { environment["TOOLSERVER_TOKEN"] = token }
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let log = LogBuffer()
        let readerDone = DispatchSemaphore(value: 0)
        let found = Once<Int>()
        Thread.detachNewThread {
            let handle = stderr.fileHandleForReading
            while case let data = handle.availableData, !data.isEmpty {
                let text = log.data.withLock { log -> String in
                    log.append(data)
                    return String(decoding: log, as: UTF8.self)
                }
                if let match = text.firstMatch(of: /event=http\.listening\S* host=\S+ port=(\d+)/) { found.resolve(Int(match.output.1)) }
            }
            found.resolve(nil)
            readerDone.signal()
        }
        let port = await found.value(timeout: timeout)
        guard let port else {
            if process.isRunning { process.terminate() }
            throw TestFailure("the HTTP server did not start: \(log.text.suffix(2000))")
        }
        return HTTPServerProcess(port: port, process: process, log: log, readerDone: readerDone)
    }

    private init(port: Int, process: Process, log: LogBuffer, readerDone: DispatchSemaphore) {
        self.port = port
        self.process = process
        self.log = log
        self.readerDone = readerDone
    }

    package var isRunning: Bool { process.isRunning }
    package var stderr: String { log.text }
    package var pid: Int32 { process.processIdentifier }

    /// SIGTERM (Hummingbird finishes what is in flight), then the exit status.
    @discardableResult
    package func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        let process = process, readerDone = readerDone
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                _ = readerDone.wait(timeout: .now() + 5)
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// What the server wrote to stderr so far.
package final class LogBuffer: Sendable {
    package let data = Mutex(Data())
    package var text: String { String(decoding: data.withLock { $0 }, as: UTF8.self) }
}

/// A value that arrives once, from any thread; `value(timeout:)` returns it, or nil when it did
/// not come in time (or came as nil).
package final class Once<Value: Sendable>: Sendable {
    package init() {}
    private enum State {
        case waiting(CheckedContinuation<Value?, Never>?)
        case resolved(Value?)
    }
    private let state = Mutex<State>(.waiting(nil))

    package func resolve(_ value: Value?) {
        let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>? in
            guard case .waiting(let waiter) = state else { return nil }
            state = .resolved(value)
            return waiter
        }
        waiter?.resume(returning: value)
    }

    package func value(timeout: Duration) async -> Value? {
        let timer = Task { [self] in
            try await Task.sleep(for: timeout)
            resolve(nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Value?? in
                switch state {
                case .resolved(let value): return .some(value)
                case .waiting: state = .waiting(continuation); return nil
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
