import TestSupport
import Foundation
import JSON
import Testing

/// A JSON-RPC fuzzer with a fixed seed: mutated valid messages, random bytes, invalid UTF-8, deep
/// nesting, huge numbers, duplicate keys and wrong types, all through one real server. The server
/// must never crash or hang, write only JSON-RPC responses, answer each request at most once, and
/// change the database only through the tool calls it reports as successful.
@Suite struct FuzzTests {
    static let seed: UInt64 = 0x5EED_2026_1130
    static let cases = 20_000

    @Test func twentyThousandHostileMessages() async throws {
        let database = try await TestDatabase.make("fuzz")
        defer { database.drop() }
        let setup = try await MCPTestClient.start(database.serverArguments)
        var orderIDs: [String] = []
        for index in 0..<3 {
            let placed = try await setup.call("create_order", orderArguments([("prod3", 1)], address: "Fuzz \(index)"))
            orderIDs.append(try #require(placed.orderID))
        }
        await finish(setup)
        let stockBefore = try database.stock()
        let ordersBefore = try database.orders().count

        var generator = SeededGenerator(seed: Self.seed)
        var fuzzer = MessageFuzzer(orderIDs: orderIDs)
        var input = Data()
        input.append(contentsOf: Array(String.initialize.utf8) + [0x0A])
        for _ in 0..<Self.cases {
            input.append(contentsOf: fuzzer.next(using: &generator))
            input.append(0x0A)
        }

        let started = ContinuousClock.now
        let transcript = try await SessionTranscript.run(bytes: input, arguments: database.serverArguments + ["--log-level", "error"])
        let elapsed = ContinuousClock.now - started
        #expect(transcript.status == 0, "the server did not exit cleanly: \(transcript.stderr.suffix(2000))")
        #expect(elapsed < .seconds(240), "took \(elapsed)")

        // Only JSON-RPC responses on stdout, at most one per request id.
        var answers: [JSONValue: Int] = [:]
        var ledger = Ledger()
        for message in transcript.messages {
            #expect(message["jsonrpc"] == "2.0" && (message["result"] != nil) != (message["error"] != nil),
                    "not a JSON-RPC response: \(JSONWriter.string(message).prefix(300))")
            if let code = message["error"]?["code"]?.integerValue {
                #expect(code != -32603, "a client's mistake answered as an internal error: \(JSONWriter.string(message).prefix(300))")
            }
            // Ids of generated messages are unique ("fz<n>-<random>"); other ids come from the random
            // JSON, where several messages may share one legitimately.
            if let id = message["id"], id.stringValue?.hasPrefix("fz") == true { answers[id, default: 0] += 1 }
            if let result = message["result"] { ledger.record(result) }
        }
        let repeated = answers.filter { $0.value > 1 }
        #expect(repeated.isEmpty, "answered more than once: \(repeated.keys.prefix(5))")
        #expect(transcript.messages.count <= Self.cases + 1)

        // The database changed exactly as the successful calls say, and nothing else.
        let expectedStock = stockBefore.merging(ledger.stockChange) { $0 + $1 }
        #expect(try database.stock() == expectedStock, "ledger: \(ledger)")
        #expect(try database.orders().count == ordersBefore + ledger.ordersCreated)
        #expect(try database.unfinishedWork() == [])
        print("fuzz: \(Self.cases) cases in \(elapsed), \(transcript.messages.count) responses, "
              + "\(ledger.successfulCalls) successful tool calls (\(ledger.ordersCreated) orders), "
              + "error codes: \(Dictionary(grouping: transcript.errorCodes, by: { $0 }).mapValues(\.count))")
    }
}

/// What the successful write calls in a transcript did to the stock, read from their results.
struct Ledger: CustomStringConvertible {
    var stockChange: [String: Int64] = [:]
    var ordersCreated = 0
    var successfulCalls = 0

    mutating func record(_ result: JSONValue) {
        guard result["isError"] == false, let output = result["structuredContent"] else { return }
        successfulCalls += 1
        if output["replayed"] == false {  // create_order
            ordersCreated += 1
            for item in output["items"]?.arrayValue ?? [] { add(item, sign: -1) }
        } else if let product = output["product_id"]?.stringValue, let delta = output["delta"]?.integerValue,
                  output["previous_stock"] != nil {  // update_stock
            stockChange[product, default: 0] += delta
        } else if output["changed"] == true, output["status"] == "cancelled" {  // update_delivery_status
            for item in output["items"]?.arrayValue ?? [] { add(item, sign: 1) }
        }
    }

    private mutating func add(_ item: JSONValue, sign: Int64) {
        guard let product = item["product_id"]?.stringValue, let quantity = item["quantity"]?.integerValue else { return }
        stockChange[product, default: 0] += sign * quantity
    }

    var description: String { "stock change \(stockChange), orders \(ordersCreated), successes \(successfulCalls)" }
}

/// Generates hostile lines: each starts from a valid message and is mutated at the byte, token
/// or structure level, or is generated from nothing.
struct MessageFuzzer {
    let orderIDs: [String]
    private var counter = 0

    init(orderIDs: [String]) { self.orderIDs = orderIDs }

    mutating func next(using rng: inout SeededGenerator) -> [UInt8] {
        counter += 1
        let base = validMessage(using: &rng)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return base  // valid: the control group
        case 1: return flipBytes(base, using: &rng)
        case 2: return truncate(base, using: &rng)
        case 3: return randomBytes(using: &rng)
        case 4: return invalidUTF8(base, using: &rng)
        case 5: return deepNesting(using: &rng)
        case 6: return Array(JSONWriter.string(swapTypes(JSONValue.object(parse(base)), using: &rng)).utf8)
        case 7: return hugeNumbers(base, using: &rng)
        case 8: return duplicateKeys(base, using: &rng)
        default: return Array(JSONWriter.string(randomJSON(depth: 0, using: &rng)).utf8)
        }
    }

    private func parse(_ bytes: [UInt8]) -> JSONObject { (try? JSONParser.parse(bytes))?.objectValue ?? [:] }

    /// A valid request with an id no mutation can turn into another message's id.
    private mutating func validMessage(using rng: inout SeededGenerator) -> [UInt8] {
        let id = JSONValue.string("fz\(counter)-" + String(rng.next(), radix: 36))
        let product = ["prod1", "prod2", "prod3", "prod9"].randomElement(using: &rng) ?? "prod1"
        let order = orderIDs.randomElement(using: &rng) ?? "ord_x"
        let calls: [(String, JSONValue)] = [
            ("check_stock", ["product_id": .string(product)]),
            ("update_stock", ["product_id": .string(product), "delta": .int(Int64.random(in: -3...3, using: &rng)), "reason": "fuzz"]),
            ("create_order", orderArguments([(product, Int64.random(in: 1...3, using: &rng))], address: "1 Fuzz Way")),
            ("update_delivery_status", ["order_id": .string(order),
                                        "status": .string(["pending", "in_transit", "delivered", "cancelled"].randomElement(using: &rng) ?? "pending")]),
            ("get_order", ["order_id": .string(order)]),
            ("list_orders", ["limit": 3]),
            ("list_products", ["low_stock_below": 50]),
        ]
        let message: JSONValue
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: message = ["jsonrpc": "2.0", "id": id, "method": "ping"]
        case 1: message = ["jsonrpc": "2.0", "id": id, "method": "tools/list"]
        case 2: message = ["jsonrpc": "2.0", "id": id, "method": "initialize",
                           "params": ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "f", "version": "1"]]]
        default:
            let (name, arguments) = calls.randomElement(using: &rng) ?? calls[0]
            message = ["jsonrpc": "2.0", "id": id, "method": "tools/call", "params": ["name": .string(name), "arguments": arguments]]
        }
        return Array(JSONWriter.string(message).utf8)
    }

    private func flipBytes(_ bytes: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) where !out.isEmpty {
            let index = Int.random(in: 0..<out.count, using: &rng)
            var byte = UInt8.random(in: 0...255, using: &rng)
            if byte == 0x0A { byte = 0x20 }  // a newline would split the line in two
            out[index] = byte
        }
        return out
    }

    private func truncate(_ bytes: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        Array(bytes.prefix(Int.random(in: 0..<max(1, bytes.count), using: &rng)))
    }

    private func randomBytes(using rng: inout SeededGenerator) -> [UInt8] {
        (0..<Int.random(in: 1...200, using: &rng)).map { _ in
            let byte = UInt8.random(in: 0...255, using: &rng)
            return byte == 0x0A ? 0x00 : byte
        }
    }

    private func invalidUTF8(_ bytes: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        let bad: [[UInt8]] = [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]]
        var out = bytes
        let at = Int.random(in: 0...out.count, using: &rng)
        out.insert(contentsOf: bad.randomElement(using: &rng) ?? [0xFF], at: at)
        return out
    }

    private func deepNesting(using rng: inout SeededGenerator) -> [UInt8] {
        let depth = Int.random(in: 10...5000, using: &rng)
        let open = Bool.random(using: &rng) ? "[" : "{\"a\":"
        let close = open == "[" ? "]" : "}"
        return Array((String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)).utf8)
    }

    private func hugeNumbers(_ bytes: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        let numbers = ["1e400", "-1e400", "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809",
                       "0.0000000000000000000000001", "1E+308", "-0", "1.5", "NaN", "Infinity"]
        var text = String(decoding: bytes, as: UTF8.self)
        for digit in ["1", "2", "3", "-3", "0"] where Bool.random(using: &rng) {
            if let range = text.range(of: ":\(digit)") {
                text.replaceSubrange(range, with: ":" + (numbers.randomElement(using: &rng) ?? "1e400"))
            }
        }
        return Array(text.utf8)
    }

    private func duplicateKeys(_ bytes: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var text = String(decoding: bytes, as: UTF8.self)
        let keys = ["\"id\":", "\"method\":", "\"name\":", "\"product_id\":", "\"arguments\":"]
        if let key = keys.randomElement(using: &rng), let range = text.range(of: key) {
            text.insert(contentsOf: key + "\"dup\",", at: range.lowerBound)
        }
        return Array(text.utf8)
    }

    /// The same message with some values replaced by values of other types.
    private func swapTypes(_ value: JSONValue, using rng: inout SeededGenerator) -> JSONValue {
        switch value {
        case .object(var object):
            for key in object.keys {
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    object[key] = randomJSON(depth: 2, using: &rng)
                } else if let inner = object[key] {
                    object[key] = swapTypes(inner, using: &rng)
                }
            }
            return .object(object)
        case .array(let items):
            return .array(items.map { swapTypes($0, using: &rng) })
        default:
            return value
        }
    }

    private func randomJSON(depth: Int, using rng: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng))
        case 3: return .double(Double.random(in: -1e12...1e12, using: &rng))
        case 4: return .string(["", "$gt", "{\"$ne\":1}", "a.b", "\u{0}", "prod1", String(repeating: "x", count: 300),
                                "ord_\u{202E}", "tools/call"].randomElement(using: &rng) ?? "")
        case 5: return .string(String(rng.next(), radix: 36))
        case 6: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomJSON(depth: depth + 1, using: &rng) })
        default:
            var object = JSONObject()
            for key in ["jsonrpc", "id", "method", "params", "$gt", "name", "arguments"].shuffled(using: &rng).prefix(Int.random(in: 0...4, using: &rng)) {
                object[key] = randomJSON(depth: depth + 1, using: &rng)
            }
            return .object(object)
        }
    }
}
