import OrderDomain
import Testing

@Suite("OrderDraft.plan")
struct OrderDraftTests {
    static func catalogue() throws -> [ProductID: Product] {
        let products = [
            Product(id: try pid("prod1"), name: "Laptop", price: Money(minorUnits: 99_999), stock: 10),
            Product(id: try pid("prod2"), name: "Smartphone", price: Money(minorUnits: 59_999), stock: 15),
            Product(id: try pid("prod3"), name: "Headphones", price: Money(minorUnits: 9_999), stock: 0),
            Product(id: try pid("odd"), name: "Oversold", price: Money(minorUnits: 100), stock: -3),
        ]
        return Dictionary(uniqueKeysWithValues: products.map { ($0.id, $0) })
    }

    static func draft(_ items: [(String, Int64)], address: String = "1 Main St") throws -> OrderDraft {
        OrderDraft(items: try items.map { .init(productID: try pid($0.0), quantity: $0.1) },
                   deliveryAddress: address, idempotencyKey: nil)
    }

    @Test func pricesEveryLineInOrder() throws {
        let lines = try Self.draft([("prod2", 2), ("prod1", 10)]).plan(catalogue: Self.catalogue())
        #expect(lines == [
            OrderLine(productID: try pid("prod2"), name: "Smartphone", quantity: 2, unitPrice: Money(minorUnits: 59_999)),
            OrderLine(productID: try pid("prod1"), name: "Laptop", quantity: 10, unitPrice: Money(minorUnits: 99_999)),
        ])
        #expect(lines.map(\.lineTotal.minorUnits) == [119_998, 999_990])
    }

    @Test func orderingExactlyTheStockIsAllowed() throws {
        let lines = try Self.draft([("prod2", 15)]).plan(catalogue: Self.catalogue())
        #expect(lines.map(\.quantity) == [15])
    }

    @Test func reportsEveryMissingProductInRequestOrder() throws {
        let draft = try Self.draft([("nope2", 1), ("prod1", 1), ("nope1", 1), ("prod3", 99)])
        let error = #expect(throws: OrderError.self) { try draft.plan(catalogue: Self.catalogue()) }
        // Unknown products are reported first, even though prod3 is also short.
        #expect(error == .productsNotFound([try pid("nope2"), try pid("nope1")]))
    }

    @Test func reportsEveryShortageWithRequestedAndAvailable() throws {
        let draft = try Self.draft([("prod1", 11), ("prod2", 1), ("prod3", 1), ("odd", 2)])
        let error = #expect(throws: OrderError.self) { try draft.plan(catalogue: Self.catalogue()) }
        #expect(error == .insufficientStock([
            Shortage(productID: try pid("prod1"), name: "Laptop", requested: 11, available: 10),
            Shortage(productID: try pid("prod3"), name: "Headphones", requested: 1, available: 0),
            // A negative stock is reported as nothing available.
            Shortage(productID: try pid("odd"), name: "Oversold", requested: 2, available: 0),
        ]))
    }

    @Test func emptyCatalogueReportsAllProducts() throws {
        let draft = try Self.draft([("a", 1), ("b", 2)])
        let error = #expect(throws: OrderError.self) { try draft.plan(catalogue: [:]) }
        #expect(error == .productsNotFound([try pid("a"), try pid("b")]))
    }

    @Test func draftKeepsItsFields() throws {
        let draft = OrderDraft(items: [.init(productID: try pid("prod1"), quantity: 3)],
                               deliveryAddress: "  12 Main St  ", idempotencyKey: "key-1")
        #expect(draft.items.map(\.quantity) == [3])
        #expect(draft.deliveryAddress == "  12 Main St  ")
        #expect(draft.idempotencyKey == "key-1")
    }
}
