import TestSupport
import Foundation
import JSON
import MongoStore
import Synchronization
import Testing

/// Many processes selling the same few products at once: create_order must reserve all lines or
/// none, never oversell, and every call must end as an order or a short-stock refusal.
@Suite(.serialized) struct ContentionTests {
    static let clients = 8
    static let ordersPerClient = 256
    static let inFlightPerClient = 8
    static let products: [(String, String, String, Int)] = [
        ("c1", "Crate", "12.50", 200), ("c2", "Cable", "3.99", 150), ("c3", "Charger", "24.00", 250),
    ]

    /// What one create_order call came to.
    enum Outcome: Sendable {
        case placed(id: String, lines: [(product: String, quantity: Int64)])
        /// Short stock: the products named in the refusal, with the availability it reported.
        case short(named: [String: (requested: Int64, available: Int64)])
        case other(String)
    }

    /// A random order of 1-3 distinct products, 1-4 units each.
    static func randomItems(_ generator: inout SeededGenerator) -> [(String, Int64)] {
        let ids = products.map(\.0).shuffled(using: &generator)
        let count = Int.random(in: 1...3, using: &generator)
        return ids.prefix(count).map { ($0, Int64.random(in: 1...4, using: &generator)) }
    }

    /// Parses "insufficient stock: 'c1' (Crate): requested 3, available 1; 'c2' (…): … Nothing was reserved …".
    static func shortages(in text: String) -> [String: (requested: Int64, available: Int64)]? {
        guard text.hasPrefix("insufficient stock: "), text.contains("Nothing was reserved and no order was created.") else { return nil }
        var found: [String: (requested: Int64, available: Int64)] = [:]
        for match in text.matches(of: /'([^']+)' \([^)]*\): requested (\d+), available (\d+)/) {
            guard let requested = Int64(match.output.2), let available = Int64(match.output.3) else { return nil }
            found[String(match.output.1)] = (requested, available)
        }
        return found.isEmpty ? nil : found
    }

    /// One client's share of the orders, `inFlight` at a time.
    static func placeOrders(_ client: MCPTestClient, seed: UInt64, count: Int, inFlight: Int,
                            watch: StockWatch) async throws -> [Outcome] {
        var generator = SeededGenerator(seed: seed)
        let orders = (0..<count).map { _ in randomItems(&generator) }
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            var outcomes: [Outcome] = []
            var next = 0
            func submit() {
                let items = orders[next]
                let key = "contention-\(seed)-\(next)"
                next += 1
                group.addTask {
                    // "Concurrent changes … retry the same call" is the documented answer when a
                    // transaction keeps conflicting past its time budget (on a loaded machine):
                    // the client retries with the same idempotency key, as a real client would.
                    var result = try await client.call("create_order", orderArguments(items, address: "Warehouse Lane \(seed)", key: key))
                    for _ in 0..<5 where result.isError && result.text.hasPrefix("the order could not be completed because of concurrent changes") {
                        watch.countRetry()
                        result = try await client.call("create_order", orderArguments(items, address: "Warehouse Lane \(seed)", key: key))
                    }
                    if !result.isError, let id = result.orderID {
                        let lines = (result["items"]?.arrayValue ?? []).compactMap { line -> (product: String, quantity: Int64)? in
                            guard let product = line["product_id"]?.stringValue, let quantity = line["quantity"]?.integerValue else { return nil }
                            return (product, quantity)
                        }
                        return .placed(id: id, lines: lines)
                    }
                    if let named = shortages(in: result.text) {
                        // Only products of this order, each really short of what it asked for.
                        let asked = Dictionary(uniqueKeysWithValues: items)
                        if named.allSatisfy({ asked[$0.key] == $0.value.requested && $0.value.available < $0.value.requested }) {
                            return .short(named: named)
                        }
                    }
                    return .other(result.isError ? result.text : "unexpected result: \(JSONWriter.string(result.raw))")
                }
            }
            while next < min(inFlight, orders.count) { submit() }
            while let outcome = try await group.next() {
                outcomes.append(outcome)
                if outcomes.count % 4 == 0 { watch.sample() }
                if next < orders.count { submit() }
            }
            return outcomes
        }
    }

    /// Reads the raw stock of every product while the orders are placed, paced by them: each
    /// `sample()` starts a read on a thread of its own unless one is still running, and the lowest
    /// stock seen is kept.
    final class StockWatch: Sendable {
        private let inspector: DatabaseInspector
        private let state = Mutex((reading: false, samples: 0, lowest: Int64.max, failures: 0))
        private let reads = DispatchGroup()
        /// Calls retried after a "concurrent changes" answer.
        let retries = Atomic<Int>(0)

        init(_ inspector: DatabaseInspector) { self.inspector = inspector }

        func countRetry() { retries.add(1, ordering: .relaxed) }

        func sample() {
            guard state.withLock({ state in
                defer { state.reading = true }
                return !state.reading
            }) else { return }
            reads.enter()
            Thread.detachNewThread { [self] in
                read()
                reads.leave()
            }
        }

        private func read() {
            do {
                let stocks = try inspector.documents("products").compactMap { $0["stock"]?.integerValue }
                state.withLock { state in
                    state.samples += 1
                    state.lowest = min(state.lowest, stocks.min() ?? .max)
                    state.reading = false
                }
            } catch {
                state.withLock { state in
                    state.failures += 1
                    state.reading = false
                }
            }
        }

        /// Waits for the read in progress, takes a last sample and returns the figures.
        func finish() -> (samples: Int, lowest: Int64, failures: Int) {
            reads.wait()
            read()
            return state.withLock { ($0.samples, $0.lowest, $0.failures) }
        }
    }

    @Test("concurrent create_order from 8 processes: no overselling, every call an order or a short-stock refusal",
          arguments: StorePath.allCases)
    func noOverselling(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("contention", products: Self.products)
        defer { database.drop() }
        let initial = try database.stock()
        let clients = try await database.startClients(Self.clients, extraArguments: path.arguments)
        let watch = StockWatch(database.inspector)

        let started = ContinuousClock.now
        let outcomes = try await withThrowingTaskGroup(of: [Outcome].self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask {
                    try await Self.placeOrders(client, seed: UInt64(index + 1) * 7919, count: Self.ordersPerClient,
                                               inFlight: Self.inFlightPerClient, watch: watch)
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - started
        let watched = watch.finish()
        await finish(clients)

        var placed: [String: [(product: String, quantity: Int64)]] = [:]
        var refused = 0
        var others: [String] = []
        for outcome in outcomes {
            switch outcome {
            case .placed(let id, let lines): placed[id] = lines
            case .short: refused += 1
            case .other(let text): others.append(text)
            }
        }
        let total = Self.clients * Self.ordersPerClient
        #expect(outcomes.count == total)
        #expect(others.count == 0, "\(others.count) calls were neither placed nor refused for stock, e.g. \(others.prefix(3))")
        #expect(placed.count + refused == total, "every call accounted for")

        let final = try database.stock()
        let sold = unitsByProduct(placed.values.flatMap { $0 })
        let documents = try database.orders()
        let stored = Dictionary(uniqueKeysWithValues: documents.compactMap { document in
            document["_id"]?.stringValue.map { ($0, storedLines(document)) }
        })
        #expect(Set(stored.keys) == Set(placed.keys), "the orders in the database are exactly the ones reported as placed")
        #expect(documents.allSatisfy { $0["status"] == "pending" }, "no order left half-made")
        #expect(unitsByProduct(stored.values.flatMap { $0 }) == sold)
        for (id, _, _, _) in Self.products {
            let taken = (initial[id] ?? 0) - (final[id] ?? 0)
            #expect(taken == sold[id] ?? 0, "\(id): units sold \(sold[id] ?? 0), stock taken \(taken)")
            #expect((final[id] ?? -1) >= 0, "\(id): final stock \(final[id] ?? -1)")
        }
        #expect(watched.lowest >= 0, "a product went negative during the run: \(watched.lowest)")
        #expect(watched.samples > 10 && watched.failures == 0, "\(watched)")
        // Markers of the no-transaction path are all cleared.
        let markers = try database.markerProblems()
        #expect(markers.isEmpty, "\(markers)")
        // The run exercised both outcomes and really took the intended path.
        #expect(placed.count > 100 && refused > 100, "placed \(placed.count), refused \(refused)")
        #expect(final.values.contains { $0 < 4 }, "some product ran (nearly) out: \(final)")
        for client in clients { #expect(client.stderr.contains(path.readyLog), "the server did not take the \(path) path") }

        let unitsSold = sold.values.reduce(0, +)
        let stockTaken = Self.products.map { (initial[$0.0] ?? 0) - (final[$0.0] ?? 0) }.reduce(0, +)
        print("[contention] \(path.rawValue): \(total) calls from \(Self.clients) processes × \(Self.inFlightPerClient) in flight: "
              + "\(placed.count) placed, \(refused) refused for stock, \(others.count) other; units sold \(unitsSold), "
              + "stock taken \(stockTaken); lowest stock seen \(watched.lowest) in \(watched.samples) samples; "
              + "\(watch.retries.load(ordering: .relaxed)) retries after concurrent changes; \(elapsed)")
    }
}
