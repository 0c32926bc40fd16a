import TestSupport
import Foundation
import JSON
import Testing

/// What a hostile or broken HTTP client gets: the right status and a short JSON-RPC-shaped error
/// that echoes nothing; never a crash, never a write; and the server answers afterwards. Every
/// refused request carries a create_order body, so a refusal that let it through would show in
/// the database. Serialized, and one server for all the refusals: the suite runs beside the
/// rest of the tests on two cores, and a crowd of servers would slow everyone's database calls.
@Suite(.serialized) struct HostileHTTPTests {
    /// Small limits, so that each is reached quickly and the test never waits long.
    static let limits = ["--max-message-bytes", "4096", "--body-timeout-ms", "600", "--idle-timeout-ms", "1500",
                         "--max-connections", "8"]
    static let order = JSONWriter.bytes(.object([
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": ["name": "create_order", "arguments": orderArguments([("prod1", 1)], address: "Intruder Road")],
    ]))

    struct Case: Sendable {
        let name: String
        let status: Int
        let request: @Sendable (HTTPRequestBuilder) -> [UInt8]
    }

    static let refusals: [Case] = [
        Case(name: "another path", status: 404) { $0.bytes(path: "/mcp/../admin", body: order) },
        Case(name: "the root", status: 404) { $0.bytes(path: "/", body: order) },
        Case(name: "GET (no server stream)", status: 405) { $0.bytes(method: "GET", body: []) },
        Case(name: "DELETE (no session)", status: 405) { $0.bytes(method: "DELETE", body: []) },
        Case(name: "PUT", status: 405) { $0.bytes(method: "PUT", body: order) },
        Case(name: "text/plain", status: 415) { $0.bytes(body: order, headers: ["Content-Type": "text/plain"]) },
        Case(name: "no Content-Type", status: 415) { $0.bytes(body: order, headers: ["Content-Type": nil]) },
        Case(name: "form data", status: 415) {
            $0.bytes(body: order, headers: ["Content-Type": "application/x-www-form-urlencoded"])
        },
        Case(name: "Accept: text/html", status: 406) { $0.bytes(body: order, headers: ["Accept": "text/html"]) },
        Case(name: "an unknown MCP-Protocol-Version", status: 400) {
            $0.bytes(body: order, headers: ["MCP-Protocol-Version": "2099-01-01"])
        },
        Case(name: "a foreign Origin", status: 403) { $0.bytes(body: order, headers: ["Origin": "https://evil.example"]) },
        Case(name: "Origin null", status: 403) { $0.bytes(body: order, headers: ["Origin": "null"]) },
        Case(name: "a look-alike of localhost", status: 403) {
            $0.bytes(body: order, headers: ["Origin": "http://localhost.evil.example"])
        },
        Case(name: "loopback as user info", status: 403) {
            $0.bytes(body: order, headers: ["Origin": "http://127.0.0.1@evil.example"])
        },
        Case(name: "a Content-Length over the cap", status: 413) {
            $0.bytes(body: order + [UInt8](repeating: 0x20, count: 5000))
        },
        Case(name: "a chunked body over the cap", status: 413) { builder in
            let chunk = [UInt8](repeating: 0x20, count: 1000)
            let chunks = (0..<6).flatMap { _ in Array("3e8\r\n".utf8) + chunk + Array("\r\n".utf8) }
            return builder.bytes(body: chunks + Array("0\r\n\r\n".utf8),
                                 headers: ["Content-Length": nil, "Transfer-Encoding": "chunked"])
        },
    ]

    @Test func refusedWithTheRightStatusAndNothingWritten() async throws {
        let database = try await TestDatabase.make("hostile")
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments + Self.limits)
        let http = HTTPRequestBuilder(port: server.port)
        let before = try database.snapshot()

        for refusal in Self.refusals {
            let reply = try await http.send(refusal.request(http))
            #expect(reply.status == refusal.status, "\(refusal.name)")
            Self.expectQuietError(reply)
            if refusal.status == 405 { #expect(reply.headers["allow"] == "POST", "\(refusal.name)") }
        }

        #expect(try database.snapshot() == before)
        #expect(try await http.call("check_stock", ["product_id": "prod1"])["stock"] == 10)
        #expect(server.isRunning)
        #expect(await server.stop() == 0)
    }

    /// A fixed JSON-RPC error with a null id, short, that quotes nothing of the request.
    static func expectQuietError(_ reply: HTTPReply, sourceLocation: SourceLocation = #_sourceLocation) {
        let body = reply.json
        #expect(body?["jsonrpc"] == "2.0" && body?["id"] == .null, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(body?["error"]?["code"]?.integerValue != nil, sourceLocation: sourceLocation)
        let message = body?["error"]?["message"]?.stringValue ?? ""
        #expect(!message.isEmpty && message.count < 200, sourceLocation: sourceLocation)
        for leak in ["Intruder", "evil", "prod1", "mongodb", "Hummingbird", "/mcp/..", "2099"] {
            #expect(!reply.text.contains(leak), "the answer quotes '\(leak)': \(reply.text)", sourceLocation: sourceLocation)
        }
    }

    @Test func loopbackAndConfiguredOriginsAreAllowed() async throws {
        let database = try await TestDatabase.make("hostile_origin")
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(
            database.serverArguments + Self.limits + ["--allow-origin", "https://app.example.com"])
        let http = HTTPRequestBuilder(port: server.port)
        let ping = Array(String.request(1, "ping").utf8)
        for origin in ["http://localhost:3000", "http://127.0.0.1:8080", "https://localhost", "http://[::1]:5173",
                       "https://app.example.com", "HTTPS://APP.EXAMPLE.COM"] {
            #expect(try await http.send(http.bytes(body: ping, headers: ["Origin": origin])).status == 200, "\(origin)")
        }
        for origin in ["https://app.example.com.evil.example", "http://app.example.com", "file://", "chrome-extension://abc"] {
            #expect(try await http.send(http.bytes(body: ping, headers: ["Origin": origin])).status == 403, "\(origin)")
        }
        #expect(await server.stop() == 0)
    }

    @Test func theTokenIsRequiredWhenSetAndComparedWhole() async throws {
        let database = try await TestDatabase.make("hostile_token")
        defer { database.drop() }
        let token = "s3cret-token-for-tests-0123456789"
        let server = try await HTTPServerProcess.start(database.serverArguments + Self.limits, token: token)
        let before = try database.snapshot()
        let anonymous = HTTPRequestBuilder(port: server.port)
        let wrongTokens: [String?] = [
            nil, "Bearer", "Bearer ", "Bearer s3cret", "Bearer \(token)x", "Bearer " + token.uppercased(),
            "Basic \(Data(token.utf8).base64EncodedString())", token,
        ]
        for authorization in wrongTokens {
            let reply = try await anonymous.send(anonymous.bytes(body: Self.order, headers: ["Authorization": authorization]))
            #expect(reply.status == 401, "Authorization: \(authorization ?? "none")")
            #expect(reply.headers["www-authenticate"] == "Bearer")
            Self.expectQuietError(reply)
            #expect(!reply.text.contains(token.prefix(6)))
        }
        #expect(try database.snapshot() == before)

        let authorized = HTTPRequestBuilder(port: server.port, token: token)
        let placed = try await authorized.call("create_order", orderArguments([("prod1", 1)]))
        #expect(!placed.isError && placed.orderID != nil)
        // "bearer" is case-insensitive as an auth scheme.
        let lowercase = try await anonymous.send(anonymous.bytes(body: Array(String.request(2, "ping").utf8),
                                                                 headers: ["Authorization": "bearer \(token)"]))
        #expect(lowercase.status == 200)
        #expect(await server.stop() == 0)
    }

    @Test func listeningBeyondLoopbackRequiresALongToken() async throws {
        // Validation runs before anything binds, so nothing listens beyond loopback here.
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "TOOLSERVER_TOKEN")
        let refused = try await ProcessRunner.run(TestEnvironment.toolServerPath,
                                                  ["--transport", "http", "--host", "0.0.0.0", "--port", "0"],
                                                  environment: environment)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("TOOLSERVER_TOKEN"))
        #expect(refused.stdout.isEmpty)

        environment["TOOLSERVER_TOKEN"] = "short"
        let short = try await ProcessRunner.run(TestEnvironment.toolServerPath,
                                                ["--transport", "http", "--port", "0"], environment: environment)
        #expect(short.status != 0 && short.stderr.contains("at least 16"))
    }

    @Test func malformedHTTPIsRefusedAndTheServerGoesOn() async throws {
        let database = try await TestDatabase.make("hostile_malformed")
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments + Self.limits)
        let http = HTTPRequestBuilder(port: server.port)
        let before = try database.snapshot()
        let garbage: [[UInt8]] = [
            Array("GARBAGE\r\n\r\n".utf8),
            Array("POST /mcp HTTP/9.9\r\nHost: x\r\n\r\n".utf8),
            Array("POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n".utf8) + Self.order,
            Array("POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\n".utf8) + Self.order,
            Array("POST /mcp HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n".utf8),
            Array("POST /mcp HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 40_000))\r\n\r\n".utf8),
            [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03] + [UInt8](repeating: 0, count: 64),  // a TLS hello
            [UInt8](repeating: 0xff, count: 2048),
        ]
        for bytes in garbage {
            let connection = try RawHTTPConnection(port: server.port)
            try await connection.send(bytes)
            let reply = try await connection.readReply()
            // A 4xx, or a plain close: both refuse; what matters is that the connection ends.
            if let reply { #expect((400..<500).contains(reply.status), "\(String(decoding: bytes.prefix(40), as: UTF8.self))") }
            #expect(await connection.closedByServer())
        }
        #expect(try database.snapshot() == before)
        #expect(try await http.call("check_stock", ["product_id": "prod1"])["stock"] == 10)
        #expect(await server.stop() == 0)
    }

    /// A body that stops coming is answered 408 at the body deadline and its connection closed;
    /// a connection that sends nothing is closed at the idle timeout. Neither holds the server.
    @Test func slowBodiesAndIdleConnectionsAreCutOff() async throws {
        let database = try await TestDatabase.make("hostile_slow")
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments + Self.limits)
        let http = HTTPRequestBuilder(port: server.port)
        let before = try database.snapshot()

        let slow = try RawHTTPConnection(port: server.port, receiveTimeout: .seconds(20))
        let request = http.bytes(body: Self.order)
        try await slow.send(Array(request.prefix(request.count - 10)))
        let started = ContinuousClock.now
        let reply = try #require(try await slow.readReply())
        #expect(reply.status == 408)
        #expect(ContinuousClock.now - started < .seconds(15))
        Self.expectQuietError(reply)
        #expect(await slow.closedByServer())

        let idle = try RawHTTPConnection(port: server.port, receiveTimeout: .seconds(20))
        #expect(await idle.closedByServer())

        // Headers that never finish: the idle timeout ends them too.
        let stalled = try RawHTTPConnection(port: server.port, receiveTimeout: .seconds(20))
        try await stalled.send("POST /mcp HTTP/1.1\r\nHost: x\r\n")
        #expect(await stalled.closedByServer())

        #expect(try database.snapshot() == before)
        #expect(try await http.call("check_stock", ["product_id": "prod1"])["stock"] == 10)
        #expect(await server.stop() == 0)
    }

    /// More connections than the cap, some of them idle and some posting orders: every order is
    /// served (the extra connections wait their turn), the idle ones are closed, memory stays
    /// bounded, and the server answers afterwards.
    @Test func aFloodOfConnectionsIsServedWithinTheCap() async throws {
        let database = try await TestDatabase.make("hostile_flood", products: [("f1", "Flood", "1.00", 1000)])
        defer { database.drop() }
        let server = try await HTTPServerProcess.start(database.serverArguments + Self.limits)
        let http = HTTPRequestBuilder(port: server.port)

        let idle = try (0..<16).map { _ in try RawHTTPConnection(port: server.port, receiveTimeout: .seconds(60)) }
        let orders = 48
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<orders {
                group.addTask {
                    let connection = try RawHTTPConnection(port: server.port, receiveTimeout: .seconds(60))
                    let body = JSONWriter.bytes(.object([
                        "jsonrpc": "2.0", "id": .int(Int64(index)), "method": "tools/call",
                        "params": ["name": "create_order", "arguments": orderArguments([("f1", 1)], key: "flood-\(index)")],
                    ]))
                    try await connection.send(http.bytes(body: body))
                    return try await connection.readReply()?.status ?? 0
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == orders && statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        for connection in idle { #expect(await connection.closedByServer()) }
        #expect(try database.stock() == ["f1": Int64(1000 - orders)])
        #expect(try database.orders().count == orders)
        let rss = try Self.residentMebibytes(server.pid)
        #expect(rss < 128, "RSS \(rss) MiB after the flood")
        #expect(try await http.call("check_stock", ["product_id": "f1"])["stock"] == .int(Int64(1000 - orders)))
        #expect(await server.stop() == 0)
    }

    static func residentMebibytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kibibytes = Int(line.split(separator: " ").dropFirst().first ?? "") else {
            throw TestFailure("no VmRSS in /proc/\(pid)/status")
        }
        return kibibytes / 1024
    }
}
