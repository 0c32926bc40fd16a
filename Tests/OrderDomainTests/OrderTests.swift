import OrderDomain
import Testing

@Suite("Order")
struct OrderTests {
    static func line(_ id: String, _ quantity: Int64, cents: Int64 = 1_000) throws -> OrderLine {
        OrderLine(productID: try pid(id), name: id.uppercased(), quantity: quantity, unitPrice: Money(minorUnits: cents))
    }

    static func order(_ lines: [OrderLine], address: String = "1 Main St", status: OrderStatus = .pending) throws -> Order {
        let now = Timestamp(millisecondsSince1970: 1_700_000_000_000)
        return Order(id: try oid("ord_1"), status: status, lines: lines, deliveryAddress: address, idempotencyKey: "k1",
                     createdAt: now, updatedAt: now, history: [HistoryEntry(status: .pending, at: now, note: nil)])
    }

    static func draft(_ items: [(String, Int64)], address: String = "1 Main St") throws -> OrderDraft {
        OrderDraft(items: try items.map { .init(productID: try pid($0.0), quantity: $0.1) },
                   deliveryAddress: address, idempotencyKey: "k1")
    }

    @Test func totalSumsLineTotals() throws {
        let order = try Self.order([Self.line("a", 3, cents: 99_999), Self.line("b", 2, cents: 1)])
        #expect(order.total.minorUnits == 299_999)
        #expect(try Self.order([]).total == .zero)
    }

    @Test func matchesTheSameLinesInAnyOrder() throws {
        let order = try Self.order([Self.line("a", 1), Self.line("b", 2)])
        #expect(order.matches(try Self.draft([("a", 1), ("b", 2)])))
        #expect(order.matches(try Self.draft([("b", 2), ("a", 1)])))
    }

    @Test("does not match another payload", arguments: [
        ([("a", 1), ("b", 2)], "2 Main St"),
        ([("a", 1), ("b", 2)], "1 main st"),
        ([("a", 1), ("b", 2)], "1 Main St "),
        ([("a", 1), ("b", 3)], "1 Main St"),
        ([("a", 1)], "1 Main St"),
        ([("a", 1), ("b", 2), ("c", 1)], "1 Main St"),
        ([("a", 1), ("c", 2)], "1 Main St"),
    ] as [([(String, Int64)], String)])
    func doesNotMatch(items: [(String, Int64)], address: String) throws {
        let order = try Self.order([Self.line("a", 1), Self.line("b", 2)])
        #expect(!order.matches(try Self.draft(items, address: address)))
    }

    @Test func matchingIgnoresPricesAndNames() throws {
        let order = try Self.order([Self.line("a", 1, cents: 5)])
        #expect(order.matches(try Self.draft([("a", 1)])))
    }

    @Test func statusUpdateReportsWhetherItChanged() throws {
        let delivered = try Self.order([Self.line("a", 1)], status: .delivered)
        #expect(StatusUpdate(order: delivered, previousStatus: .inTransit).changed)
        #expect(!StatusUpdate(order: delivered, previousStatus: .delivered).changed)
    }

    @Test func lineTotalMultipliesUnitPrice() throws {
        #expect(try Self.line("a", 7, cents: 1_999).lineTotal.minorUnits == 13_993)
    }
}
