import TestSupport
import Foundation
import JSON
import Testing

/// Cancelling returns an order's stock exactly once: sequentially, when two processes cancel the
/// same orders at the same moment, and when a cancellation races a shipment. Both store paths.
@Suite struct CancellationTests {
    static let products: [(String, String, String, Int)] = [
        ("x1", "Xylophone", "150.00", 500), ("x2", "Xenon lamp", "12.00", 500), ("x3", "X-ray film", "8.50", 500),
    ]

    static func expectNoMarkers(_ database: TestDatabase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let problems = try database.markerProblems()
        #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
    }

    @Test("cancelling a pending or in-transit order returns its stock once; cancelling again changes nothing",
          arguments: StorePath.allCases)
    func cancelRestocksOnce(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("cancel")
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments + path.arguments)
        let pending = try #require(try await client.call("create_order", orderArguments([("prod1", 3), ("prod2", 2)])).orderID)
        let shipped = try #require(try await client.call("create_order", orderArguments([("prod3", 5), ("prod2", 1)])).orderID)
        _ = try await client.call("update_delivery_status", ["order_id": .string(shipped), "status": "in_transit"])
        #expect(try database.stock() == ["prod1": 7, "prod2": 12, "prod3": 25])

        let cancelled = try await client.call("update_delivery_status",
                                              ["order_id": .string(pending), "status": "cancelled", "note": "customer changed mind"])
        #expect(!cancelled.isError, "\(cancelled.text)")
        #expect(cancelled["status"] == "cancelled")
        #expect(cancelled["previous_status"] == "pending")
        #expect(cancelled["changed"] == true)
        #expect(cancelled["history"]?.arrayValue?.map { $0["status"] } == ["pending", "cancelled"])
        #expect(cancelled["history"]?[1]?["note"] == "customer changed mind")
        #expect(try database.stock() == ["prod1": 10, "prod2": 14, "prod3": 25])

        let inTransit = try await client.call("update_delivery_status", ["order_id": .string(shipped), "status": "cancelled"])
        #expect(inTransit["previous_status"] == "in_transit")
        #expect(inTransit["changed"] == true)
        #expect(try database.stock() == ["prod1": 10, "prod2": 15, "prod3": 30])

        let before = try database.snapshot()
        for id in [pending, shipped] {
            let again = try await client.call("update_delivery_status", ["order_id": .string(id), "status": "cancelled"])
            #expect(!again.isError)
            #expect(again["changed"] == false)
        }
        #expect(try database.snapshot() == before, "a second cancellation returns nothing")
        let stored = try database.orders()
        #expect(stored.allSatisfy { $0["status"] == "cancelled" })
        if path == .markers { #expect(stored.allSatisfy { $0["restock"] == "done" }) }
        try Self.expectNoMarkers(database)
        // The cancelled orders are still listed, as cancelled.
        #expect(try await client.call("list_orders", ["status": "cancelled"])["count"] == 2)
        await finish(client)
        #expect(client.stderr.contains(path.readyLog))
    }

    @Test("two processes cancelling the same orders at once return the stock exactly once", arguments: StorePath.allCases)
    func concurrentDoubleCancel(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("cancel", products: Self.products)
        defer { database.drop() }
        let clients = try await database.startClients(2, extraArguments: path.arguments)
        var orders: [String] = []
        for index in 0..<12 {
            let items: [(String, Int64)] = [("x1", Int64(index % 4 + 1)), ("x\(index % 2 + 2)", Int64(index % 3 + 2))]
            let result = try await clients[index % 2].call("create_order", orderArguments(items))
            orders.append(try #require(result.orderID, "\(result.text)"))
        }
        let reserved = try database.stock()
        #expect(reserved != ["x1": 500, "x2": 500, "x3": 500])

        // Every order cancelled by both processes at the same moment; all orders at once.
        let results = try await withThrowingTaskGroup(of: (String, MCPTestClient.ToolResult).self) { group in
            for order in orders {
                for client in clients {
                    group.addTask { (order, try await client.call("update_delivery_status", ["order_id": .string(order), "status": "cancelled"])) }
                }
            }
            return try await group.reduce(into: [String: [MCPTestClient.ToolResult]]()) { $0[$1.0, default: []].append($1.1) }
        }
        await finish(clients)

        for order in orders {
            let answers = results[order] ?? []
            #expect(answers.count == 2)
            #expect(answers.allSatisfy { !$0.isError && $0["status"] == "cancelled" }, "\(answers.map(\.text))")
            #expect(answers.filter { $0["changed"] == true }.count == 1, "\(order): exactly one cancellation applied")
            #expect(answers.filter { $0["changed"] == false }.count == 1)
        }
        #expect(try database.stock() == ["x1": 500, "x2": 500, "x3": 500], "every unit back, none twice")
        let stored = try database.orders()
        #expect(stored.count == orders.count)
        for order in stored {
            #expect(order["status"] == "cancelled")
            #expect(order["history"]?.arrayValue?.map { $0["status"] } == ["pending", "cancelled"], "one cancellation in the history")
        }
        try Self.expectNoMarkers(database)
        for client in clients { #expect(client.stderr.contains(path.readyLog)) }
    }

    @Test("a cancellation racing a shipment: the order ends cancelled with its stock back exactly once",
          arguments: StorePath.allCases)
    func cancelRacingShipment(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("cancel", products: Self.products)
        defer { database.drop() }
        let clients = try await database.startClients(2, extraArguments: path.arguments)
        var orders: [String] = []
        for index in 0..<10 {
            let result = try await clients[0].call("create_order", orderArguments([("x3", Int64(index + 1))]))
            orders.append(try #require(result.orderID))
        }
        let results = try await withThrowingTaskGroup(of: (String, String, MCPTestClient.ToolResult).self) { group in
            for order in orders {
                group.addTask { (order, "cancelled", try await clients[0].call("update_delivery_status", ["order_id": .string(order), "status": "cancelled"])) }
                group.addTask { (order, "in_transit", try await clients[1].call("update_delivery_status", ["order_id": .string(order), "status": "in_transit"])) }
            }
            return try await group.reduce(into: [(String, String, MCPTestClient.ToolResult)]()) { $0.append($1) }
        }
        await finish(clients)

        for order in orders {
            let cancel = try #require(results.first { $0.0 == order && $0.1 == "cancelled" }?.2)
            let ship = try #require(results.first { $0.0 == order && $0.1 == "in_transit" }?.2)
            #expect(!cancel.isError, "a pending or in-transit order can always be cancelled: \(cancel.text)")
            #expect(cancel["changed"] == true)
            if ship.isError {
                // The cancellation came first.
                #expect(ship.text.hasPrefix("cannot move order '\(order)' from 'cancelled' to 'in_transit'"), "\(ship.text)")
                #expect(cancel["previous_status"] == "pending")
            } else {
                #expect(cancel["previous_status"] == "in_transit")
            }
        }
        #expect(try database.stock()["x3"] == 500)
        #expect(try database.orders().allSatisfy { $0["status"] == "cancelled" })
        try Self.expectNoMarkers(database)
    }
}
