import TestSupport
import Foundation
import JSON
import Testing

/// Kills the server (SIGKILL, through the debug build's fault points) at every step of
/// `create_order` and of a cancellation, on both store paths, then restarts it and checks that
/// the stock invariant holds and that a retry of the interrupted call completes it.
@Suite(.serialized) struct CrashRecoveryTests {
    /// A short lease, so that work a crashed process left is taken over quickly.
    static let lease = ["--lease-ms", "300"]
    static let initial: [String: Int64] = ["prod1": 10, "prod2": 15, "prod3": 30]
    static let order = orderArguments([("prod1", 2), ("prod2", 1)], key: "crash-retry")

    struct Case: Sendable, CustomTestStringConvertible {
        let path: StorePath
        let point: String
        var testDescription: String { "\(point) (\(path.testDescription))" }
    }

    static let orderPoints: [Case] = StorePath.allCases.flatMap { path in
        var points = ["create_order.before_first_write", "create_order.after_line.1", "create_order.after_line.2",
                      "create_order.before_order_write", "create_order.after_order_write", "create_order.before_commit"]
        if path == .markers { points.append("create_order.after_commit") }
        return points.map { Case(path: path, point: $0) }
    }

    static let cancelPoints: [Case] = StorePath.allCases.flatMap { path in
        var points = ["cancel.before_first_write", "cancel.after_status_write", "cancel.after_line.1", "cancel.after_line.2",
                      "cancel.before_commit"]
        if path == .markers { points.append("cancel.after_commit") }
        return points.map { Case(path: path, point: $0) }
    }

    /// Runs `call` on a server that crashes at `point`, and checks that it did crash there.
    func crash(_ database: TestDatabase, _ test: Case, call tool: String, _ arguments: JSONValue) async throws {
        let server = try await MCPTestClient.start(database.serverArguments + test.path.arguments + Self.lease,
                                                   environment: Faults.environment("\(test.point)=crash"))
        await #expect(throws: (any Error).self, "the call should not be answered: the server dies") {
            try await server.call(tool, arguments)
        }
        let status = await server.close()
        #expect(status != 0)
        #expect(server.stderr.contains("event=fault.crash point=\(test.point)"), "did not crash at \(test.point): \(server.stderr.suffix(1500))")
    }

    @Test("create_order crashes, restarts, retries with its key", arguments: orderPoints)
    func createOrderCrash(_ test: Case) async throws {
        let database = try await TestDatabase.make("crash", on: TestEnvironment.crashMongoURI)
        defer { database.drop() }
        try await crash(database, test, call: "create_order", Self.order)

        let restarted = try await MCPTestClient.start(database.serverArguments + test.path.arguments + Self.lease)
        let retry = try await restarted.call("create_order", Self.order)
        #expect(!retry.isError, "\(retry.text)")
        #expect(retry["items"]?.arrayValue?.count == 2)
        await finish(restarted)

        let visible = try database.orders().filter { $0["idempotency_key"] == "crash-retry" }
        #expect(visible.count == 1)
        #expect(visible.first?["_id"]?.stringValue == retry.orderID)
        #expect(try database.stock() == ["prod1": 8, "prod2": 14, "prod3": 30])
        #expect(try StockInvariant(initial: Self.initial).violations(in: database) == [])
    }

    @Test("cancellation crashes, restarts, retries", arguments: cancelPoints)
    func cancelCrash(_ test: Case) async throws {
        let database = try await TestDatabase.make("crash", on: TestEnvironment.crashMongoURI)
        defer { database.drop() }
        let setup = try await MCPTestClient.start(database.serverArguments + test.path.arguments)
        let placed = try await setup.call("create_order", Self.order)
        await finish(setup)
        let orderID = try #require(placed.orderID)
        let cancel: JSONValue = ["order_id": .string(orderID), "status": "cancelled"]

        try await crash(database, test, call: "update_delivery_status", cancel)

        let restarted = try await MCPTestClient.start(database.serverArguments + test.path.arguments + Self.lease)
        let retry = try await restarted.call("update_delivery_status", cancel)
        #expect(!retry.isError, "\(retry.text)")
        #expect(retry["status"] == "cancelled")
        await finish(restarted)

        #expect(try database.stock() == Self.initial, "the stock must come back exactly once")
        #expect(try database.unfinishedWork() == [])
        #expect(try StockInvariant(initial: Self.initial).violations(in: database) == [])
        let history = try database.orders().first?["history"]?.arrayValue?.compactMap { $0["status"]?.stringValue }
        #expect(history == ["pending", "cancelled"])
    }

    /// No retry: a server started after the crash repairs the leftover work by itself once the
    /// crashed process's lease has expired.
    @Test("a restarted server repairs what a crash left, without a retry", arguments: [StorePath.markers])
    func recoveryWithoutRetry(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("crash", on: TestEnvironment.crashMongoURI)
        defer { database.drop() }
        let setup = try await MCPTestClient.start(database.serverArguments + path.arguments)
        let toCancel = try #require(try await setup.call("create_order", orderArguments([("prod3", 4)])).orderID)
        await finish(setup)

        try await crash(database, Case(path: path, point: "create_order.after_line.2"), call: "create_order", Self.order)
        #expect(try database.unfinishedWork().count == 1, "the crash should leave a reservation behind")
        // (The next crashing server may already take that one over at its start: its lease is short.)
        try await crash(database, Case(path: path, point: "cancel.after_line.1"), call: "update_delivery_status",
                        ["order_id": .string(toCancel), "status": "cancelled"])
        #expect(try database.unfinishedWork().contains(toCancel), "the crash should leave the cancellation unfinished")

        let restarted = try await MCPTestClient.start(database.serverArguments + path.arguments + Self.lease)
        let repaired = try await database.waitUntil { try database.unfinishedWork().isEmpty }
        let left = try database.unfinishedWork()
        #expect(repaired, "recovery did not finish: \(left)")
        await finish(restarted)
        #expect(restarted.stderr.contains("event=store.recovered"))
        #expect(try database.stock() == Self.initial)
        #expect(try StockInvariant(initial: Self.initial).violations(in: database) == [])
    }

    /// A live but slow process keeps its lease: a second process starting (and recovering)
    /// meanwhile leaves its order alone, and both orders complete.
    @Test func recoveryNeverTouchesALiveProcessesWork() async throws {
        let database = try await TestDatabase.make("lease", on: TestEnvironment.crashMongoURI)
        defer { database.drop() }
        let slow = try await MCPTestClient.start(database.serverArguments + ["--no-transactions"] + Self.lease,
                                                 environment: Faults.environment("create_order.after_line.1=pause:2000"))
        async let slowOrder = slow.call("create_order", orderArguments([("prod1", 3), ("prod2", 2)], key: "slow"))
        let paused = try await database.waitUntil(seconds: 10) { slow.stderr.contains("event=fault.pause") }
        #expect(paused)
        // The lease is 300 ms and the pause 2 s: only renewal keeps the order from being taken over.
        let other = try await MCPTestClient.start(database.serverArguments + ["--no-transactions"] + Self.lease)
        let otherOrder = try await other.call("create_order", orderArguments([("prod1", 1)], key: "other"))
        #expect(!otherOrder.isError, "\(otherOrder.text)")
        #expect(try database.unfinishedWork().count == 1, "the slow order is still being reserved")

        let slowResult = try await slowOrder
        #expect(!slowResult.isError, "\(slowResult.text)")
        await finish(slow)
        await finish(other)
        #expect(!other.stderr.contains("event=store.recovered"), "recovery took over a live process's order: \(other.stderr)")
        #expect(!slow.stderr.contains("event=store.recovered"))
        #expect(try database.stock() == ["prod1": 6, "prod2": 13, "prod3": 30])
        #expect(try StockInvariant(initial: Self.initial).violations(in: database) == [])
        let slowHistory = try database.orders().filter { $0["idempotency_key"] == "slow" }
        #expect(slowHistory.count == 1)
        #expect(slowHistory.first?["_id"]?.stringValue == slowResult.orderID, "the slow order must be the one created")
    }
}
