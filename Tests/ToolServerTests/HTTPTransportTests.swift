import TestSupport
import Foundation
import JSON
import Testing

/// The tools over MCP Streamable HTTP: the same answers as over stdio, byte for byte where the
/// transport does not matter, and the HTTP status where it does. Serialized: a server per test,
/// one at a time, beside the rest of the suite.
@Suite(.serialized) struct HTTPTransportTests {
    static let initializeParams: JSONValue = [
        "protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "tests", "version": "1"],
    ]

    @Test func initializeAndToolsListAreTheSameAsOverStdio() async throws {
        let database = try await TestDatabase.make("http_same")
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments)
        let http = HTTPRequestBuilder(port: server.port)
        let stdio = try await MCPTestClient.start(database.serverArguments, initialize: false)

        let overHTTP = try await http.request(1, "initialize", Self.initializeParams)
        let overStdio = try await stdio.request("initialize", Self.initializeParams)
        #expect(overHTTP["result"] == overStdio["result"])
        #expect(overHTTP["result"]?["protocolVersion"] == "2025-11-25")

        let listedHTTP = try await http.request(2, "tools/list")
        let listedStdio = try await stdio.request("tools/list")
        #expect(listedHTTP["result"] == listedStdio["result"])
        #expect(listedHTTP["result"]?["tools"]?.arrayValue?.count == 7)
        await finish(stdio)
        #expect(await server.stop() == 0)
    }

    @Test func everyToolAnswersAndMatchesItsPublishedSchema() async throws {
        let database = try await TestDatabase.make("http_tools")
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments)
        let http = HTTPRequestBuilder(port: server.port)
        let listed = try await http.request(1, "tools/list")
        var outputSchemas: [String: JSONValue] = [:]
        for tool in listed["result"]?["tools"]?.arrayValue ?? [] {
            if let name = tool["name"]?.stringValue { outputSchemas[name] = tool["outputSchema"] }
        }

        var called: Set<String> = []
        func call(_ tool: String, _ arguments: JSONValue) async throws -> MCPTestClient.ToolResult {
            let result = try await http.call(tool, arguments)
            #expect(!result.isError, "\(tool): \(result.text)")
            let structured = try #require(result.structured, "\(tool) returned no structuredContent")
            #expect(result.textJSON == structured, "\(tool): the text block differs from structuredContent")
            let schema = try #require(outputSchemas[tool])
            #expect(SchemaValidator.violations(of: structured, against: schema).isEmpty, "\(tool)")
            called.insert(tool)
            return result
        }

        #expect(try await call("check_stock", ["product_id": "prod1"])["stock"] == 10)
        #expect(try await call("update_stock", ["product_id": "prod3", "delta": 5, "reason": "restock"])["stock"] == 35)
        let order = try await call("create_order", orderArguments([("prod1", 2), ("prod2", 1)], key: "http-1"))
        let orderID = try #require(order.orderID)
        #expect(try await call("update_delivery_status", ["order_id": .string(orderID), "status": "in_transit"])["status"] == "in_transit")
        #expect(try await call("get_order", ["order_id": .string(orderID)])["status"] == "in_transit")
        #expect(try await call("list_orders", ["limit": 5])["count"] == 1)
        #expect(try await call("list_products", ["low_stock_below": 20])["count"] == 2)
        #expect(called.count == 7)

        // The idempotency key holds across connections, as it does across processes.
        let replay = try await call("create_order", orderArguments([("prod1", 2), ("prod2", 1)], key: "http-1"))
        #expect(replay.orderID == orderID && replay["replayed"] == true)
        #expect(try database.stock() == ["prod1": 8, "prod2": 14, "prod3": 35])
        #expect(await server.stop() == 0)
    }

    /// Requests the server can read but refuses: the same JSON-RPC error as over stdio, with 200;
    /// messages it cannot read: the same error with a null id, and 400.
    @Test func errorsAreTheSameAsOverStdio() async throws {
        let database = try await TestDatabase.make("http_errors")
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments)
        let http = HTTPRequestBuilder(port: server.port)
        let readable: [String] = [
            .request(10, "tools/call", ["name": "no_such_tool", "arguments": [:]]),
            .request(11, "tools/call", ["arguments": [:]]),
            .request(12, "tools/call", ["name": "check_stock", "arguments": [1, 2]]),
            .request(13, "resources/list"),
            .request(14, "tools/list", ["cursor": "next"]),
            .request(15, "initialize", [:]),
            #"{"jsonrpc":"2.0","id":16,"method":"tools/list","params":[1]}"#,
            #"{"jsonrpc":"1.0","id":17,"method":"ping"}"#,
        ]
        let unreadable = [#"{"jsonrpc":"2.0","id":1"#, "[]", #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, "42", #"{"id":true}"#]
        let transcript = try await SessionTranscript.run([.initialize] + readable + unreadable, arguments: database.serverArguments)
        let stdioAnswers = Array(transcript.messages.dropFirst())
        #expect(stdioAnswers.count == readable.count + unreadable.count)

        for (index, line) in (readable + unreadable).enumerated() {
            let reply = try await http.send(http.bytes(body: Array(line.utf8)))
            let expectedStatus = index < readable.count ? 200 : 400
            #expect(reply.status == expectedStatus, "\(line): HTTP \(reply.status)")
            #expect(reply.json == stdioAnswers[safe: index], "\(line)")
            #expect(reply.headers["content-type"] == "application/json")
        }
        #expect(try database.orders().isEmpty)
        #expect(await server.stop() == 0)
    }

    @Test func notificationsAndClientResponsesAreAcceptedWithoutABody() async throws {
        let database = try await TestDatabase.make("http_202", products: [])
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments)
        let http = HTTPRequestBuilder(port: server.port)
        for message: JSONValue in [
            ["jsonrpc": "2.0", "method": "notifications/initialized"],
            ["jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": 3]],
            ["jsonrpc": "2.0", "id": 7, "result": [:]],
        ] {
            let reply = try await http.post(message)
            #expect(reply.status == 202 && reply.body.isEmpty, "\(JSONWriter.string(message))")
        }
        #expect(await server.stop() == 0)
    }

    /// The request's MCP-Protocol-Version decides the answer's shape; without it the spec's
    /// default, 2025-03-26 (no structuredContent; batches allowed).
    @Test func theProtocolVersionHeaderDecidesTheShape() async throws {
        let database = try await TestDatabase.make("http_version")
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments)
        let http = HTTPRequestBuilder(port: server.port)
        let call = Array(String.call(1, "check_stock", ["product_id": "prod2"]).utf8)

        let latest = try await http.send(http.bytes(body: call))
        #expect(latest.json?["result"]?["structuredContent"]?["stock"] == 15)
        let older = try await http.send(http.bytes(body: call, headers: ["MCP-Protocol-Version": "2025-06-18"]))
        #expect(older.json?["result"]?["structuredContent"]?["stock"] == 15)
        let oldest = try await http.send(http.bytes(body: call, headers: ["MCP-Protocol-Version": nil]))
        #expect(oldest.status == 200 && oldest.json?["result"]?["structuredContent"] == nil)
        #expect(oldest.json?["result"]?["content"] != nil)

        let batch = Array("[\(String.request(1, "ping")),\(String.call(2, "check_stock", ["product_id": "prod1"]))]".utf8)
        let batched = try await http.send(http.bytes(body: batch, headers: ["MCP-Protocol-Version": "2025-03-26"]))
        #expect(batched.status == 200 && batched.json?.arrayValue?.count == 2)
        let refusedBatch = try await http.send(http.bytes(body: batch))
        #expect(refusedBatch.status == 400 && refusedBatch.json?["error"]?["code"] == -32600)
        #expect(await server.stop() == 0)
    }

    /// Calls the tools refuse change nothing, and the server goes on answering.
    @Test func badInputChangesNothing() async throws {
        let database = try await TestDatabase.make("http_bad")
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments)
        let http = HTTPRequestBuilder(port: server.port)
        let before = try database.snapshot()
        let refused: [(String, JSONValue)] = [
            ("create_order", orderArguments([("prod1", 1000)])),
            ("create_order", orderArguments([("prod1", 1), ("nope", 1)])),
            ("create_order", orderArguments([("prod1", -1)])),
            ("create_order", ["items": [], "delivery_address": "x"]),
            ("create_order", ["items": [["product_id": ["$gt": ""], "quantity": 1]], "delivery_address": "x"]),
            ("update_stock", ["product_id": "prod1", "delta": -11]),
            ("update_stock", ["product_id": "prod1", "delta": 1, "unexpected": true]),
            ("update_delivery_status", ["order_id": "ord_nope", "status": "delivered"]),
            ("check_stock", ["product_id": ["$ne": "x"]]),
        ]
        for (tool, arguments) in refused {
            let result = try await http.call(tool, arguments)
            #expect(result.isError, "\(tool) \(JSONWriter.string(arguments)) was accepted: \(result.text)")
        }
        #expect(try database.snapshot() == before)
        #expect(try await http.call("check_stock", ["product_id": "prod1"])["stock"] == 10)
        #expect(await server.stop() == 0)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
