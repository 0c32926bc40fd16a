import TestSupport
import Foundation
import JSON
import MCPClient
import Testing

/// MCPClient over HTTP (what `AgentHost --server-url` uses) against the real server.
@Suite(.serialized) struct HTTPClientTests {
    @Test func connectsListsAndCallsWithTheToken() async throws {
        let database = try await TestDatabase.make("http_client")
        defer { database.drop() }
        let token = "client-test-token-0123456789"
        let server = try await HTTPServerProcess.start(database.serverArguments, token: token)
        let endpoint = try #require(ServerEndpoint(server.url, token: token))
        let client = try await MCPClient.connect(endpoint, callTimeout: .seconds(30))
        #expect(client.isAlive && client.pid == nil)
        let tools = try await client.listTools()
        #expect(tools.count == 7)
        #expect(tools.first { $0.name == "check_stock" }?.readOnly == true)
        let stock = try await client.callTool("check_stock", arguments: ["product_id": "prod2"])
        #expect(!stock.isError && stock.structured?["stock"] == 15)
        let short = try await client.callTool("create_order", arguments: orderArguments([("prod2", 99)]))
        #expect(short.isError && short.text.contains("insufficient stock"))
        await #expect(throws: MCPClientError.self) { try await client.request("no/such/method") }
        #expect(await client.shutdown() == "disconnected")
        #expect(!client.isAlive)
        #expect(server.isRunning)
        #expect(await server.stop() == 0)
    }

    @Test func aWrongTokenOrNoServerIsAClearError() async throws {
        let database = try await TestDatabase.make("http_client_refused", products: [])
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments, token: "the-right-token-0123456789")
        let wrongToken = try #require(ServerEndpoint(server.url, token: "a-wrong-token-0123456789"))
        let noToken = try #require(ServerEndpoint(server.url))
        do throws(MCPClientError) {
            _ = try await MCPClient.connect(wrongToken)
            Issue.record("connected with a wrong token")
        } catch {
            guard case .refused(401, _) = error else { Issue.record("expected refused(401), got \(error)"); return }
            #expect(error.description.contains("TOOLSERVER_TOKEN"))
        }
        #expect(await server.stop() == 0)

        do throws(MCPClientError) {
            _ = try await MCPClient.connect(noToken, handshakeTimeout: .seconds(5))
            Issue.record("connected to a stopped server")
        } catch {
            guard case .unreachable = error else { Issue.record("expected unreachable, got \(error)"); return }
        }
        #expect(ServerEndpoint("ftp://127.0.0.1/mcp") == nil && ServerEndpoint("not a url") == nil)
    }
}
