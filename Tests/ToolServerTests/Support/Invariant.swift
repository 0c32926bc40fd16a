import TestSupport
import Foundation
import JSON
import Testing

/// The stock invariant, checked on the raw documents at a quiet moment:
/// `initial stock + restocks − write-offs = stock + units held by orders that are not cancelled`,
/// and no unfinished work left behind (orders being reserved or rolled back, cancellations whose
/// stock return is pending, reservation markers of orders that do not exist).
struct StockInvariant {
    /// Expected `stock + held` per product: the initial stock plus the net of every update_stock.
    let expected: [String: Int64]

    init(initial: [String: Int64], adjustments: [String: Int64] = [:]) {
        expected = initial.merging(adjustments, uniquingKeysWith: +)
    }

    /// What is wrong, one line per problem; empty when the invariant holds.
    func violations(in database: TestDatabase) throws -> [String] {
        violations(orders: try database.orders(), products: try database.productDocuments())
    }

    func violations(orders: [JSONValue], products: [String: JSONValue]) -> [String] {
        var problems: [String] = []
        let knownOrders = Set(orders.compactMap { $0["_id"]?.stringValue })
        var held: [String: Int64] = [:]
        for order in orders {
            let id = order["_id"]?.stringValue ?? "?"
            switch order["status"]?.stringValue {
            case "pending", "in_transit", "delivered":
                for line in storedLines(order) { held[line.product, default: 0] += line.quantity }
            case "cancelled":
                if order["restock"]?.stringValue == "pending" { problems.append("cancelled order \(id) still has its restock pending") }
            case let status:
                problems.append("order \(id) is unfinished (status \(status ?? "missing"))")
            }
        }
        for (productID, document) in products {
            let stock = document["stock"]?.integerValue ?? -1
            if stock < 0 { problems.append("\(productID): stock \(stock) is negative") }
            if let want = expected[productID], stock + held[productID, default: 0] != want {
                problems.append("\(productID): stock \(stock) + held \(held[productID, default: 0]) != \(want)")
            }
            for hold in document["holds"]?.arrayValue ?? [] {
                if let order = hold["order"]?.stringValue, !knownOrders.contains(order) {
                    problems.append("\(productID): a hold of order \(order), which does not exist")
                }
            }
        }
        return problems
    }
}

extension TestDatabase {
    /// Polls the database until `condition` holds or `seconds` pass; for waiting on background
    /// recovery, whose progress the test can only see in the data.
    func waitUntil(seconds: Double = 15, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    /// Orders that are neither visible nor finished: being reserved, rolled back, or restocked.
    func unfinishedWork() throws -> [String] {
        try orders().compactMap { order in
            let status = order["status"]?.stringValue ?? ""
            let restockPending = order["restock"]?.stringValue == "pending"
            return (status == "reserving" || status == "rolling_back" || restockPending) ? order["_id"]?.stringValue : nil
        }
    }
}

enum Faults {
    /// The environment of a server that does `action` at `point` (debug builds only).
    static func environment(_ plan: String) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(["TOOLSERVER_FAULTS": plan]) { $1 }
    }
}
