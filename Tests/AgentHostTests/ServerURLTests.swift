import TestSupport
import Foundation
import JSON
import Testing

/// `AgentHost --server-url`: the agents use a running HTTP ToolServer instead of spawning one.
@Suite struct ServerURLTests {
    @Test func theDemoOrdersGoThroughARunningHTTPServer() async throws {
        let database = try await TestDatabase.make("server_url")
        defer { database.drop() }
        let token = "agent-host-test-token-0123456789"
        let server = try await HTTPServerProcess.start(database.serverArguments, token: token)
        let llm = try ScriptedLLMServer(DemoScript.perOrderRoutes)
        defer { llm.stop() }
        var environment = TestEnvironment.childEnvironment
        environment["TOOLSERVER_TOKEN"] = token
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "process-orders", TestEnvironment.repositoryFile("examples/demo-orders.json"),
            "--base-url", llm.baseURL, "--model", "scripted", "--agent-profile", "small", "--server-url", server.url,
        ], environment: environment, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try database.orders().count == 2)
        #expect(try database.stock() == ["prod1": 8, "prod2": 14, "prod3": 27])
        // The server served them and runs on.
        #expect(server.isRunning)
        #expect(await server.stop() == 0)
    }

    @Test func aWrongTokenOrABadURLFailsBeforeTheAgentsStart() async throws {
        let database = try await TestDatabase.make("server_url_refused", products: [])
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments, token: "the-right-token-0123456789")
        var environment = TestEnvironment.childEnvironment
        environment["TOOLSERVER_TOKEN"] = "not-the-right-token-012345"
        let refused = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "ship everything", "--base-url", "http://127.0.0.1:9/v1", "--model", "scripted", "--server-url", server.url,
        ], environment: environment, timeout: .seconds(60))
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("HTTP 401") && refused.stderr.contains("TOOLSERVER_TOKEN"), "\(refused.stderr)")
        #expect(await server.stop() == 0)

        let bad = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "ship everything", "--base-url", "http://127.0.0.1:9/v1", "--model", "scripted", "--server-url", "ftp://x",
        ], environment: environment, timeout: .seconds(30))
        #expect(bad.status == 3 && bad.stderr.contains("--server-url"), "\(bad.stderr)")
    }
}
