@testable import OrderDomain
import Testing

@Suite("OrderSuggestion")
struct OrderSuggestionTests {
    static func order(_ id: String, _ status: OrderStatus, _ address: String) throws -> Order {
        let now = Timestamp(millisecondsSince1970: 1_700_000_000_000)
        return Order(id: try oid(id), status: status, lines: [], deliveryAddress: address, idempotencyKey: nil,
                     createdAt: now, updatedAt: now, history: [])
    }

    @Test("edit distance counts inserts, deletes, substitutions and swaps of neighbours as one each", arguments: [
        ("ord_0h41xxd2fh0x6bxm5928", "ord_0h41xxd2fh0x6bxm5928", 0),
        ("ord_0h41xxd2fh0x6bxm5928", "ord_0h41xxd2fhx06bxm5928", 1),   // two neighbours swapped
        ("ord_0h41xxd2fh0x6bxm5928", "ord_0h41xxd2fh0x6bxm592", 1),    // one left out
        ("ord_0h41xxd2fh0x6bxm5928", "ord_0h41xxd2fh0x6bxm59288", 1),  // one added
        ("ord_0h41xxd2fh0x6bxm5928", "ord_0h41xxd2fh0x6bxm5929", 1),   // one changed
        ("ord_0h41xxd2fh0x6bxm5928", "ord_0h4lxxd2fhOx6bxm5928", 2),
        ("ord_0h41xxd2fh0x6bxm5928", "ord_9kq2mzt7rw3v5yb8c1nd", 4),   // past the limit: limit + 1
        ("ord_0h41xxd2fh0x6bxm5928", "ord_1", 4),
        ("", "abc", 3),
    ])
    func editDistance(a: String, b: String, expected: Int) {
        #expect(OrderSuggestion.editDistance(Array(a.utf8), Array(b.utf8), limit: 3) == expected)
        #expect(OrderSuggestion.editDistance(Array(b.utf8), Array(a.utf8), limit: 3) == expected)
    }

    @Test func namesTheNearOrdersClosestFirstWithStatusAndAddress() throws {
        let orders = [
            try Self.order("ord_9kq2mzt7rw3v5yb8c1nd", .pending, "5 Oak St"),
            try Self.order("ord_0h41xxd2fh0x6bxm5929", .inTransit, "7 Elm Rd"),
            try Self.order("ord_0h41xxd2fh0x6bxm5928", .pending, "456 Elm St"),
        ]
        #expect(OrderSuggestion.text(near: try oid("ord_0h41xxd2fhx06bxm5928"), among: orders)
                == " Did you mean 'ord_0h41xxd2fh0x6bxm5928' (pending, to 456 Elm St) or 'ord_0h41xxd2fh0x6bxm5929' (in_transit, to 7 Elm Rd)?")
    }

    @Test func noOrderNearEnoughMeansNoSuggestion() throws {
        let orders = [try Self.order("ord_9kq2mzt7rw3v5yb8c1nd", .pending, "5 Oak St")]
        #expect(OrderSuggestion.text(near: try oid("ord_0h41xxd2fhx06bxm5928"), among: orders) == nil)
        #expect(OrderSuggestion.text(near: try oid("ord_0h41xxd2fhx06bxm5928"), among: []) == nil)
    }
}
