import Foundation
import JSON
import Testing
import TestSupport

/// `--approve` on a real terminal: AgentHost runs in tmux, a person (send-keys) answers y to one
/// cancellation and n to the other, and the screen (capture-pane) shows what they decided on.
@Suite struct TerminalApprovalTests {
    /// A tmux server of the test's own, so that nothing of a developer's tmux is touched.
    struct Terminal {
        let socket = "agenthost-test-\(UUID().uuidString.prefix(8))"
        let session = "approve"

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
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @Test func aPersonApprovesOneCancellationAndDeclinesTheOther() async throws {
        let database = try await TestDatabase.make("tmux", products: IdealCase.catalogue)
        defer { database.drop() }
        let ideal = IdealCase(
            label: "two cancellations",
            before: [.init(items: [("prod1", 1)], address: "1 Yes St"), .init(items: [("prod2", 2)], address: "2 No St")],
            request: "Cancel {0} and {1}.",
            plan: [.init(role: "delivery", tool: "update_delivery_status", task: "Cancel {0}.",
                         steps: [[("update_delivery_status", #"{"order_id":"{0}","status":"cancelled"}"#)]]),
                   .init(role: "delivery", tool: "update_delivery_status", task: "Cancel {1}.",
                         steps: [[("update_delivery_status", #"{"order_id":"{1}","status":"cancelled"}"#)]])])
        let ids = try await ideal.placeOrders(in: database)
        let llm = try ScriptedLLMServer(ideal.routes(seeded: ids))
        defer { llm.stop() }

        let base = TestEnvironment.childEnvironment
        let environment = ["PATH": base["PATH"] ?? "/usr/bin:/bin", "HOME": base["HOME"] ?? "/tmp", "LANG": "C.UTF-8", "NO_COLOR": "1"]
        let exports = environment.map { "\($0.key)=\(Self.quoted($0.value))" }.joined(separator: " ")
        let command = [TestEnvironment.agentHostPath, "run", "Cancel \(ids[0]) and \(ids[1]).", "--approve", "destructive",
                       "--base-url", llm.baseURL, "--model", "scripted"] + database.serverArguments
        // The pane stays after the run, with its exit code, until the test reads it.
        let script = "env -i \(exports) " + command.map(Self.quoted).joined(separator: " ") + "; echo \"[exit $?]\"; read line"

        let terminal = Terminal()
        do {
            try await Self.answer(on: terminal, script: script, ids: ids)
        } catch {
            await terminal.stop()
            throw error
        }
        await terminal.stop()

        let statuses = Dictionary(uniqueKeysWithValues: try database.orders().compactMap { order in
            order["_id"]?.stringValue.map { ($0, order["status"]?.stringValue ?? "") }
        })
        #expect(statuses == [ids[0]: "cancelled", ids[1]: "pending"])
        #expect(try database.stock()["prod1"] == 10 && database.stock()["prod2"] == 13)
    }

    /// Starts the run in tmux and answers its two prompts: y, then n.
    static func answer(on terminal: Terminal, script: String, ids: [String]) async throws {
        try await terminal.start(script)

        let first = try await terminal.waitFor("the first approval prompt") { $0.contains("Allow this write? [y/N]") }
        #expect(first.contains("Approval needed: delivery#1 wants to call update_delivery_status"), "\(first)")
        #expect(first.contains("arguments: {order_id: \(ids[0]), status: cancelled}"), "\(first)")
        #expect(first.contains("why held:  a cancellation cannot be undone"), "\(first)")
        #expect(first.contains("now:       {order_id: \(ids[0]), status: pending"), "\(first)")
        _ = try await terminal.tmux(["send-keys", "-t", terminal.session, "y", "Enter"])

        let second = try await terminal.waitFor("the second approval prompt") {
            $0.components(separatedBy: "Allow this write? [y/N]").count == 3
        }
        #expect(second.contains("approved."), "\(second)")
        #expect(second.contains("Approval needed: delivery#2 wants to call update_delivery_status"), "\(second)")
        _ = try await terminal.tmux(["send-keys", "-t", terminal.session, "n", "Enter"])

        let end = try await terminal.waitFor("the end of the run") { $0.contains("[exit ") }
        #expect(end.contains("declined: nothing is written."), "\(end)")
        #expect(end.contains("Changes: update_delivery_status \(ids[0]) cancelled."), "\(end)")
        #expect(end.contains("Failed: update_delivery_status \(ids[1]): the user declined this call."), "\(end)")
        #expect(end.contains("[exit 0]"), "\(end)")
    }
}
