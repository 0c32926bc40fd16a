import TestSupport
import Foundation
import JSON
import MCPClient
import Testing

@Suite struct ServerFailureTests {
    @Test func serverCrashMidRunIsReportedAndTheHostExitsNonZero() async throws {
        let database = try await TestDatabase.make("crash")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([
            .agent("manager", [.calls([.init("inventory", ["tool": "check_stock", "task": "Check prod1."])]), .answer("unreachable")]),
            .agent("inventory", [.calls([.init("check_stock", ["product_id": "prod1"])]), .answer("unreachable")]),
        ])
        defer { llm.stop() }
        let command = "python3 \(TestEnvironment.fixture("crashing_server.py")) \(TestEnvironment.toolServerPath)"
        // A tool timeout far beyond the run's own: only the server's death can end the pending
        // call in time, and the message says that is what ended it.
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "check prod1", "--server-command", command, "--tool-timeout", "3600", "--base-url", llm.baseURL,
            "--model", "scripted",
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(300))
        #expect(result.status == 1)
        #expect(result.stderr.contains("AgentHost: error: the tool server exited (killed by signal 9) while calls were pending"),
                "\(result.stderr)")
        #expect(llm.requests("inventory").count == 1)  // nothing was asked after the crash
    }

    @Test(.timeLimit(.minutes(5))) func pendingAndLaterCallsFailAtOnceWhenTheServerDies() async throws {
        let database = try await TestDatabase.make("crashclient")
        defer { database.drop() }
        let launch = ServerLaunch.shell("python3 \(TestEnvironment.fixture("crashing_server.py")) \(TestEnvironment.toolServerPath) "
            + database.serverArguments.joined(separator: " "), environment: ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "warning"])
        // A call timeout no test waits out: the calls must fail because the server died.
        let client = try await MCPClient.launch(launch, callTimeout: .seconds(3600))
        #expect(try await client.listTools().count == 7)
        for (tool, arguments) in [("check_stock", ["product_id": "prod1"] as JSONValue), ("list_products", [:])] {
            do {
                _ = try await client.callTool(tool, arguments: arguments)
                Issue.record("\(tool) should have failed: the server is dead")
            } catch {
                guard case .serverExited = error else { Issue.record("\(tool): expected serverExited, got \(error)"); continue }
            }
        }
        #expect(!client.isAlive)
        #expect(await client.shutdown() == "killed by signal 9")
    }

    @Test func everyCallHasATimeout() async throws {
        let launch = ServerLaunch.shell("python3 \(TestEnvironment.fixture("silent_server.py"))", environment: ["PATH": "/usr/bin:/bin"])
        let client = try await MCPClient.launch(launch, callTimeout: .milliseconds(300))
        // The server never answers: only the timeout ends the call.
        do {
            _ = try await client.callTool("check_stock", arguments: [:])
            Issue.record("expected a timeout")
        } catch {
            guard case .timeout(let method, _) = error else { Issue.record("expected a timeout, got \(error)"); return }
            #expect(method == "tools/call")
        }
        #expect(client.isAlive)
        // Closing stdin ends it cleanly.
        #expect(await client.shutdown(grace: .seconds(5)) == "status 0")
    }

    @Test func aServerThatCannotStartIsAClearError() async throws {
        do {
            _ = try await MCPClient.launch(ServerLaunch(executable: "/nonexistent/ToolServer", environment: [:]))
            Issue.record("expected a launch failure")
        } catch {
            #expect("\(error)".contains("cannot start the tool server '/nonexistent/ToolServer'"))
        }
        // A server that exits before the handshake.
        do {
            _ = try await MCPClient.launch(.shell("sh -c 'echo bye >&2; exit 3'", environment: ["PATH": "/usr/bin:/bin"]))
            Issue.record("expected an exit")
        } catch {
            #expect("\(error)" == "the tool server exited (status 3) while calls were pending; its last output: bye")
        }
    }
}
