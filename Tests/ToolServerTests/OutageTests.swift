import TestSupport
import Foundation
import JSON
import MongoStore
import Synchronization
import Testing

/// The database dies in the middle of a run of concurrent clients and comes back with its data:
/// calls fail with "database unavailable" within the configured time, the servers stay up and
/// serve again without a restart, a client's retry with the same idempotency key never applies an
/// order twice, and the stock invariant holds afterwards.
@Suite(.serialized) struct OutageTests {
    static let timeoutMS = 1000
    static let initial: [String: Int64] = ["o1": 5000, "o2": 5000, "o3": 5000]

    /// A stand-in server of the test's own, on its own port and data directory, so stopping it
    /// disturbs no other test.
    struct OwnDatabaseServer {
        let port: Int
        let data: String
        var uri: String { "mongodb://127.0.0.1:\(port)/?retryWrites=false&socketTimeoutMS=20000" }
        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/mongo-standin.sh").path

        /// Kills the server with SIGKILL and waits until it is gone. Its commits are in its
        /// journal, which a restart replays.
        func kill() async throws {
            let text = try String(contentsOfFile: data + ".pid", encoding: .utf8)
            guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("no pid in \(text)") }
            Foundation.kill(pid, SIGKILL)
            let deadline = ContinuousClock.now + .seconds(30)
            while Foundation.kill(pid, 0) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            try? FileManager.default.removeItem(atPath: data + ".pid")
        }

        /// Runs the project's script with its output in a file, not a pipe: the server it starts
        /// in the background inherits the script's descriptors, and a pipe would never close.
        func run(_ command: String) async throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [Self.script, command]
            process.environment = ProcessInfo.processInfo.environment.merging(
                // Every commit fsynced: the stand-in's commitTransaction ignores j: true, which
                // mongod honours, and it lost committed transactions to a SIGKILL without this.
                ["STANDIN_PORT": String(port), "STANDIN_DATA": data, "STANDIN_TXN_LIFETIME": "3",
                 "STANDIN_SYNC_ON_COMMIT": "1"]) { $1 }
            let log = data + ".script.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let status = await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    process.waitUntilExit()
                    continuation.resume(returning: process.terminationStatus)
                }
            }
            try? output.close()
            guard status == 0 else {
                throw TestFailure("mongo-standin.sh \(command) failed: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
        }
    }

    /// Places orders with unique keys as fast as it can until told to stop, recording each outcome.
    final class Load: Sendable {
        struct Call: Sendable {
            let key: String
            let ok: Bool
            let text: String
            let seconds: Double
            let started: ContinuousClock.Instant
            let at: ContinuousClock.Instant
        }
        let calls = Mutex<[Call]>([])
        let stop = Atomic<Bool>(false)

        func run(_ client: MCPTestClient, label: String, workers: Int) async {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        var index = 0
                        while !self.stop.load(ordering: .relaxed) {
                            index += 1
                            let key = "\(label)-\(worker)-\(index)"
                            let product = ["o1", "o2", "o3"][index % 3]
                            let started = ContinuousClock.now
                            let result = try? await client.call("create_order", orderArguments([(product, 1)], key: key))
                            let seconds = (ContinuousClock.now - started) / .seconds(1)
                            let call = Call(key: key, ok: result.map { !$0.isError } ?? false,
                                            text: result?.text ?? "no response", seconds: seconds, started: started,
                                            at: ContinuousClock.now)
                            self.calls.withLock { $0.append(call) }
                        }
                    }
                }
            }
        }

        func count(after instant: ContinuousClock.Instant, _ predicate: (Call) -> Bool) -> Int {
            calls.withLock { $0.filter { $0.at > instant && predicate($0) }.count }
        }
    }

    @Test func theDatabaseGoesAwayAndComesBack() async throws {
        let server = OwnDatabaseServer(port: Int.random(in: 27_100...27_899),
                                       data: FileManager.default.temporaryDirectory.appendingPathComponent("outage-\(UInt32.random(in: 0...UInt32.max))").path)
        try await server.run("start")
        let database = "outage"
        let seedFile = FileManager.default.temporaryDirectory.appendingPathComponent("outage-seed-\(server.port).json")
        try Data(#"[{"product_id":"o1","name":"One","price":1,"stock":5000},{"product_id":"o2","name":"Two","price":2,"stock":5000},{"product_id":"o3","name":"Three","price":3,"stock":5000}]"#.utf8).write(to: seedFile)
        let seeded = try await ProcessRunner.run(TestEnvironment.toolServerPath, ["seed", seedFile.path, "--mongodb-uri", server.uri, "--database", database])
        #expect(seeded.status == 0, "\(seeded.stderr)")

        var clients: [MCPTestClient] = []
        for path in StorePath.allCases {
            clients.append(try await MCPTestClient.start(["--mongodb-uri", server.uri, "--database", database, "--db-timeout-ms",
                                                          String(Self.timeoutMS), "--lease-ms", "500"] + path.arguments))
        }
        let load = Load()
        let servers = clients
        let running = Task {
            await withTaskGroup(of: Void.self) { group in
                for (index, client) in servers.enumerated() {
                    group.addTask { await load.run(client, label: "c\(index)", workers: 4) }
                }
            }
        }
        let start = ContinuousClock.now
        #expect(try await waitFor(seconds: 60) { load.count(after: start) { $0.ok } >= 10 }, "no orders before the outage")

        // The database goes away: killed, as a crash or a power cut would stop it. (A SIGTERM
        // would do as well on mongod, which interrupts what is in flight at shutdown; the stand-in
        // was seen acknowledging a write during its shutdown and then not keeping it.)
        try await server.kill()
        let down = ContinuousClock.now
        #expect(try await waitFor { load.count(after: down) { $0.text.hasPrefix("database unavailable") } >= 8 },
                "calls did not report the outage")
        // Back, with its data.
        try await server.run("start")
        let up = ContinuousClock.now
        #expect(try await waitFor(seconds: 60) { load.count(after: up) { $0.ok } >= 20 }, "calls did not succeed again")
        load.stop.store(true, ordering: .relaxed)
        await running.value

        let calls = load.calls.withLock { $0 }
        let failedWhileDown = calls.filter { !$0.ok && $0.at > down && $0.at < up }
        // From the moment the database went away (or the call started, if later): a call already
        // slow before the outage (a loaded stand-in) is not the outage's to explain.
        let sinceOutage = { (call: Load.Call) in (call.at - max(call.started, down)) / .seconds(1) }
        let slowest = failedWhileDown.map(sinceOutage).max() ?? 0
        let longest = failedWhileDown.map(\.seconds).max() ?? 0
        #expect(failedWhileDown.allSatisfy { $0.text.hasPrefix("database unavailable") || $0.text.contains("retry") },
                "unexpected failures: \(Set(failedWhileDown.map(\.text)).prefix(3))")
        // The bound is the database timeout plus a margin for a loaded machine, not 30 s of retries.
        let slowCalls = failedWhileDown.filter { sinceOutage($0) > 5 }
            .map { "\($0.key) (started \(($0.started - down) / .seconds(1)) s after the kill, \($0.seconds) s): \($0.text.prefix(120))" }
        #expect(slowest < Double(Self.timeoutMS) / 1000 + 9, "a call took \(slowest) s to report the outage: \(slowCalls)")
        let firstSuccess = calls.filter { $0.ok && $0.at > up }.map(\.at).min()
        let recovery = firstSuccess.map { ($0 - up) / .seconds(1) } ?? -1

        // Every failed call is retried with its key: applied once, whatever the outage did to it.
        let failedKeys = Set(calls.filter { !$0.ok }.map(\.key))
        for key in failedKeys.sorted() {
            let parts = key.split(separator: "-")
            let index = Int(parts.last ?? "0") ?? 0
            let client = clients[Int(parts[0].dropFirst()) ?? 0]
            let retry = try await client.call("create_order", orderArguments([(["o1", "o2", "o3"][index % 3], 1)], key: key))
            #expect(!retry.isError, "\(key): \(retry.text)")
        }
        for client in clients { await finish(client) }

        let inspector = try DatabaseInspector(uri: server.uri, database: database)
        var unfinished: [String] = []
        for _ in 0..<200 {
            unfinished = try inspector.documents("orders").compactMap { order in
                let status = order["status"]?.stringValue ?? ""
                return status == "reserving" || status == "rolling_back" || order["restock"]?.stringValue == "pending"
                    ? order["_id"]?.stringValue : nil
            }
            if unfinished.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let orders = try inspector.documents("orders")
        let keys = orders.compactMap { $0["idempotency_key"]?.stringValue }
        #expect(keys.count == Set(keys).count, "a key with two orders")
        let missing = Set(calls.map(\.key)).subtracting(keys)
        let described = calls.filter { missing.contains($0.key) }.map { call in
            "\(call.key) ok=\(call.ok) at \((call.at - start) / .seconds(1)) s (down \((down - start) / .seconds(1)), up \((up - start) / .seconds(1))): \(call.text.prefix(160))"
        }
        #expect(missing.isEmpty, "calls whose key has no order: \(described)")
        var products: [String: JSONValue] = [:]
        for product in try inspector.documents("products") { if let id = product["_id"]?.stringValue { products[id] = product } }
        #expect(StockInvariant(initial: Self.initial).violations(orders: orders, products: products) == [])
        print("outage: \(calls.count) calls, \(failedWhileDown.count) failed while down (slowest \(slowest) s after the outage began, \(longest) s in all), "
              + "\(failedKeys.count) retried, first success \(recovery) s after the database was back")
        _ = try? inspector.drop()
        try await server.run("stop")
        try? FileManager.default.removeItem(atPath: server.data)
    }

    /// Polls `condition` until it holds or `seconds` pass.
    func waitFor(seconds: Double = 30, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
