import TestSupport
import Foundation
import JSON
import Testing

/// The two ways `create_order` and cancellation keep stock consistent; suites that test
/// atomicity run once per path.
enum StorePath: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// Multi-document transactions: the default, since the stand-in presents as a replica set.
    case transactions
    /// `--no-transactions`: the marker protocol.
    case markers

    var arguments: [String] { self == .markers ? ["--no-transactions"] : [] }
    /// What the server logs on its first connection (`store.ready … transactions=…`).
    var readyLog: String { self == .markers ? "transactions=false" : "transactions=true" }
    var testDescription: String { self == .markers ? "no transactions (--no-transactions)" : "transactions" }
}

extension TestDatabase {
    /// Both collections, every document sorted by `_id`.
    func snapshot() throws -> [String: [JSONValue]] { try inspector.snapshot() }

    /// Starts `count` ToolServer processes on this database, each an initialized client. Their
    /// requests may take long on a loaded machine (they compete for the same products), so they
    /// wait longer than a single client does before calling a request lost.
    func startClients(_ count: Int, extraArguments: [String] = [], timeout: Duration = .seconds(240)) async throws -> [MCPTestClient] {
        // A wait for the database of 30 s, not the default 5: with the whole suite on two cores the
        // stand-in once left a server's check unanswered for over 5 s, and a set-up call of a race
        // test failed as "database unavailable". Tests of outages give their own.
        let patience = extraArguments.contains("--db-timeout-ms") ? [] : ["--db-timeout-ms", "30000"]
        let arguments = serverArguments + patience + extraArguments
        return try await withThrowingTaskGroup(of: (Int, MCPTestClient).self) { group in
            for index in 0..<count {
                group.addTask { (index, try await MCPTestClient.start(arguments, timeout: timeout)) }
            }
            var clients: [(Int, MCPTestClient)] = []
            for try await client in group { clients.append(client) }
            return clients.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Every product's raw document by id.
    func productDocuments() throws -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for product in try inspector.documents("products") {
            if let id = product["_id"]?.stringValue { result[id] = product }
        }
        return result
    }
}

extension TestDatabase {
    /// What is wrong with the markers the no-transaction path left on the products once its work
    /// is done: there must be no `holds` (every reservation finished), and `releases` only for
    /// cancelled orders whose restock is done, one per order and product (they are kept a while on
    /// purpose, so that a stalled operation can never return the stock twice).
    func markerProblems() throws -> [String] {
        var problems: [String] = []
        let orders = Dictionary(uniqueKeysWithValues: try self.orders().compactMap { order in order["_id"]?.stringValue.map { ($0, order) } })
        for (id, product) in try productDocuments() {
            if let holds = product["holds"]?.arrayValue, !holds.isEmpty { problems.append("\(id) holds \(JSONWriter.string(.array(holds)))") }
            let released = (product["releases"]?.arrayValue ?? []).compactMap { $0["order"]?.stringValue ?? $0.stringValue }
            if Set(released).count != released.count { problems.append("\(id) has a release twice: \(released)") }
            for order in released where orders[order]?["status"] != "cancelled" || orders[order]?["restock"].map({ $0 == "done" }) == false {
                problems.append("\(id) has a release of \(order), which is not a finished cancellation")
            }
        }
        return problems
    }
}

/// Closes the client, and checks what every session must satisfy: exit status 0 and nothing but
/// JSON-RPC responses on stdout.
func finish(_ client: MCPTestClient, sourceLocation: SourceLocation = #_sourceLocation) async {
    let status = await client.close()
    #expect(status == 0, "exit status \(status); stderr: \(client.stderr.suffix(2000))", sourceLocation: sourceLocation)
    #expect(client.protocolViolations.isEmpty, "non-protocol stdout: \(client.protocolViolations)", sourceLocation: sourceLocation)
    let duplicates = client.unmatched.filter { $0["duplicate"] != nil }
    #expect(duplicates.isEmpty, "requests answered more than once: \(duplicates.prefix(3))", sourceLocation: sourceLocation)
}

func finish(_ clients: [MCPTestClient], sourceLocation: SourceLocation = #_sourceLocation) async {
    for client in clients { await finish(client, sourceLocation: sourceLocation) }
}

/// A server whose database is down: nothing listens on port 1, and every wait is short.
enum DownDatabase {
    static let uri = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500"
    static let timeoutMS = 500
    static func arguments(database: String = "down") -> [String] {
        ["--mongodb-uri", uri, "--db-timeout-ms", String(timeoutMS), "--database", database]
    }
}

extension MCPTestClient.ToolResult {
    /// The JSON of the one text block, parsed (nil when it is not JSON).
    var textJSON: JSONValue? { try? JSONParser.parse(text) }
    var contentCount: Int { raw["content"]?.arrayValue?.count ?? 0 }
    var orderID: String? { self["order_id"]?.stringValue }
}

/// Sums the quantities of order lines by product.
func unitsByProduct(_ lines: [(product: String, quantity: Int64)]) -> [String: Int64] {
    lines.reduce(into: [:]) { $0[$1.product, default: 0] += $1.quantity }
}

/// The lines of an order document as stored (`lines: [{product_id, quantity, …}]`).
func storedLines(_ order: JSONValue) -> [(product: String, quantity: Int64)] {
    (order["lines"]?.arrayValue ?? []).compactMap { line in
        guard let product = line["product_id"]?.stringValue, let quantity = line["quantity"]?.integerValue else { return nil }
        return (product, quantity)
    }
}

/// A create_order argument object.
func orderArguments(_ items: [(String, Int64)], address: String = "1 Test Street", key: String? = nil) -> JSONValue {
    var arguments: JSONObject = [
        "items": .array(items.map { ["product_id": .string($0.0), "quantity": .int($0.1)] }),
        "delivery_address": .string(address),
    ]
    if let key { arguments["idempotency_key"] = .string(key) }
    return .object(arguments)
}

/// A small deterministic generator (SplitMix64), so a failing run can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
