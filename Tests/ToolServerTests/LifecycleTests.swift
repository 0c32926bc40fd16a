import TestSupport
import Foundation
import JSON
@testable import MCPServerKit
import Testing

/// The session around the tools: version negotiation, ping, batches, draining at end of input,
/// the message size cap, a database that is down, the command line, seeding, and what may appear
/// on stdout and stderr.
@Suite struct LifecycleTests {
    // MARK: Versions

    struct Negotiation: Sendable, CustomTestStringConvertible {
        let requested: String
        let answered: String
        var structured: Bool { answered != "2025-03-26" }
        var testDescription: String { "\(requested) → \(answered)" }
    }

    static let negotiations = [
        Negotiation(requested: "2025-11-25", answered: "2025-11-25"),
        Negotiation(requested: "2025-06-18", answered: "2025-06-18"),
        Negotiation(requested: "2025-03-26", answered: "2025-03-26"),
        Negotiation(requested: "2024-11-05", answered: "2025-11-25"),
        Negotiation(requested: "2099-01-01", answered: "2025-11-25"),
        Negotiation(requested: "banana", answered: "2025-11-25"),
    ]

    @Test("initialize negotiates the protocol version; 2025-03-26 has no title, outputSchema or structuredContent",
          arguments: negotiations)
    func versionNegotiation(_ case_: Negotiation) async throws {
        let database = try await TestDatabase.make("version")
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments, initialize: false)
        let reply = try await client.request("initialize", [
            "protocolVersion": .string(case_.requested), "capabilities": [:], "clientInfo": ["name": "tests", "version": "1"],
        ])
        let result = try #require(reply["result"])
        #expect(result["protocolVersion"] == .string(case_.answered))
        #expect(result["capabilities"] == ["tools": ["listChanged": false]])
        #expect(result["serverInfo"]?["name"] == "order-tools")
        #expect(result["serverInfo"]?["version"] == "0.1.0")
        #expect((result["serverInfo"]?["title"] != nil) == case_.structured)
        #expect(result["instructions"]?.stringValue?.isEmpty == false)
        try client.notify("notifications/initialized")

        let tools = try #require(try await client.request("tools/list")["result"]?["tools"]?.arrayValue)
        #expect(tools.count == 7)
        for tool in tools {
            #expect((tool["title"] != nil) == case_.structured, "\(String(describing: tool["name"]))")
            #expect((tool["outputSchema"] != nil) == case_.structured, "\(String(describing: tool["name"]))")
            #expect(tool["inputSchema"]?["type"] == "object")
        }

        let stock = try await client.call("check_stock", ["product_id": "prod1"])
        #expect(!stock.isError)
        #expect((stock.raw["structuredContent"] != nil) == case_.structured)
        // The text block carries the same JSON in every revision.
        #expect(stock.textJSON?["stock"] == 10)
        #expect(stock.textJSON?["name"] == "Laptop")
        await finish(client)
    }

    @Test("under 2025-03-26 a batch is answered with one array; an empty batch is refused")
    func batchesUnder20250326() async throws {
        let database = try await TestDatabase.make("batch")
        defer { database.drop() }
        let initialize = String.request(0, "initialize", [
            "protocolVersion": "2025-03-26", "capabilities": [:], "clientInfo": ["name": "tests", "version": "1"],
        ])
        let batch = "[" + [
            String.request(1, "ping"),
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            String.call(2, "check_stock", ["product_id": "prod2"]),
            String.request(3, "nope"),
        ].joined(separator: ",") + "]"
        let session = try await SessionTranscript.run([initialize, batch, "[]", .request(9, "ping")],
                                                      arguments: database.serverArguments)
        #expect(session.status == 0)
        #expect(session.protocolViolations.isEmpty, "\(session.protocolViolations)")
        #expect(session.messages.count == 4, "\(session.lines)")
        let answers = try #require(session.messages.first { $0.arrayValue != nil }?.arrayValue)
        #expect(answers.count == 3)
        #expect(answers.first { $0["id"] == 1 }?["result"] == [:])
        #expect(answers.first { $0["id"] == 2 }?["result"]?["content"]?[0]?["text"]?.stringValue?.contains("\"stock\":15") == true)
        #expect(answers.first { $0["id"] == 2 }?["result"]?["structuredContent"] == nil)
        #expect(answers.first { $0["id"] == 3 }?["error"]?["code"] == -32601)
        let empty = session.messages.first { $0["id"] == .null }
        #expect(empty?["error"]?["code"] == -32600)
        #expect(try session.response(9)["result"] == [:])
    }

    @Test("ping answers {} before and after initialize")
    func ping() async throws {
        let database = try await TestDatabase.make("ping", products: [])
        defer { database.drop() }
        let session = try await SessionTranscript.run([.request(1, "ping"), .initialize, .request(2, "ping", [:]),
                                                       .request(3, "tools/list")], arguments: database.serverArguments)
        #expect(session.status == 0)
        #expect(try session.response(1) == ["jsonrpc": "2.0", "id": 1, "result": [:]])
        #expect(try session.response(2) == ["jsonrpc": "2.0", "id": 2, "result": [:]])
        #expect(try session.response(3)["result"]?["tools"]?.arrayValue?.count == 7, "tools/list works without the database being needed")
        #expect(session.protocolViolations.isEmpty)
    }

    // MARK: The reader

    @Test("the reader runs a read itself only alone, with nothing on a worker, and not after a slow one")
    func whatTheReaderRuns() async {
        let calls = ReaderCalls()
        #expect(calls.runsOnReader(readOnly: true, moreRead: false))
        #expect(!calls.runsOnReader(readOnly: false, moreRead: false), "a write")
        #expect(!calls.runsOnReader(readOnly: true, moreRead: true), "another line already read")
        calls.inFlight.add(1, ordering: .relaxed)
        #expect(!calls.runsOnReader(readOnly: true, moreRead: false), "a call on a worker")
        calls.inFlight.subtract(1, ordering: .relaxed)
        await calls.timed(read: true) { try? await Task.sleep(for: ReaderCalls.slowRead * 2) }
        #expect(!calls.runsOnReader(readOnly: true, moreRead: false), "after a slow read")
        await calls.timed(read: false) { try? await Task.sleep(for: ReaderCalls.slowRead * 2) }
        #expect(!calls.runsOnReader(readOnly: true, moreRead: false), "a slow write changes nothing")
        await calls.timed(read: true) {}
        #expect(calls.runsOnReader(readOnly: true, moreRead: false), "a quick read again")
    }

    // MARK: End of input

    @Test("every request read before stdin closes is answered, then the process exits 0")
    func drainsBeforeExit() async throws {
        let database = try await TestDatabase.make("drain")
        defer { database.drop() }
        var lines: [String] = [.initialize]
        var id: Int64 = 1
        var orderIDs: [Int64] = []
        for round in 0..<10 {
            lines.append(.call(id, "create_order", orderArguments([("prod3", 1)], address: "drain \(round)")))
            orderIDs.append(id)
            lines.append(.call(id + 1, "check_stock", ["product_id": "prod1"]))
            lines.append(.call(id + 2, "list_orders", ["limit": 5]))
            lines.append(.request(id + 3, "ping"))
            id += 4
        }
        let session = try await SessionTranscript.run(lines, arguments: database.serverArguments)
        #expect(session.status == 0)
        #expect(session.protocolViolations.isEmpty)
        #expect(session.messages.count == lines.count, "one response per request, no more")
        for request in 0..<id { _ = try session.response(request) }
        for request in orderIDs {
            #expect(try session.response(request)["result"]?["isError"] == false)
        }
        #expect(try database.orders().count == 10)
        #expect(try database.stock()["prod3"] == 20)
    }

    @Test("sessions that end while the server is still connecting to the database exit 0")
    func exitWhileConnecting() async throws {
        let database = try await TestDatabase.make("exit", products: [])
        defer { database.drop() }
        // Exiting while the warm-up is inside libmongoc used to crash now and then (SIGSEGV in
        // OpenSSL's clean-up at exit); many short sessions at once give it the chance.
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<32 {
                group.addTask {
                    let input = index.isMultiple(of: 2) ? [String]() : [String.initialize]
                    return try await SessionTranscript.run(input, arguments: database.serverArguments).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.count == 32)
        #expect(statuses.allSatisfy { $0 == 0 }, "exit statuses: \(statuses.filter { $0 != 0 })")
    }

    @Test("calls still waiting for a down database when stdin closes are answered before exit")
    func drainsSlowCalls() async throws {
        let lines: [String] = [.initialize] + (1...6).map { .call($0, "check_stock", ["product_id": "prod1"]) }
        let session = try await SessionTranscript.run(lines, arguments: DownDatabase.arguments())
        #expect(session.status == 0)
        #expect(session.messages.count == 7)
        for id in Int64(1)...6 {
            let text = try session.response(id)["result"]?["content"]?[0]?["text"]?.stringValue ?? ""
            #expect(text.hasPrefix("database unavailable"), "\(text)")
        }
    }

    // MARK: Size cap

    /// A ping request padded to exactly `bytes` bytes.
    static func paddedPing(id: Int64, bytes: Int) -> String {
        let empty = String.request(id, "ping", ["pad": ""])
        let padded = String.request(id, "ping", ["pad": .string(String(repeating: "x", count: bytes - empty.utf8.count))])
        precondition(padded.utf8.count == bytes)
        return padded
    }

    @Test("--max-message-bytes: a line of exactly the cap is served, one byte more is refused and skipped")
    func configuredSizeCap() async throws {
        let database = try await TestDatabase.make("cap", products: [])
        defer { database.drop() }
        let session = try await SessionTranscript.run(
            [.initialize, Self.paddedPing(id: 1, bytes: 1024), Self.paddedPing(id: 2, bytes: 1025), .request(3, "ping"),
             Self.paddedPing(id: 4, bytes: 5000) + "\r", Self.paddedPing(id: 5, bytes: 1000) + "\r"],
            arguments: database.serverArguments + ["--max-message-bytes", "1024"])
        #expect(session.status == 0)
        #expect(session.protocolViolations.isEmpty)
        #expect(try session.response(1)["result"] == [:])
        #expect(session.messages.filter { $0["id"] == 2 }.isEmpty, "the oversized request must not be served")
        #expect(session.messages.filter { $0["id"] == 4 }.isEmpty)
        #expect(try session.response(3)["result"] == [:])
        #expect(try session.response(5)["result"] == [:], "\\r\\n line endings are accepted")
        let refusals = session.messages.filter { $0["id"] == .null }
        #expect(refusals.count == 2)
        #expect(refusals.allSatisfy { $0["error"]?["code"] == -32600 })
        #expect(refusals.first?["error"]?["message"]?.stringValue?
            .contains("message of 1025 bytes exceeds the limit of 1024 bytes (--max-message-bytes)") == true)
        #expect(session.messages.count == 6)
    }

    /// A ping request padded with insignificant whitespace to exactly `bytes` bytes: as large a
    /// message as any, but cheap to parse.
    static func spacedPing(id: Int64, bytes: Int) -> [UInt8] {
        let request = Array(String.request(id, "ping").utf8)
        return request.dropLast() + Array(repeating: UInt8(ascii: " "), count: bytes - request.count) + [UInt8(ascii: "}")]
    }

    @Test("the default cap is 4 MiB: 4194304 bytes are served, 4194305 refused, and the process carries on")
    func defaultSizeCap() async throws {
        let database = try await TestDatabase.make("cap", products: [])
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments)
        let atCap = try await client.request(rawLine: Self.spacedPing(id: 1_000_001, bytes: 4_194_304), id: 1_000_001)
        #expect(atCap["result"] == [:])
        try client.sendRaw(Self.spacedPing(id: 1_000_002, bytes: 4_194_305))
        #expect(try await client.request("ping")["result"] == [:])
        await finish(client)
        let refusals = client.unmatched.filter { $0["id"] == .null }
        #expect(refusals.count == 1)
        #expect(refusals.first?["error"]?["code"] == -32600)
        #expect(refusals.first?["error"]?["message"]?.stringValue?.contains("exceeds the limit of 4194304 bytes") == true)
        #expect(client.stdoutLineCount == 4, "initialize, the capped ping, the refusal, the last ping; nothing for the skipped request")
    }

    // MARK: Database down

    @Test("with the database down, initialize and tools/list work and every tool says 'database unavailable'")
    func databaseDown() async throws {
        let client = try await MCPTestClient.start(DownDatabase.arguments())
        let tools = try await client.request("tools/list")["result"]?["tools"]?.arrayValue ?? []
        #expect(tools.count == 7)
        let calls: [(String, JSONValue)] = [
            ("check_stock", ["product_id": "prod1"]),
            ("update_stock", ["product_id": "prod1", "delta": 5]),
            ("create_order", orderArguments([("prod1", 1)])),
            ("update_delivery_status", ["order_id": "ord_x", "status": "cancelled"]),
            ("get_order", ["order_id": "ord_x"]),
            ("list_orders", [:]),
            ("list_products", ["limit": 3]),
        ]
        let results = try await withThrowingTaskGroup(of: (String, MCPTestClient.ToolResult).self) { group in
            for (tool, arguments) in calls { group.addTask { (tool, try await client.call(tool, arguments)) } }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 7)
        for (tool, result) in results {
            #expect(result.isError, "\(tool)")
            #expect(result.text.hasPrefix("database unavailable"), "\(tool): \(result.text)")
            #expect(result.text.hasSuffix("Nothing was changed; retry shortly."), "\(tool): \(result.text)")
            #expect(result.structured == nil)
        }
        // Argument errors are still reported as such: they never reach the database.
        let bad = try await client.call("check_stock", ["product_id": ["$gt": ""]])
        #expect(bad.text.hasPrefix("invalid arguments: product_id"))
        #expect(try await client.request("ping")["result"] == [:])
        await finish(client)
    }

    @Test("with the database down, concurrent calls each fail within about --db-timeout-ms, not one after another")
    func databaseDownCallsFailConcurrently() async throws {
        let client = try await MCPTestClient.start(DownDatabase.arguments(), timeout: .seconds(240))
        let count = 64
        let texts = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<count { group.addTask { try await client.call("check_stock", ["product_id": "prod1"]).text } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        await finish(client)
        #expect(texts.count == count)
        #expect(texts.allSatisfy { $0.hasPrefix("database unavailable") })
        // How long each call took inside the server, from its log (`event=tool.error … ms=…`), so
        // that a busy machine delaying the client does not count. Waiting in turn, the calls take
        // 0.5, 1, 1.5 … 32 s (median 16 s); a few at a time, still several seconds; side by side,
        // each about the 0.5 s timeout.
        let durations = client.stderr.split(separator: "\n").filter { $0.contains("event=tool.error") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("ms=") }.flatMap { Double($0.dropFirst(3)) }
        }.sorted()
        #expect(durations.count == count)
        let median = durations.isEmpty ? .infinity : durations[durations.count / 2]
        #expect(median < Double(DownDatabase.timeoutMS * 8), "median \(median) ms; all: \(durations.map { Int($0) })")
    }

    // MARK: Secrets and streams

    @Test("credentials in --mongodb-uri never appear in stderr or any response")
    func credentialsStaySecret() async throws {
        let uri = "mongodb://orderbot:s3cr3t-P4ss@127.0.0.1:1/?serverSelectionTimeoutMS=500"
        let arguments = ["--mongodb-uri", uri, "--db-timeout-ms", "500", "--log-level", "debug"]
        let lines: [String] = [.initialize, .request(1, "tools/list"),
                               .call(2, "check_stock", ["product_id": "prod1"]),
                               .call(3, "create_order", orderArguments([("prod1", 1)])),
                               .call(4, "list_orders", [:]),
                               .call(5, "nope", [:])]
        let session = try await SessionTranscript.run(lines, arguments: arguments)
        #expect(session.status == 0)
        #expect(session.messages.count == 6)
        let stdout = session.lines.joined(separator: "\n")
        for secret in ["s3cr3t-P4ss", "orderbot:"] {
            #expect(!stdout.contains(secret))
            #expect(!session.stderr.contains(secret), "\(session.stderr)")
        }
        #expect(session.stderr.contains("mongodb://***@127.0.0.1:1"), "the URI is logged redacted: \(session.stderr)")
        #expect(try session.response(2)["result"]?["content"]?[0]?["text"]?.stringValue?.hasPrefix("database unavailable") == true)

        // The seed command fails with the same care.
        let seed = try await ProcessRunner.run(TestEnvironment.toolServerPath, ["seed", "--demo"] + arguments)
        #expect(seed.status != 0)
        #expect(seed.stderr.contains("database unavailable"))
        #expect(!seed.stderr.contains("s3cr3t-P4ss") && !seed.stderr.contains("orderbot:"))
        #expect(!String(decoding: seed.stdout, as: UTF8.self).contains("s3cr3t-P4ss"))

        // So does a URI that does not parse.
        let invalid = try await ProcessRunner.run(TestEnvironment.toolServerPath,
                                                  ["--mongodb-uri", "mongodb://orderbot:s3cr3t-P4ss@:bad/"], input: Data())
        #expect(invalid.status != 0)
        #expect(!invalid.stderr.contains("s3cr3t-P4ss") && !invalid.stderr.contains("orderbot:"), "\(invalid.stderr)")
        #expect(invalid.stdout.isEmpty)
    }

    @Test("stdout carries protocol messages only, even with debug logging and the driver complaining")
    func stdoutIsProtocolOnly() async throws {
        let database = try await TestDatabase.make("stdout")
        defer { database.drop() }
        let lines: [String] = [.initialize, .request(1, "tools/list"),
                               .call(2, "create_order", orderArguments([("prod1", 1)])),
                               .call(3, "check_stock", ["product_id": "nope"]),
                               "not json", .request(4, "nope"),
                               .call(5, "list_products", [:])]
        for arguments in [database.serverArguments + ["--log-level", "debug"], DownDatabase.arguments() + ["--log-level", "debug"]] {
            let session = try await SessionTranscript.run(lines, arguments: arguments)
            #expect(session.status == 0)
            #expect(session.protocolViolations.isEmpty, "\(session.protocolViolations)")
            #expect(session.messages.count == 7)
            // The logs went to stderr instead.
            #expect(session.stderr.contains("event=server.start"))
            #expect(session.stderr.contains("event=tool.error"))
        }
    }

    // MARK: Command line

    @Test("--help and --version exit 0; a bad option exits non-zero without serving")
    func commandLine() async throws {
        let help = try await ProcessRunner.run(TestEnvironment.toolServerPath, ["--help"])
        #expect(help.status == 0)
        let helpText = String(decoding: help.stdout, as: UTF8.self)
        #expect(helpText.contains("USAGE"))
        #expect(helpText.contains("seed"))

        let serveHelp = try await ProcessRunner.run(TestEnvironment.toolServerPath, ["serve", "--help"])
        #expect(serveHelp.status == 0)
        let serveText = String(decoding: serveHelp.stdout, as: UTF8.self)
        for option in ["--read-only", "--disable-tools", "--max-message-bytes", "--no-transactions", "--mongodb-uri", "--db-timeout-ms"] {
            #expect(serveText.contains(option), "\(option)")
        }

        let version = try await ProcessRunner.run(TestEnvironment.toolServerPath, ["--version"])
        #expect(version.status == 0)
        #expect(String(decoding: version.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")

        let unknownTool = try await ProcessRunner.run(TestEnvironment.toolServerPath, ["--disable-tools", "check_stok"],
                                                      input: Data((String.request(1, "ping") + "\n").utf8))
        #expect(unknownTool.status != 0)
        #expect(unknownTool.stdout.isEmpty)
        #expect(unknownTool.stderr.contains("check_stok"))
    }

    @Test("MONGODB_URI, MONGODB_DATABASE and LOG_LEVEL set but empty count as unset")
    func emptyEnvironmentVariablesAreUnset() async throws {
        let environment = ProcessInfo.processInfo.environment.merging(
            ["MONGODB_URI": "", "MONGODB_DATABASE": "", "LOG_LEVEL": ""]) { $1 }
        // No database is needed to initialize; the start line says what was chosen.
        let session = try await SessionTranscript.run([.initialize], arguments: ["--db-timeout-ms", "200"],
                                                      environment: environment)
        #expect(session.status == 0, "\(session.stderr)")
        #expect(try session.response(0)["result"]?["protocolVersion"] != nil)
        #expect(session.stderr.contains("mongodb=mongodb://127.0.0.1:27017"), "\(session.stderr)")
        #expect(session.stderr.contains("database=warehouse"), "\(session.stderr)")
    }

    @Test("ToolServer tools prints every tool with its schemas")
    func toolsCommand() async throws {
        let result = try await ProcessRunner.run(TestEnvironment.toolServerPath, ["tools"])
        #expect(result.status == 0)
        let listing = try JSONParser.parse(Array(result.stdout))
        let tools = listing["tools"]?.arrayValue ?? []
        #expect(tools.compactMap { $0["name"]?.stringValue } == ToolCatalogTests.allTools)
        #expect(tools.allSatisfy { $0["inputSchema"] != nil && $0["outputSchema"] != nil && $0["title"] != nil })
    }

    @Test("seed --demo loads prod1 Laptop 10, prod2 Smartphone 15, prod3 Headphones 30")
    func seedDemo() async throws {
        let database = try await TestDatabase.make("seed", products: [])
        defer { database.drop() }
        let seed = try await ProcessRunner.run(TestEnvironment.toolServerPath, ["seed", "--demo"] + database.serverArguments)
        #expect(seed.status == 0, "\(seed.stderr)")
        let products = try database.productDocuments()
        let expected: [(String, String, Int64, Int64)] = [("prod1", "Laptop", 99_999, 10), ("prod2", "Smartphone", 59_999, 15),
                                                          ("prod3", "Headphones", 9_999, 30)]
        for (id, name, cents, stock) in expected {
            #expect(products[id]?["name"] == .string(name))
            #expect(products[id]?["price_minor"] == .int(cents))
            #expect(products[id]?["stock"] == .int(stock))
        }

        // Seeding again replaces by id: no duplicates, stock reset.
        let client = try await MCPTestClient.start(database.serverArguments)
        #expect(try await client.call("update_stock", ["product_id": "prod1", "delta": -4])["stock"] == 6)
        let again = try await ProcessRunner.run(TestEnvironment.toolServerPath, ["seed", "--demo"] + database.serverArguments)
        #expect(again.status == 0)
        let listed = try await client.call("list_products", [:])
        #expect(listed["count"] == .int(Int64(products.count)))
        let first = listed["products"]?[0]
        #expect(first == ["product_id": "prod1", "name": "Laptop", "price": 999.99, "currency": "USD", "stock": 10])
        await finish(client)
    }
}

extension JSONValue {
    /// The element at `index` of an array.
    subscript(index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
