#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import JSON
import MCPServerKit
import Synchronization

/// The channel to a server process it spawned: newline-delimited JSON-RPC on the child's stdin
/// and stdout. Requests are multiplexed by id, each has a timeout, and if the server dies every
/// pending call fails at once.
final class StdioChannel: MCPChannel {
    private struct Pending {
        let method: String
        let continuation: CheckedContinuation<Result<JSONValue, MCPClientError>, Never>
        var watchdog: Task<Void, Never>?
    }

    private struct State {
        var nextID: Int64 = 1
        var pending: [Int64: Pending] = [:]
        /// Set once the server's output has closed: every later call fails with it.
        var closedError: MCPClientError?
        var stdinClosed = false
    }

    private let child: ChildProcess
    private let state = Mutex(State())
    private let stderrLines = Mutex<[String]>([])
    private let writer = DispatchQueue(label: "mcp-client-writer")
    /// Signalled when the server's stderr closes, so that an exit error can quote its last words.
    private let stderrFinished = DispatchSemaphore(value: 0)
    private let launchDisplay: String

    /// Starts the server process; the handshake is the client's.
    static func start(_ launch: ServerLaunch, stderrLine: (@Sendable (String) -> Void)?) throws(MCPClientError) -> StdioChannel {
        // A write to a server that has died must be an error, never a fatal signal.
        signal(SIGPIPE, SIG_IGN)
        let child = try ChildProcess.spawn(launch.executable, launch.arguments, environment: launch.environment)
        let channel = StdioChannel(child: child, display: launch.display)
        channel.startReaders(stderrLine: stderrLine)
        return channel
    }

    private init(child: ChildProcess, display: String) {
        self.child = child
        launchDisplay = display
    }

    /// The server's process id.
    var pid: Int32? { child.pid }

    // MARK: JSON-RPC

    func request(_ method: String, _ params: JSONValue?, timeout limit: Duration) async throws(MCPClientError) -> JSONValue {
        let id = state.withLock { state -> Int64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        var message: JSONObject = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { message["params"] = params }
        let line = JSONWriter.bytes(.object(message))
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<JSONValue, MCPClientError>, Never>) in
                let refused = state.withLock { state -> MCPClientError? in
                    if let closed = state.closedError { return closed }
                    state.pending[id] = Pending(method: method, continuation: continuation)
                    return nil
                }
                if let refused { continuation.resume(returning: .failure(refused)); return }
                let watchdog = Task { [weak self] in
                    do { try await Task.sleep(for: limit) } catch { return }
                    self?.finish(id, .failure(.timeout(method: method, seconds: limit.seconds)))
                }
                state.withLock { $0.pending[id]?.watchdog = watchdog }
                write(line) { [weak self] error in self?.finish(id, .failure(error)) }
            }
        } onCancel: {
            finish(id, .failure(.cancelled))
        }
        return try outcome.get()
    }

    func notify(_ method: String, _ params: JSONValue?) async throws(MCPClientError) {
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        let line = JSONWriter.bytes(.object(message))
        let failure = await withCheckedContinuation { (continuation: CheckedContinuation<MCPClientError?, Never>) in
            write(line, completion: { continuation.resume(returning: nil) }) { continuation.resume(returning: $0) }
        }
        if let failure { throw failure }
    }

    /// Resolves a pending request once; later resolutions of the same id are ignored.
    private func finish(_ id: Int64, _ result: Result<JSONValue, MCPClientError>) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.watchdog?.cancel()
        pending.continuation.resume(returning: result)
    }

    // MARK: Writing

    private func write(_ line: [UInt8], completion: (@Sendable () -> Void)? = nil,
                       failed: @escaping @Sendable (MCPClientError) -> Void) {
        let bytes = line + [UInt8(ascii: "\n")]
        let fd = child.stdin
        writer.async { [self] in
            if state.withLock({ $0.stdinClosed }) {
                failed(exitError())
                return
            }
            if Self.writeAll(fd: fd, bytes) { completion?() } else { failed(settledExitError()) }
        }
    }

    private static func writeAll(fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return false  // EPIPE (SIGPIPE is ignored): the server is gone
                }
            }
            return true
        }
    }

    // MARK: Reading

    private func startReaders(stderrLine: (@Sendable (String) -> Void)?) {
        let stdout = child.stdout, stderr = child.stderr
        Thread.detachNewThread { [self] in
            FileLineReader(fd: stdout, maxLineBytes: 64 << 20).run { event in
                if case .line(let bytes) = event { receive(bytes) }
            }
            close(stdout)
            outputClosed()
        }
        Thread.detachNewThread { [self] in
            FileLineReader(fd: stderr, maxLineBytes: 64 << 10).run { event in
                guard case .line(let bytes) = event else { return }
                let line = String(decoding: bytes, as: UTF8.self)
                stderrLines.withLock { lines in
                    lines.append(line)
                    if lines.count > 20 { lines.removeFirst(lines.count - 20) }
                }
                stderrLine?(line)
            }
            close(stderr)
            stderrFinished.signal()
        }
    }

    private func receive(_ bytes: [UInt8]) {
        guard let message = try? JSONParser.parse(bytes) else { return }
        // Responses only; the server sends no requests or notifications we need.
        guard message["result"] != nil || message["error"] != nil, case .int(let id)? = message["id"] else { return }
        finish(id, .success(message))
    }

    /// The server's stdout closed: it has exited or is about to. Fail everything pending.
    private func outputClosed() {
        let error = settledExitError()
        let pending = state.withLock { state -> [Pending] in
            state.closedError = error
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for entry in pending {
            entry.watchdog?.cancel()
            entry.continuation.resume(returning: .failure(error))
        }
    }

    /// The exit error once the exit status and the last stderr lines are in (waiting at most
    /// 1.5 s, on a reader or writer thread, never on the cooperative pool).
    private func settledExitError() -> MCPClientError {
        let exited = DispatchSemaphore(value: 0)
        child.onExit { _ in exited.signal() }
        _ = exited.wait(timeout: .now() + 1)
        if stderrFinished.wait(timeout: .now() + 0.5) == .success { stderrFinished.signal() }
        return exitError()
    }

    private func exitError() -> MCPClientError {
        .serverExited(status: ChildProcess.describe(child.exitStatus), stderrTail: recentStderr)
    }

    /// The server's last stderr lines (at most 20), joined.
    var recentStderr: String { stderrLines.withLock { $0.suffix(5).joined(separator: " | ") } }

    /// Whether the server is still running and its output open.
    var isAlive: Bool { child.exitStatus == nil && state.withLock { $0.closedError == nil } }

    // MARK: Shutdown

    /// Closes the server's stdin (it answers what it has read and exits), then sends SIGTERM after
    /// `grace`, and SIGKILL if that is ignored too. Returns how it ended ("status 0").
    func shutdown(grace: Duration) async -> String {
        let fd = child.stdin
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            writer.async { [self] in
                let first = state.withLock { state -> Bool in
                    defer { state.stdinClosed = true }
                    return !state.stdinClosed
                }
                if first { close(fd) }
                continuation.resume()
            }
        }
        if await child.waitForExit(timeout: grace) == false {
            child.send(signal: SIGTERM)
            if await child.waitForExit(timeout: .seconds(2)) == false {
                child.send(signal: SIGKILL)
                _ = await child.waitForExit()
            }
        }
        return ChildProcess.describe(child.exitStatus)
    }
}

/// write(2), named apart from the client's own `write` method.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
