import TestSupport
import Foundation
import JSON
import Testing

/// create_order with an idempotency_key: a retry with the same payload returns the same order and
/// reserves nothing more, another payload is a conflict; also when the retries race each other
/// from several processes. Every test runs on both store paths.
@Suite struct IdempotencyTests {
    static let products: [(String, String, String, Int)] = [
        ("i1", "Ink", "7.25", 1000), ("i2", "Iron", "45.00", 1000), ("i3", "Ivy", "3.10", 1000),
    ]

    @Test("a retry with the same key and payload replays the order and reserves nothing more", arguments: StorePath.allCases)
    func replay(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("idem")
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments + path.arguments)
        let first = try await client.call("create_order", orderArguments([("prod1", 2), ("prod2", 1)], address: "9 Key Road", key: "k-1"))
        #expect(!first.isError, "\(first.text)")
        #expect(first["replayed"] == false)
        #expect(first["idempotency_key"] == "k-1")
        let id = try #require(first.orderID)
        #expect(try database.stock() == ["prod1": 8, "prod2": 14, "prod3": 30])

        // The same payload, the lines in another order: the same order, replayed.
        let again = try await client.call("create_order", orderArguments([("prod2", 1), ("prod1", 2)], address: "9 Key Road", key: "k-1"))
        #expect(!again.isError, "\(again.text)")
        #expect(again["replayed"] == true)
        var original = try #require(first.structured?.objectValue)
        var replayed = try #require(again.structured?.objectValue)
        original["replayed"] = nil
        replayed["replayed"] = nil
        #expect(replayed == original, "the replay returns the original order, timestamps included")
        #expect(try database.stock() == ["prod1": 8, "prod2": 14, "prod3": 30], "nothing more reserved")
        #expect(try database.orders().count == 1)

        // From another process, after the stock ran out: still the same order.
        _ = try await client.call("update_stock", ["product_id": "prod1", "delta": -8])
        let other = try await MCPTestClient.start(database.serverArguments + path.arguments)
        let late = try await other.call("create_order", orderArguments([("prod1", 2), ("prod2", 1)], address: "9 Key Road", key: "k-1"))
        #expect(late.orderID == id)
        #expect(late["replayed"] == true)
        #expect(try database.stock() == ["prod1": 0, "prod2": 14, "prod3": 30])

        // The key is part of the order.
        let fetched = try await client.call("get_order", ["order_id": .string(id)])
        #expect(fetched["idempotency_key"] == "k-1")
        #expect(try database.orders().first?["idempotency_key"] == "k-1")
        await finish([client, other])
    }

    @Test("the same key with another payload is a conflict naming the order; nothing changes", arguments: StorePath.allCases)
    func conflict(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("idem")
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments + path.arguments)
        let id = try #require(try await client.call("create_order", orderArguments([("prod1", 1)], address: "A", key: "k-2")).orderID)
        let before = try database.snapshot()
        let variants: [JSONValue] = [
            orderArguments([("prod1", 2)], address: "A", key: "k-2"),
            orderArguments([("prod1", 1)], address: "B", key: "k-2"),
            orderArguments([("prod1", 1), ("prod2", 1)], address: "A", key: "k-2"),
            orderArguments([("prod2", 1)], address: "A", key: "k-2"),
        ]
        for arguments in variants {
            let result = try await client.call("create_order", arguments)
            #expect(result.isError)
            #expect(result.text == "idempotency_key 'k-2' was already used for order '\(id)' with different items or address. "
                    + "Use a new key for a new order, or resend exactly the original items and address.")
        }
        #expect(try database.snapshot() == before)
        // A new key is a new order.
        let fresh = try await client.call("create_order", orderArguments([("prod1", 2)], address: "A", key: "k-3"))
        #expect(fresh["replayed"] == false)
        #expect(fresh.orderID != id)
        #expect(try database.stock()["prod1"] == 7)
        await finish(client)
    }

    @Test("the same key sent by 4 processes at once yields exactly one order and one reservation", arguments: StorePath.allCases)
    func concurrentRetries(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("idem", products: Self.products)
        defer { database.drop() }
        let clients = try await database.startClients(4, extraArguments: path.arguments)
        let keys = (1...12).map { "race-\($0)" }
        // Each key: its own payload, sent by every client at the same moment; all keys at once.
        var payloads: [String: [(String, Int64)]] = [:]
        for (index, key) in keys.enumerated() { payloads[key] = [("i1", Int64(index % 3 + 1)), ("i\(index % 2 + 2)", 2)] }
        let sent = payloads
        let results = try await withThrowingTaskGroup(of: (String, MCPTestClient.ToolResult).self) { group in
            for key in keys {
                for client in clients {
                    group.addTask {
                        (key, try await client.call("create_order", orderArguments(sent[key] ?? [], address: "Race Street", key: key)))
                    }
                }
            }
            return try await group.reduce(into: [String: [MCPTestClient.ToolResult]]()) { $0[$1.0, default: []].append($1.1) }
        }
        await finish(clients)

        let orders = try database.orders()
        #expect(orders.count == keys.count, "one order per key")
        for key in keys {
            let answers = results[key] ?? []
            #expect(answers.count == clients.count)
            #expect(answers.allSatisfy { !$0.isError }, "\(key): \(answers.filter(\.isError).map(\.text))")
            let ids = Set(answers.compactMap(\.orderID))
            #expect(ids.count == 1, "\(key): every client got the same order, got \(ids)")
            #expect(answers.filter { $0["replayed"] == false }.count == 1, "\(key): exactly one placed it")
            #expect(answers.filter { $0["replayed"] == true }.count == clients.count - 1)
            let stored = orders.filter { $0["idempotency_key"] == .string(key) }
            #expect(stored.count == 1)
            #expect(stored.first?["_id"].flatMap(\.stringValue) == ids.first)
            #expect(stored.first?["status"] == "pending")
        }
        // Exactly one reservation per key.
        let reserved = unitsByProduct(payloads.values.flatMap { $0.map { (product: $0.0, quantity: $0.1) } })
        let stock = try database.stock()
        for (id, _, _, initial) in Self.products {
            #expect(Int64(initial) - (stock[id] ?? 0) == reserved[id] ?? 0, "\(id)")
        }
        #expect(unitsByProduct(orders.flatMap(storedLines)) == reserved)
        for client in clients { #expect(client.stderr.contains(path.readyLog)) }
    }

    @Test("the same key with two payloads at once: one order, the other payload gets the conflict", arguments: StorePath.allCases)
    func concurrentConflictingPayloads(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("idem", products: Self.products)
        defer { database.drop() }
        let clients = try await database.startClients(4, extraArguments: path.arguments)
        let keys = (1...6).map { "split-\($0)" }
        let payloadA: [(String, Int64)] = [("i1", 1)]
        let payloadB: [(String, Int64)] = [("i2", 5)]
        let results = try await withThrowingTaskGroup(of: (String, Bool, MCPTestClient.ToolResult).self) { group in
            for key in keys {
                for (index, client) in clients.enumerated() {
                    let isA = index % 2 == 0
                    group.addTask {
                        (key, isA, try await client.call("create_order", orderArguments(isA ? payloadA : payloadB, address: "Split", key: key)))
                    }
                }
            }
            return try await group.reduce(into: [(String, Bool, MCPTestClient.ToolResult)]()) { $0.append($1) }
        }
        await finish(clients)

        let orders = try database.orders()
        #expect(orders.count == keys.count)
        var unitsA: Int64 = 0
        var unitsB: Int64 = 0
        for key in keys {
            let answers = results.filter { $0.0 == key }
            let winners = answers.filter { !$0.2.isError }
            let losers = answers.filter { $0.2.isError }
            // The winning payload's two senders get the order; the other two get the conflict.
            #expect(winners.count == 2 && losers.count == 2, "\(key): \(answers.map { $0.2.text.prefix(80) })")
            #expect(Set(winners.map(\.1)).count == 1, "\(key): both successes carry the same payload")
            #expect(Set(winners.compactMap { $0.2.orderID }).count == 1)
            #expect(losers.allSatisfy { $0.2.text.hasPrefix("idempotency_key '\(key)' was already used for order") })
            if winners.first?.1 == true { unitsA += 1 } else { unitsB += 5 }
        }
        let stock = try database.stock()
        #expect(1000 - (stock["i1"] ?? 0) == unitsA)
        #expect(1000 - (stock["i2"] ?? 0) == unitsB)
    }
}
