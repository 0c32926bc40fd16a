import TestSupport
import Foundation
import JSON
import Testing

/// Two ToolServer processes serving one database over HTTP, as behind a load balancer (each
/// request goes to one or the other), selling a product that runs short: never oversold, every
/// call an order or a short-stock refusal, and the stock invariant holds.
@Suite(.serialized) struct HTTPContentionTests {
    static let stock = 25
    static let orders = 80
    static let inFlight = 16

    @Test(arguments: StorePath.allCases)
    func twoServersNeverOversell(_ path: StorePath) async throws {
        let database = try await TestDatabase.make("http_contention", products: [("s1", "Scarce", "5.00", Self.stock)])
        defer { database.drop() }
        let first = try await HTTPServerProcess.start(database.serverArguments + path.arguments)
        let second = try await HTTPServerProcess.start(database.serverArguments + path.arguments)
        let servers = [HTTPRequestBuilder(port: first.port), HTTPRequestBuilder(port: second.port)]

        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            var next = 0
            func submit() {
                let index = next
                next += 1
                group.addTask {
                    let server = servers[index % servers.count]
                    var result = try await server.call("create_order", orderArguments([("s1", 1)], key: "contended-\(index)"))
                    for _ in 0..<5 where result.isError && result.text.hasPrefix("the order could not be completed because of concurrent changes") {
                        result = try await server.call("create_order", orderArguments([("s1", 1)], key: "contended-\(index)"))
                    }
                    if !result.isError { return "placed" }
                    return result.text.hasPrefix("insufficient stock") ? "short" : result.text
                }
            }
            while next < Self.inFlight { submit() }
            var outcomes: [String] = []
            while let outcome = try await group.next() {
                outcomes.append(outcome)
                if next < Self.orders { submit() }
            }
            return outcomes
        }
        let placed = outcomes.filter { $0 == "placed" }.count
        #expect(outcomes.count == Self.orders)
        #expect(outcomes.allSatisfy { $0 == "placed" || $0 == "short" }, "\(Set(outcomes))")
        #expect(placed == Self.stock, "placed \(placed) of stock \(Self.stock)")
        #expect(try database.stock()["s1"] == 0)
        #expect(try database.orders().count == placed)
        #expect(try StockInvariant(initial: ["s1": Int64(Self.stock)]).violations(in: database).isEmpty)
        if path == .markers { #expect(try database.markerProblems().isEmpty) }
        #expect(await first.stop() == 0)
        #expect(await second.stop() == 0)
    }
}
