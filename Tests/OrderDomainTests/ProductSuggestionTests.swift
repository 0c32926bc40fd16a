import OrderDomain
import Testing

@Suite("ProductSuggestion")
struct ProductSuggestionTests {
    static func catalogue() throws -> [Product] {
        try [("prod1", "Laptop"), ("prod3", "Headphones"), ("prod4", "Monitor"), ("prod7", "Box")].map { id, name in
            Product(id: try pid(id), name: name, price: Money(minorUnits: 100), stock: 5)
        }
    }

    @Test func aProductsNameGetsItsIdWhateverTheCaseOrPlural() throws {
        let ids = try ["Headphones", "monitors", "LAPTOP", "boxes", "prod9", "Lap"].map(pid)
        #expect(ProductSuggestion.text(for: ids, among: try Self.catalogue())
                == " By name: 'Headphones' is prod3 (Headphones), 'monitors' is prod4 (Monitor), 'LAPTOP' is prod1 (Laptop), "
                + "'boxes' is prod7 (Box).")
        #expect(ProductSuggestion.text(for: [try pid("prod9")], among: try Self.catalogue()) == nil)
    }

    @Test func aNameOfExactlyOneProductResolvesToItsId() throws {
        let catalogue = try Self.catalogue() + [Product(id: try pid("prod8"), name: "Boxes", price: Money(minorUnits: 100), stock: 1)]
        #expect(ProductSuggestion.resolution(for: try ["Headphones", "monitors", "LAPTOP"].map(pid), among: catalogue)
                == [try pid("Headphones"): try pid("prod3"), try pid("monitors"): try pid("prod4"), try pid("LAPTOP"): try pid("prod1")])
        #expect(ProductSuggestion.resolution(for: try ["Headphones", "prod9"].map(pid), among: catalogue) == nil)  // one unknown
        #expect(ProductSuggestion.resolution(for: [try pid("boxes")], among: catalogue) == nil)  // Box and Boxes
        #expect(ProductSuggestion.resolution(for: [], among: catalogue) == nil)
    }

    @Test func anOrderIdIsNamedAsOne() throws {
        #expect(ProductSuggestion.text(for: [try pid("ord_dexgytbna1r53pg8my65")], among: try Self.catalogue())
                == " 'ord_dexgytbna1r53pg8my65' is an order id, not a product's: orders are looked up with get_order.")
        #expect(ProductSuggestion.text(for: try ["Monitor", "ord_a", "ord_b"].map(pid), among: try Self.catalogue())
                == " By name: 'Monitor' is prod4 (Monitor). 'ord_a', 'ord_b' are order ids, not a product's: orders are looked "
                + "up with get_order.")
    }

    @Test func theSuggestionFollowsTheFirstSentence() throws {
        let id = try pid("Headphones")
        #expect(OrderError.productsNotFoundMessage([id], suggestion: " By name: 'Headphones' is prod3 (Headphones).")
                == "product(s) not found: 'Headphones'. By name: 'Headphones' is prod3 (Headphones). Nothing was reserved and no "
                + "order was created. Use list_products to see the catalogue's product ids.")
        #expect(OrderError.productNotFound(id).message == OrderError.productNotFoundMessage(id))
    }
}
