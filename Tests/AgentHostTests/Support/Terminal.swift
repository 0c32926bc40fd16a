import Foundation
import TestSupport

/// A tmux server of the test's own, so that nothing of a developer's tmux is touched.
struct Terminal {
    let socket = "agenthost-test-\(UUID().uuidString.prefix(8))"
    let session = "host"

    func tmux(_ arguments: [String]) async throws -> String {
        let result = try await ProcessRunner.run("/usr/bin/env", ["tmux", "-L", socket] + arguments, timeout: .seconds(10))
        guard result.status == 0 else { throw TestFailure("tmux \(arguments.first ?? ""): \(result.stderr)") }
        return String(decoding: result.stdout, as: UTF8.self)
    }

    /// Starts the session running `script`, from a process that hands the tmux server none of
    /// our descriptors (a server that inherits a pipe of ours holds it open for as long as it runs).
    func start(_ script: String) async throws {
        let command = ["tmux", "-L", socket, "new-session", "-d", "-s", session, "-x", "220", "-y", "60", script]
        let launcher = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], close_fds=True, "
            + "stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))"
        let result = try await ProcessRunner.run("/usr/bin/env", ["python3", "-c", launcher] + command, timeout: .seconds(10))
        guard result.status == 0 else { throw TestFailure("tmux new-session failed (\(result.status)): \(result.stderr)") }
    }

    /// Types `keys` (tmux key names: "y", "Enter", "C-c").
    func send(_ keys: String...) async throws { _ = try await tmux(["send-keys", "-t", session] + keys) }

    /// A new terminal for `body`, stopped afterwards whatever happens.
    static func with(_ body: (Terminal) async throws -> Void) async throws {
        let terminal = Terminal()
        do {
            try await body(terminal)
        } catch {
            await terminal.stop()
            throw error
        }
        await terminal.stop()
    }

    func screen() async throws -> String { try await tmux(["capture-pane", "-p", "-J", "-t", session, "-S", "-500"]) }

    /// The screen once `condition` holds, read every 100 ms for at most `seconds`.
    func waitFor(_ what: String, seconds: Int = 60, _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let text = try await screen()
            if condition(text) { return text }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("the terminal never showed \(what); it shows:\n\(try await screen())")
    }

    /// Ends the session and its server (which kill-server alone left running here).
    func stop() async {
        let pid = (try? await tmux(["display-message", "-p", "#{pid}"])).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        _ = try? await tmux(["kill-server"])
        if let pid { kill(pid, SIGKILL) }
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A shell line that runs `command` with a small clean environment and keeps the pane, with
    /// the exit code, until the test has read it.
    static func script(_ command: [String]) -> String {
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                           "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp", "LANG": "C.UTF-8", "NO_COLOR": "1"]
        let exports = environment.map { "\($0.key)=\(quoted($0.value))" }.joined(separator: " ")
        return "env -i \(exports) " + command.map(quoted).joined(separator: " ") + "; echo \"[exit $?]\"; read line"
    }
}
