import OrderDomain
import Testing

@Suite("OrderError.message")
struct OrderErrorTests {
    static func cases() throws -> [(OrderError, String)] {
        let prod1 = try pid("prod1")
        let prod2 = try pid("prod2")
        let ord = try oid("ord_abc")
        return [
            (.productNotFound(prod1),
             "product not found: 'prod1'. Use list_products to see the catalogue's product ids."),
            (.productsNotFound([prod1, prod2]),
             "product(s) not found: 'prod1', 'prod2'. Nothing was reserved and no order was created. "
                + "Use list_products to see the catalogue's product ids."),
            (.orderNotFound(ord),
             "order not found: 'ord_abc'. Order ids look like 'ord_…'; use list_orders to find one (by delivery_address or status)."),
            (.insufficientStock([
                Shortage(productID: prod1, name: "Laptop", requested: 11, available: 10),
                Shortage(productID: prod2, name: "Smartphone", requested: 3, available: 0),
            ]),
             "insufficient stock: 'prod1' (Laptop): requested 11, available 10; 'prod2' (Smartphone): requested 3, "
                + "available 0. Nothing was reserved and no order was created. "
                + "Restock first with update_stock to fill it; ordering less needs the customer's consent."),
            (.stockWouldGoNegative(product: prod1, current: 4, delta: -5),
             "cannot change the stock of 'prod1' by -5: it has 4 in stock and stock cannot go below 0. "
                + "The smallest allowed delta is -4. Nothing was changed."),
            (.stockOutOfRange(product: prod1, current: 999_999_999, delta: 5),
             "cannot change the stock of 'prod1' by 5: it has 999999999 in stock and the result would exceed "
                + "the largest stock allowed. Nothing was changed."),
            (.invalidTransition(order: ord, from: .inTransit, to: .pending),
             "cannot move order 'ord_abc' from 'in_transit' to 'pending'. "
                + "Allowed next status: 'delivered' or 'cancelled'. Nothing was changed."),
            (.invalidTransition(order: ord, from: .delivered, to: .cancelled),
             "cannot move order 'ord_abc' from 'delivered' to 'cancelled'. "
                + "Allowed next status: none: 'delivered' is final. Nothing was changed."),
            (.idempotencyConflict(key: "key-1", existing: ord),
             "idempotency_key 'key-1' was already used for order 'ord_abc' with different items or address. "
                + "Use a new key for a new order, or resend exactly the original items and address."),
            (.invalidArgument(field: "items[1].quantity", problem: "must not be 0"),
             "invalid arguments: items[1].quantity must not be 0. Nothing was changed."),
            (.busy("write conflict"),
             "the order could not be completed because of concurrent changes (write conflict). "
                + "Nothing was changed; retry the same call."),
            (.databaseUnavailable("no primary"), "database unavailable: no primary. Nothing was changed; retry shortly."),
            (.outcomeUnknown("socket closed"),
             "database unavailable while the change was being committed (socket closed): it may or may not have been applied. "
                + "Retry the same call shortly: with the same idempotency_key a retry never creates a second order; "
                + "without one, check with get_order or list_orders first."),
            (.storeFailure("E11000"), "the database refused the operation: E11000."),
        ]
    }

    @Test func messages() throws {
        for (error, message) in try Self.cases() {
            #expect(error.message == message)
        }
    }

    @Test func everyRecoverableErrorSaysWhatToDoNext() throws {
        let guidance = ["Use ", "use ", "retry", "Restock first", "Nothing was changed", "Allowed next status"]
        for (error, _) in try Self.cases() {
            if case .storeFailure = error { continue }
            #expect(guidance.contains { error.message.contains($0) }, "\(error.message)")
        }
    }

    @Test func messagesAreOneLine() throws {
        for (error, _) in try Self.cases() {
            #expect(!error.message.contains("\n"))
        }
    }

    @Test func equality() throws {
        #expect(OrderError.busy("a") == .busy("a"))
        #expect(OrderError.busy("a") != .busy("b"))
        #expect(OrderError.productNotFound(try pid("a")) != .productsNotFound([try pid("a")]))
    }
}
