import TestSupport
import Foundation
import JSON
import Testing

/// Each tool's success and each of its isError cases, through the binary. A failed call must
/// leave both collections exactly as they were.
@Suite struct ToolBehaviourTests {
    /// A fresh seeded database and a client on it.
    struct Fixture {
        let database: TestDatabase
        let client: MCPTestClient

        static func make(_ label: String, products: [(String, String, String, Int)] = TestDatabase.demoProducts,
                         arguments: [String] = []) async throws -> Fixture {
            let database = try await TestDatabase.make(label, products: products)
            do {
                return Fixture(database: database, client: try await MCPTestClient.start(database.serverArguments + arguments))
            } catch {
                database.drop()
                throw error
            }
        }

        func finish() async {
            await ToolServerTests.finish(client)
            database.drop()
        }

        /// Calls a tool that must fail, and checks that nothing changed in the database.
        func refused(_ tool: String, _ arguments: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
            let before = try database.snapshot()
            let result = try await client.call(tool, arguments)
            #expect(result.isError, "\(tool) should fail: \(JSONWriter.string(result.raw))", sourceLocation: sourceLocation)
            #expect(result.structured == nil, sourceLocation: sourceLocation)
            #expect(result.contentCount == 1, sourceLocation: sourceLocation)
            #expect(try database.snapshot() == before, "\(tool) failed but changed the database", sourceLocation: sourceLocation)
            return result.text
        }

        func placed(_ items: [(String, Int64)], address: String = "1 Test Street") async throws -> String {
            let result = try await client.call("create_order", orderArguments(items, address: address))
            guard !result.isError, let id = result.orderID else { throw TestFailure("create_order failed: \(result.text)") }
            return id
        }

        func move(_ order: String, to status: String) async throws {
            let result = try await client.call("update_delivery_status", ["order_id": .string(order), "status": .string(status)])
            guard !result.isError else { throw TestFailure("cannot move \(order) to \(status): \(result.text)") }
        }
    }

    // MARK: check_stock

    @Test("check_stock returns name, price, currency and stock")
    func checkStock() async throws {
        let fixture = try await Fixture.make("check")
        let result = try await fixture.client.call("check_stock", ["product_id": "prod2"])
        #expect(!result.isError)
        #expect(result.structured == ["product_id": "prod2", "name": "Smartphone", "price": 599.99, "currency": "USD", "stock": 15])
        _ = try await fixture.client.call("update_stock", ["product_id": "prod2", "delta": -5])
        #expect(try await fixture.client.call("check_stock", ["product_id": "prod2"])["stock"] == 10)
        await fixture.finish()
    }

    @Test("check_stock: an unknown product is an isError that points to list_products")
    func checkStockUnknown() async throws {
        let fixture = try await Fixture.make("check")
        let text = try await fixture.refused("check_stock", ["product_id": "prod9"])
        #expect(text == "product not found: 'prod9'. Use list_products to see the catalogue's product ids.")
        await fixture.finish()
    }

    // MARK: update_stock

    @Test("update_stock restocks and writes off by a signed delta, down to exactly 0")
    func updateStock() async throws {
        let fixture = try await Fixture.make("stock")
        let restock = try await fixture.client.call("update_stock", ["product_id": "prod1", "delta": 5, "reason": "supplier delivery"])
        #expect(restock.structured == ["product_id": "prod1", "name": "Laptop", "previous_stock": 10, "delta": 5, "stock": 15,
                                       "reason": "supplier delivery"])
        #expect(try fixture.database.stock()["prod1"] == 15)
        let writeOff = try await fixture.client.call("update_stock", ["product_id": "prod1", "delta": -15])
        #expect(writeOff.structured == ["product_id": "prod1", "name": "Laptop", "previous_stock": 15, "delta": -15, "stock": 0])
        #expect(try fixture.database.stock() == ["prod1": 0, "prod2": 15, "prod3": 30])
        let big = try await fixture.client.call("update_stock", ["product_id": "prod3", "delta": 1_000_000])
        #expect(big["stock"] == 1_000_030)
        await fixture.finish()
    }

    @Test("update_stock refuses a negative result, naming the current stock and the smallest allowed delta")
    func updateStockWouldGoNegative() async throws {
        let fixture = try await Fixture.make("stock")
        let text = try await fixture.refused("update_stock", ["product_id": "prod1", "delta": -11])
        #expect(text == "cannot change the stock of 'prod1' by -11: it has 10 in stock and stock cannot go below 0. "
                + "The smallest allowed delta is -10. Nothing was changed.")
        _ = try await fixture.client.call("update_stock", ["product_id": "prod1", "delta": -10])
        let atZero = try await fixture.refused("update_stock", ["product_id": "prod1", "delta": -1])
        #expect(atZero.contains("it has 0 in stock"))
        await fixture.finish()
    }

    @Test("update_stock: delta 0, out of range, and an unknown product are refused")
    func updateStockRefusals() async throws {
        let fixture = try await Fixture.make("stock")
        #expect(try await fixture.refused("update_stock", ["product_id": "prod1", "delta": 0])
                == "invalid arguments: delta must not be 0. Nothing was changed.")
        #expect(try await fixture.refused("update_stock", ["product_id": "prod1", "delta": 1_000_001])
                .hasPrefix("invalid arguments: delta must be an integer from -1000000 to 1000000, got 1000001"))
        #expect(try await fixture.refused("update_stock", ["product_id": "prod1", "delta": -1_000_001])
                .hasPrefix("invalid arguments: delta must be an integer from -1000000 to 1000000"))
        #expect(try await fixture.refused("update_stock", ["product_id": "prod9", "delta": 3])
                == "product not found: 'prod9'. Use list_products to see the catalogue's product ids.")
        #expect(try await fixture.refused("update_stock", ["product_id": "prod1", "delta": 1, "reason": ""])
                .hasPrefix("invalid arguments: reason"))
        #expect(try await fixture.refused("update_stock", ["product_id": "prod1", "delta": 1, "reason": .string(String(repeating: "r", count: 201))])
                .hasPrefix("invalid arguments: reason must be at most 200 characters long"))
        await fixture.finish()
    }

    // MARK: create_order

    @Test("create_order reserves every line and returns the pending order")
    func createOrder() async throws {
        let fixture = try await Fixture.make("create")
        let result = try await fixture.client.call("create_order", orderArguments([("prod1", 2), ("prod2", 1)], address: "123 Main St"))
        #expect(!result.isError, "\(result.text)")
        let order = try #require(result.structured)
        let id = try #require(order["order_id"]?.stringValue)
        #expect(id.hasPrefix("ord_"))
        #expect(order["status"] == "pending")
        #expect(order["items"] == [
            ["product_id": "prod1", "name": "Laptop", "quantity": 2, "unit_price": 999.99, "line_total": 1999.98],
            ["product_id": "prod2", "name": "Smartphone", "quantity": 1, "unit_price": 599.99, "line_total": 599.99],
        ])
        #expect(order["total"] == 2599.97)
        #expect(order["currency"] == "USD")
        #expect(order["delivery_address"] == "123 Main St")
        #expect(order["replayed"] == false)
        #expect(order["idempotency_key"] == nil)
        let created = try #require(order["created_at"]?.stringValue)
        #expect(SchemaValidator.isDateTime(created) && created.hasSuffix("Z"))
        #expect(order["updated_at"] == order["created_at"])
        #expect(order["history"] == [["status": "pending", "at": .string(created)]])

        #expect(try fixture.database.stock() == ["prod1": 8, "prod2": 14, "prod3": 30])
        let stored = try fixture.database.orders()
        #expect(stored.count == 1)
        #expect(stored.first?["_id"] == .string(id))
        #expect(stored.first?["status"] == "pending")
        #expect(stored.first?["total_minor"] == 259_997)
        #expect(unitsByProduct(storedLines(stored.first ?? .null)) == ["prod1": 2, "prod2": 1])

        let fetched = try await fixture.client.call("get_order", ["order_id": .string(id)])
        var expected = try #require(order.objectValue)
        expected["replayed"] = nil
        #expect(fetched.structured == .object(expected))
        await fixture.finish()
    }

    @Test("create_order is exact with money: cents add up without floating-point error")
    func createOrderMoney() async throws {
        let fixture = try await Fixture.make("money", products: [("dime", "Dime", "0.10", 1000), ("twenty", "Twenty", "0.20", 1000),
                                                                 ("dear", "Expensive", "1000000", 200_000)])
        let small = try await fixture.client.call("create_order", orderArguments([("dime", 3), ("twenty", 1)]))
        #expect(small["total"] == 0.5)
        #expect(small["items"]?[0]?["line_total"] == 0.3)
        let large = try await fixture.client.call("create_order", orderArguments([("dear", 100_000)]))
        #expect(!large.isError, "\(large.text)")
        #expect(large["total"]?.integerValue == 100_000_000_000)
        #expect(large.text.contains("\"total\":100000000000"))
        await fixture.finish()
    }

    @Test("create_order with short stock names every short product with what is available, and changes nothing")
    func createOrderShortStock() async throws {
        let fixture = try await Fixture.make("short")
        let text = try await fixture.refused("create_order", orderArguments([("prod1", 11), ("prod3", 30), ("prod2", 16)]))
        #expect(text == "insufficient stock: 'prod1' (Laptop): requested 11, available 10; "
                + "'prod2' (Smartphone): requested 16, available 15. Nothing was reserved and no order was created. "
                + "Restock first with update_stock to fill it; ordering less needs the customer's consent.")
        // Exactly the available stock is fine.
        _ = try await fixture.placed([("prod1", 10), ("prod3", 30)])
        #expect(try fixture.database.stock() == ["prod1": 0, "prod2": 15, "prod3": 0])
        let sold = try await fixture.refused("create_order", orderArguments([("prod2", 1), ("prod1", 1)]))
        #expect(sold.hasPrefix("insufficient stock: 'prod1' (Laptop): requested 1, available 0. Nothing was reserved"))
        await fixture.finish()
    }

    @Test("create_order with an unknown product refuses the whole order")
    func createOrderUnknownProduct() async throws {
        let fixture = try await Fixture.make("unknown")
        #expect(try await fixture.refused("create_order", orderArguments([("prod1", 1), ("prod9", 1)]))
                == "product(s) not found: 'prod9'. Nothing was reserved and no order was created. "
                + "Use list_products to see the catalogue's product ids.")
        let two = try await fixture.refused("create_order", orderArguments([("prod8", 1), ("prod2", 1), ("prod9", 100)]))
        #expect(two.hasPrefix("product(s) not found: 'prod8', 'prod9'."))
        await fixture.finish()
    }

    @Test("a product's name where its id belongs is read as that product's id when it names exactly one; else the id is suggested and nothing changes")
    func productNamesAreResolved() async throws {
        let fixture = try await Fixture.make("byname", products: TestDatabase.demoProducts + [("prod8", "Cable", "5.00", 3),
                                                                                             ("prod9", "Cables", "9.00", 3)])
        #expect(try await fixture.refused("create_order", orderArguments([("Headphones", 2), ("laptops", 1), ("prod7", 1)]))
                == "product(s) not found: 'Headphones', 'laptops', 'prod7'. By name: 'Headphones' is prod3 (Headphones), 'laptops' "
                + "is prod1 (Laptop). Nothing was reserved and no order was created. Use list_products to see the catalogue's product ids.")
        // "cables" names two products (Cable, plural; Cables): neither is picked.
        #expect(try await fixture.refused("check_stock", ["product_id": "cables"]).hasPrefix("product not found: 'cables'."))
        #expect(try await fixture.refused("check_stock", ["product_id": "ord_dexgytbna1r53pg8my65"])
                == "product not found: 'ord_dexgytbna1r53pg8my65'. 'ord_dexgytbna1r53pg8my65' is an order id, not a product's: "
                + "orders are looked up with get_order. Use list_products to see the catalogue's product ids.")
        #expect(try await fixture.client.call("list_orders", [:])["count"] == 0)

        let placed = try await fixture.client.call("create_order", orderArguments([("Headphones", 2), ("laptops", 1)]))
        #expect(!placed.isError)
        #expect(placed["items"]?.arrayValue?.compactMap { $0["product_id"]?.stringValue } == ["prod3", "prod1"])
        let checked = try await fixture.client.call("check_stock", ["product_id": "Smartphone"])
        #expect(checked["product_id"] == "prod2")
        #expect(checked["stock"] == 15)
        let adjusted = try await fixture.client.call("update_stock", ["product_id": "LAPTOP", "delta": 1])
        #expect(adjusted["product_id"] == "prod1")
        #expect(adjusted["stock"] == 10)  // 10 - 1 ordered + 1
        #expect(try await fixture.client.call("check_stock", ["product_id": "prod3"])["stock"] == 28)
        await fixture.finish()
    }

    @Test("create_order limits: 1-100 distinct lines, quantity 1-100000, address 1-500 characters")
    func createOrderLimits() async throws {
        let products = (0...100).map { (String(format: "p%03d", $0), "Part \($0)", "1.00", 1) } + [("bulk", "Bulk", "0.01", 100_000)]
        let fixture = try await Fixture.make("limits", products: products)
        let hundred = (0..<100).map { (String(format: "p%03d", $0), Int64(1)) }
        let hundredAndOne = (0...100).map { (String(format: "p%03d", $0), Int64(1)) }

        #expect(try await fixture.refused("create_order", orderArguments(hundredAndOne))
                == "invalid arguments: items must have at most 100 items, got 101. Nothing was changed.")
        #expect(try await fixture.refused("create_order", orderArguments([]))
                == "invalid arguments: items must have at least 1 item(s), got 0. Nothing was changed.")
        #expect(try await fixture.refused("create_order", orderArguments([("bulk", 100_001)]))
                == "invalid arguments: items[0].quantity must be an integer from 1 to 100000, got 100001. Nothing was changed.")
        #expect(try await fixture.refused("create_order", orderArguments([("bulk", 0)]))
                == "invalid arguments: items[0].quantity must be an integer from 1 to 100000, got 0. Nothing was changed.")
        #expect(try await fixture.refused("create_order", orderArguments([("p001", 1), ("p002", 1), ("p001", 1)]))
                == "invalid arguments: items[2].product_id repeats 'p001' from items[0]; put each product in one line "
                + "with the total quantity. Nothing was changed.")
        #expect(try await fixture.refused("create_order", orderArguments([("bulk", 1)], address: ""))
                == "invalid arguments: delivery_address must not be empty. Nothing was changed.")
        #expect(try await fixture.refused("create_order", orderArguments([("bulk", 1)], address: "  \u{3000} "))
                == "invalid arguments: delivery_address must not be blank. Nothing was changed.")
        #expect(try await fixture.refused("create_order", orderArguments([("bulk", 1)], address: String(repeating: "a", count: 501)))
                == "invalid arguments: delivery_address must be at most 500 characters long, got 501. Nothing was changed.")
        #expect(try await fixture.refused("create_order", orderArguments([("bulk", 1)], address: "line 1\nline 2"))
                .hasPrefix("invalid arguments: delivery_address 'line 1\\u{a}line 2' is not valid: use text without control characters"))

        let full = try await fixture.client.call("create_order", orderArguments(hundred))
        #expect(!full.isError, "\(full.text)")
        #expect(full["items"]?.arrayValue?.count == 100)
        #expect(full["total"] == 100)
        let bulk = try await fixture.client.call("create_order", orderArguments([("bulk", 100_000)],
                                                                                address: String(repeating: "é", count: 500)))
        #expect(!bulk.isError, "\(bulk.text)")
        #expect(bulk["total"] == 1000)
        #expect(bulk["delivery_address"]?.stringValue?.count == 500)
        let stock = try fixture.database.stock()
        #expect(stock.filter { $0.value == 0 }.count == 101, "p000-p099 and bulk are sold out")
        #expect(stock["p100"] == 1)
        await fixture.finish()
    }

    @Test("create_order stores operator-looking free text verbatim, as a plain string")
    func createOrderStoresTextVerbatim() async throws {
        let fixture = try await Fixture.make("verbatim")
        let address = #"{"$set": {"stock": 0}} $where.prod1 ; db.dropDatabase()"#
        let result = try await fixture.client.call("create_order", orderArguments([("prod1", 1)], address: address))
        #expect(result["delivery_address"] == .string(address))
        #expect(try fixture.database.orders().first?["delivery_address"] == .string(address))
        #expect(try fixture.database.stock() == ["prod1": 9, "prod2": 15, "prod3": 30])
        await fixture.finish()
    }

    // MARK: update_delivery_status

    @Test("update_delivery_status: pending → in_transit → delivered, with history and notes; stock stays sold")
    func deliveryLifecycle() async throws {
        let fixture = try await Fixture.make("delivery")
        let id = try await fixture.placed([("prod1", 2)])
        let shipped = try await fixture.client.call("update_delivery_status",
                                                    ["order_id": .string(id), "status": "in_transit", "note": "DHL 123"])
        #expect(!shipped.isError, "\(shipped.text)")
        #expect(shipped["status"] == "in_transit")
        #expect(shipped["previous_status"] == "pending")
        #expect(shipped["changed"] == true)
        #expect(shipped["history"]?.arrayValue?.map { $0["status"] } == ["pending", "in_transit"])
        #expect(shipped["history"]?[1]?["note"] == "DHL 123")
        #expect(shipped["updated_at"] == shipped["history"]?[1]?["at"])

        let delivered = try await fixture.client.call("update_delivery_status", ["order_id": .string(id), "status": "delivered"])
        #expect(delivered["status"] == "delivered")
        #expect(delivered["previous_status"] == "in_transit")
        #expect(delivered["changed"] == true)
        #expect(delivered["history"]?.arrayValue?.map { $0["status"] } == ["pending", "in_transit", "delivered"])
        #expect(delivered["history"]?[2]?["note"] == nil)

        let fetched = try await fixture.client.call("get_order", ["order_id": .string(id)])
        #expect(fetched["status"] == "delivered")
        #expect(fetched["history"] == delivered["history"])
        #expect(try fixture.database.stock()["prod1"] == 8)
        let stored = try fixture.database.orders().first
        #expect(stored?["status"] == "delivered")
        #expect(stored?["history"]?.arrayValue?.count == 3)
        await fixture.finish()
    }

    @Test("update_delivery_status to the status the order already has succeeds with changed:false and changes nothing")
    func sameStatusIsNoOp() async throws {
        let fixture = try await Fixture.make("noop")
        let shipped = try await fixture.placed([("prod1", 1)])
        try await fixture.move(shipped, to: "in_transit")
        let delivered = try await fixture.placed([("prod2", 1)])
        try await fixture.move(delivered, to: "in_transit")
        try await fixture.move(delivered, to: "delivered")
        let cancelled = try await fixture.placed([("prod3", 3)])
        try await fixture.move(cancelled, to: "cancelled")

        for (id, status) in [(shipped, "in_transit"), (delivered, "delivered"), (cancelled, "cancelled")] {
            let before = try fixture.database.snapshot()
            let result = try await fixture.client.call("update_delivery_status",
                                                       ["order_id": .string(id), "status": .string(status), "note": "again"])
            #expect(!result.isError, "\(result.text)")
            #expect(result["changed"] == false)
            #expect(result["status"] == .string(status))
            #expect(result["previous_status"] == .string(status))
            #expect(result["history"]?.arrayValue?.contains { $0["note"] == "again" } == false)
            #expect(try fixture.database.snapshot() == before, "\(status) → \(status) changed the database")
        }
        await fixture.finish()
    }

    @Test("update_delivery_status refuses 'pending' for every order, which only a new order has, and changes nothing")
    func pendingIsNotATarget() async throws {
        let fixture = try await Fixture.make("pending")
        let pending = try await fixture.placed([("prod1", 1)])
        let shipped = try await fixture.placed([("prod2", 1)])
        try await fixture.move(shipped, to: "in_transit")
        let cancelled = try await fixture.placed([("prod3", 3)])
        try await fixture.move(cancelled, to: "cancelled")
        for id in [pending, shipped, cancelled] {
            let before = try fixture.database.snapshot()
            let text = try await fixture.refused("update_delivery_status", ["order_id": .string(id), "status": "pending"])
            #expect(text == "invalid arguments: status must be one of 'in_transit', 'delivered', 'cancelled', got 'pending'. "
                    + "Nothing was changed.")
            #expect(try fixture.database.snapshot() == before)
        }
        let tools = try await fixture.client.request("tools/list")["result"]?["tools"]?.arrayValue ?? []
        let schema = tools.first { $0["name"] == "update_delivery_status" }
        #expect(schema?["inputSchema"]?["properties"]?["status"]?["enum"] == ["in_transit", "delivered", "cancelled"])
        await fixture.finish()
    }

    struct Disallowed: Sendable, CustomTestStringConvertible {
        let path: [String]
        let to: String
        let allowed: String
        var testDescription: String { "\(path.last ?? "pending") → \(to)" }
    }

    static let disallowed = [
        Disallowed(path: [], to: "delivered", allowed: "'in_transit' or 'cancelled'"),
        Disallowed(path: ["in_transit", "delivered"], to: "in_transit", allowed: "none: 'delivered' is final"),
        Disallowed(path: ["in_transit", "delivered"], to: "cancelled", allowed: "none: 'delivered' is final"),
        Disallowed(path: ["cancelled"], to: "in_transit", allowed: "none: 'cancelled' is final"),
        Disallowed(path: ["in_transit", "cancelled"], to: "delivered", allowed: "none: 'cancelled' is final"),
    ]

    @Test("update_delivery_status refuses other transitions, naming the allowed next statuses", arguments: disallowed)
    func disallowedTransition(_ case_: Disallowed) async throws {
        let fixture = try await Fixture.make("transition")
        let id = try await fixture.placed([("prod1", 1), ("prod2", 2)])
        for status in case_.path { try await fixture.move(id, to: status) }
        let from = case_.path.last ?? "pending"
        let text = try await fixture.refused("update_delivery_status", ["order_id": .string(id), "status": .string(case_.to)])
        #expect(text == "cannot move order '\(id)' from '\(from)' to '\(case_.to)'. Allowed next status: \(case_.allowed). "
                + "Nothing was changed.")
        await fixture.finish()
    }

    @Test("update_delivery_status: unknown and malformed order ids, unknown statuses")
    func deliveryRefusals() async throws {
        let fixture = try await Fixture.make("delivery")
        let id = try await fixture.placed([("prod1", 1)])
        #expect(try await fixture.refused("update_delivery_status", ["order_id": "ord_doesnotexist", "status": "cancelled"])
                == "order not found: 'ord_doesnotexist'. Order ids look like 'ord_…'; use list_orders to find one (by delivery_address or status).")
        #expect(try await fixture.refused("update_delivery_status", ["order_id": "not an id!", "status": "cancelled"])
                .hasPrefix("invalid arguments: order_id 'not an id!' is not valid: use 1-64 characters from A-Z a-z 0-9 . _ : -"))
        #expect(try await fixture.refused("update_delivery_status", ["order_id": .string(id), "status": "shipped"])
                == "invalid arguments: status must be one of 'in_transit', 'delivered', 'cancelled', got 'shipped'. "
                + "Nothing was changed.")
        #expect(try await fixture.refused("update_delivery_status", ["order_id": .string(id), "status": "in_transit", "note": ""])
                .hasPrefix("invalid arguments: note"))
        #expect(try await fixture.refused("update_delivery_status", ["order_id": .string(id)])
                == "invalid arguments: status is required but missing. Nothing was changed.")
        await fixture.finish()
    }

    @Test("an order id a few slips from a real one gets 'Did you mean' with that order's status and address; nothing changes")
    func misspelledOrderIDIsSuggested() async throws {
        let fixture = try await Fixture.make("suggest")
        let id = try await fixture.placed([("prod1", 1)], address: "456 Elm St")
        var typed = Array(id)
        typed.swapAt(8, 9)
        if typed == Array(id) { typed[8] = typed[8] == "z" ? "y" : "z" }
        let misspelled = String(typed)
        let before = try fixture.database.snapshot()
        let hint = "Did you mean '\(id)' (pending, to 456 Elm St)? Order ids look like 'ord_…'; use list_orders to find one (by delivery_address or status)."
        #expect(try await fixture.refused("get_order", ["order_id": .string(misspelled)])
                == "order not found: '\(misspelled)'. \(hint)")
        #expect(try await fixture.refused("update_delivery_status", ["order_id": .string(misspelled), "status": "in_transit"])
                == "order not found: '\(misspelled)'. \(hint)")
        #expect(try fixture.database.snapshot() == before)
        await fixture.finish()
    }

    // MARK: get_order

    @Test("get_order: the order by id; unknown and malformed ids are refused")
    func getOrder() async throws {
        let fixture = try await Fixture.make("get")
        let id = try await fixture.placed([("prod3", 4)], address: "7 Elm Road")
        let result = try await fixture.client.call("get_order", ["order_id": .string(id)])
        #expect(result["order_id"] == .string(id))
        #expect(result["items"] == [["product_id": "prod3", "name": "Headphones", "quantity": 4, "unit_price": 99.99, "line_total": 399.96]])
        #expect(result["total"] == 399.96)
        #expect(result["delivery_address"] == "7 Elm Road")
        #expect(result["replayed"] == nil)
        #expect(try await fixture.refused("get_order", ["order_id": "ord_nope"])
                == "order not found: 'ord_nope'. Order ids look like 'ord_…'; use list_orders to find one (by delivery_address or status).")
        #expect(try await fixture.refused("get_order", ["order_id": ""]) == "invalid arguments: order_id must not be empty. Nothing was changed.")
        #expect(try await fixture.refused("get_order", ["order_id": .string(String(repeating: "a", count: 65))])
                .hasPrefix("invalid arguments: order_id must be at most 64 characters long, got 65"))
        #expect(try await fixture.refused("get_order", [:]) == "invalid arguments: order_id is required but missing. Nothing was changed.")
        await fixture.finish()
    }

    // MARK: list_orders

    @Test("list_orders: newest first, by status, with a limit")
    func listOrders() async throws {
        let fixture = try await Fixture.make("list")
        let first = try await fixture.placed([("prod1", 1)])
        let second = try await fixture.placed([("prod2", 1)])
        let third = try await fixture.placed([("prod3", 1)])
        try await fixture.move(second, to: "in_transit")
        try await fixture.move(third, to: "cancelled")

        let all = try await fixture.client.call("list_orders", [:])
        #expect(all["count"] == 3)
        let orders = all["orders"]?.arrayValue ?? []
        #expect(Set(orders.compactMap { $0["order_id"]?.stringValue }) == [first, second, third])
        let created = orders.compactMap { $0["created_at"]?.stringValue }
        #expect(created == created.sorted(by: >), "newest first")
        #expect(orders.allSatisfy { $0["replayed"] == nil && $0["items"]?.arrayValue?.count == 1 })

        for (status, expected) in [("pending", [first]), ("in_transit", [second]), ("cancelled", [third]), ("delivered", [])] {
            let filtered = try await fixture.client.call("list_orders", ["status": .string(status)])
            #expect(filtered["orders"]?.arrayValue?.compactMap { $0["order_id"]?.stringValue } == expected, "\(status)")
            #expect(filtered["count"] == .int(Int64(expected.count)))
        }
        let limited = try await fixture.client.call("list_orders", ["limit": 2])
        #expect(limited["count"] == 2)
        #expect(limited["orders"]?.arrayValue == Array(orders.prefix(2)))

        #expect(try await fixture.refused("list_orders", ["limit": 0])
                == "invalid arguments: limit must be an integer from 1 to 100, got 0. Nothing was changed.")
        #expect(try await fixture.refused("list_orders", ["limit": 101]).hasPrefix("invalid arguments: limit must be an integer from 1 to 100"))
        #expect(try await fixture.refused("list_orders", ["status": "lost"]).hasPrefix("invalid arguments: status must be one of"))
        await fixture.finish()
    }

    @Test("list_orders by delivery_address: case, spacing and a final period do not matter; words are whole; regex characters are literal")
    func listOrdersByAddress() async throws {
        let fixture = try await Fixture.make("listaddress")
        let quay = try await fixture.placed([("prod1", 1)], address: "31 Quay St")
        let quayAgain = try await fixture.placed([("prod2", 1)], address: "31  quay st.")
        _ = try await fixture.placed([("prod3", 1)], address: "131 Quay St")
        let dotted = try await fixture.placed([("prod3", 1)], address: "Flat 2 (rear), 5.5 Oak St")
        try await fixture.move(quay, to: "in_transit")

        func found(_ arguments: JSONValue) async throws -> Set<String> {
            let listed = try await fixture.client.call("list_orders", arguments)
            return Set(listed["orders"]?.arrayValue?.compactMap { $0["order_id"]?.stringValue } ?? [])
        }
        #expect(try await found(["delivery_address": "31 Quay St"]) == [quay, quayAgain])
        #expect(try await found(["delivery_address": " 31 QUAY  St. "]) == [quay, quayAgain])
        #expect(try await found(["delivery_address": "31 Quay St", "status": "pending"]) == [quayAgain])
        #expect(try await found(["delivery_address": "flat 2 (rear), 5.5 oak st"]) == [dotted])
        // Regex syntax in the text is matched literally, never as a pattern.
        for pattern in [".*", "31 Quay S.", "31|131 Quay St", "^31 Quay St$", "31 Quay St\\"] {
            #expect(try await found(["delivery_address": .string(pattern)]).isEmpty, "\(pattern)")
        }
        #expect(try await fixture.refused("list_orders", ["delivery_address": "  "])
                == "invalid arguments: delivery_address must not be blank. Nothing was changed.")
        #expect(try await fixture.refused("list_orders", ["delivery_address": ["$ne": ""]])
                .hasPrefix("invalid arguments: delivery_address must be a string"))
        await fixture.finish()
    }

    @Test("list_orders on an empty database returns no orders")
    func listOrdersEmpty() async throws {
        let fixture = try await Fixture.make("list")
        let result = try await fixture.client.call("list_orders", ["limit": 100])
        #expect(result.structured == ["orders": [], "count": 0])
        await fixture.finish()
    }

    // MARK: list_products

    @Test("list_products: by id, with a limit and a low-stock filter")
    func listProducts() async throws {
        let fixture = try await Fixture.make("products")
        let all = try await fixture.client.call("list_products", [:])
        #expect(all.structured == ["products": [
            ["product_id": "prod1", "name": "Laptop", "price": 999.99, "currency": "USD", "stock": 10],
            ["product_id": "prod2", "name": "Smartphone", "price": 599.99, "currency": "USD", "stock": 15],
            ["product_id": "prod3", "name": "Headphones", "price": 99.99, "currency": "USD", "stock": 30],
        ], "count": 3])
        func ids(_ arguments: JSONValue) async throws -> [String] {
            let result = try await fixture.client.call("list_products", arguments)
            #expect(!result.isError, "\(result.text)")
            let ids = result["products"]?.arrayValue?.compactMap { $0["product_id"]?.stringValue } ?? []
            #expect(result["count"] == .int(Int64(ids.count)))
            return ids
        }
        #expect(try await ids(["limit": 2]) == ["prod1", "prod2"])
        #expect(try await ids(["low_stock_below": 15]) == ["prod1"])
        #expect(try await ids(["low_stock_below": 16]) == ["prod1", "prod2"])
        #expect(try await ids(["low_stock_below": 1]) == [])
        #expect(try await ids(["low_stock_below": 31, "limit": 1]) == ["prod1"])
        _ = try await fixture.client.call("update_stock", ["product_id": "prod3", "delta": -25])
        #expect(try await ids(["low_stock_below": 6]) == ["prod3"])
        #expect(try await fixture.refused("list_products", ["limit": 501])
                == "invalid arguments: limit must be an integer from 1 to 500, got 501. Nothing was changed.")
        #expect(try await fixture.refused("list_products", ["low_stock_below": -1]).hasPrefix("invalid arguments: low_stock_below"))
        #expect(try await fixture.refused("list_products", ["low_stock_below": 0])
                == "invalid arguments: low_stock_below must be an integer from 1 to 1000000000, got 0. Nothing was changed.")
        await fixture.finish()
    }
}
