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
            .agent("manager", [.calls([.init("inventory", ["task": "Check prod1."])]), .answer("unreachable")]),
            .agent("inventory", [.calls([.init("check_stock", ["product_id": "prod1"])]), .answer("unreachable")]),
        ])
        defer { llm.stop() }
        let command = "python3 \(TestEnvironment.fixture("crashing_server.py")) \(TestEnvironment.toolServerPath)"
        let started = ContinuousClock.now
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "check prod1", "--server-command", command, "--tool-timeout", "30", "--base-url", llm.baseURL,
            "--model", "scripted",
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(60))
        // Well within the tool timeout: the pending call failed when the server died.
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(result.status == 1)
        #expect(result.stderr.contains("AgentHost: error: the tool server exited (killed by signal 9) while calls were pending"),
                "\(result.stderr)")
        #expect(llm.requests("inventory").count == 1)  // nothing was asked after the crash
    }

    @Test func pendingAndLaterCallsFailAtOnceWhenTheServerDies() async throws {
        let database = try await TestDatabase.make("crashclient")
        defer { database.drop() }
        let launch = ServerLaunch.shell("python3 \(TestEnvironment.fixture("crashing_server.py")) \(TestEnvironment.toolServerPath) "
            + database.serverArguments.joined(separator: " "), environment: ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "warning"])
        let client = try await MCPClient.launch(launch, callTimeout: .seconds(30))
        #expect(try await client.listTools().count == 7)
        let started = ContinuousClock.now
        await #expect(throws: MCPClientError.self) { try await client.callTool("check_stock", arguments: ["product_id": "prod1"]) }
        await #expect(throws: MCPClientError.self) { try await client.callTool("list_products", arguments: [:]) }
        // Far below the 30 s call timeout: the calls failed because the server died.
        #expect(ContinuousClock.now - started < .seconds(20))
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
