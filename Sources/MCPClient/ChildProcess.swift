#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A child process with pipes on stdin, stdout and stderr, started with posix_spawn so that the
/// pipe ends are close-on-exec (no other child inherits them, so closing stdin really ends its
/// input) and the child gets default signal handling (SIGPIPE) whatever the parent ignores.
final class ChildProcess: Sendable {
    let pid: pid_t
    let stdin: Int32
    let stdout: Int32
    let stderr: Int32
    private let exit = Mutex<ExitState>(ExitState())

    private struct ExitState {
        var status: Int32?
        var waiters: [@Sendable (Int32) -> Void] = []
    }

    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]) throws(MCPClientError) -> ChildProcess {
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1]
        guard pipe(&input) == 0, pipe(&output) == 0, pipe(&errors) == 0 else {
            throw .launchFailed(command: executable, detail: String(cString: strerror(errno)))
        }
        for fd in input + output + errors { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        close(input[0])
        close(output[1])
        close(errors[1])
        guard result == 0 else {
            close(input[1])
            close(output[0])
            close(errors[0])
            throw .launchFailed(command: executable, detail: String(cString: strerror(result)))
        }
        let child = ChildProcess(pid: pid, stdin: input[1], stdout: output[0], stderr: errors[0])
        child.startReaper()
        return child
    }

    private init(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) {
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
    }

    /// A thread blocked in waitpid: no polling, and the exit status as soon as the child ends.
    private func startReaper() {
        let pid = pid
        Thread.detachNewThread { [self] in
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
            let code: Int32 = result < 0 ? -1 : status
            let waiters = exit.withLock { state -> [@Sendable (Int32) -> Void] in
                state.status = code
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            waiters.forEach { $0(code) }
        }
    }

    /// The raw wait status once the child has exited, else nil.
    var exitStatus: Int32? { exit.withLock { $0.status } }

    /// Calls `action` with the raw wait status when the child exits (at once if it has).
    func onExit(_ action: @escaping @Sendable (Int32) -> Void) {
        let status = exit.withLock { state -> Int32? in
            if state.status == nil { state.waiters.append(action) }
            return state.status
        }
        if let status { action(status) }
    }

    /// Waits for the child to exit; returns the raw wait status.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in onExit { continuation.resume(returning: $0) } }
    }

    /// Waits at most `timeout`; true when the child exited in time.
    func waitForExit(timeout: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let once = Once(continuation)
            onExit { _ in once.resume(true) }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(false)
            }
        }
    }

    func send(signal: Int32) {
        if exitStatus == nil { kill(pid, signal) }
    }

    /// "status 0", "killed by signal 9", for messages.
    static func describe(_ status: Int32?) -> String {
        guard let status else { return "still running" }
        if status < 0 { return "status unknown" }
        let signal = status & 0x7f
        if signal == 0 { return "status \((status >> 8) & 0xff)" }
        return "killed by signal \(signal)"
    }
}

/// Resumes a continuation at most once, whichever event comes first.
final class Once<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = Mutex(continuation) }

    func resume(_ value: Value) {
        let pending = continuation.withLock { stored -> CheckedContinuation<Value, Never>? in
            defer { stored = nil }
            return stored
        }
        pending?.resume(returning: value)
    }
}
