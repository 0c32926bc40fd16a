import TestSupport
import Foundation
import JSON
import Testing

/// Bad input of every kind, each case against a fresh database that already holds an order: the
/// call fails with a text that names the field and the fix, the published inputSchema agrees
/// that the arguments are invalid, and neither collection changes.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let tool: String
        let arguments: JSONValue
        /// The start of the error text.
        let expected: String
        /// False for well-formed arguments that name nothing in the database.
        var schemaInvalid = true
        var testDescription: String { "\(tool): \(name)" }
    }

    /// `{{order}}` in a string argument stands for the id of the order the database holds.
    static let orderPlaceholder = "{{order}}"

    static let wrongTypes: [Case] = [
        Case(name: "product_id a number", tool: "check_stock", arguments: ["product_id": 1],
             expected: "invalid arguments: product_id must be a string, got integer 1. Nothing was changed."),
        Case(name: "product_id null", tool: "check_stock", arguments: ["product_id": nil],
             expected: "invalid arguments: product_id must be a string, got null."),
        Case(name: "product_id an array", tool: "check_stock", arguments: ["product_id": ["prod1"]],
             expected: "invalid arguments: product_id must be a string, got an array of 1 item(s)."),
        Case(name: "delta a string", tool: "update_stock", arguments: ["product_id": "prod1", "delta": "5"],
             expected: "invalid arguments: delta must be an integer, got string '5'."),
        Case(name: "delta a fraction", tool: "update_stock", arguments: ["product_id": "prod1", "delta": 1.5],
             expected: "invalid arguments: delta must be an integer, got number 1.5."),
        Case(name: "delta a boolean", tool: "update_stock", arguments: ["product_id": "prod1", "delta": true],
             expected: "invalid arguments: delta must be an integer, got boolean true."),
        Case(name: "reason a number", tool: "update_stock", arguments: ["product_id": "prod1", "delta": 1, "reason": 5],
             expected: "invalid arguments: reason must be a string"),
        Case(name: "items an object", tool: "create_order",
             arguments: ["items": ["product_id": "prod1", "quantity": 1], "delivery_address": "x"],
             expected: "invalid arguments: items must be an array, got object"),
        Case(name: "items a string", tool: "create_order", arguments: ["items": "prod1 x2", "delivery_address": "x"],
             expected: "invalid arguments: items must be an array, got string"),
        Case(name: "a line a string", tool: "create_order", arguments: ["items": ["prod1"], "delivery_address": "x"],
             expected: "invalid arguments: items[0] must be an object, got string 'prod1'."),
        Case(name: "quantity a string", tool: "create_order", arguments: withLine(["product_id": "prod1", "quantity": "2"]),
             expected: "invalid arguments: items[0].quantity must be an integer, got string '2'."),
        Case(name: "quantity a fraction", tool: "create_order", arguments: withLine(["product_id": "prod1", "quantity": 2.5]),
             expected: "invalid arguments: items[0].quantity must be an integer, got number 2.5."),
        Case(name: "address a number", tool: "create_order",
             arguments: ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": 123],
             expected: "invalid arguments: delivery_address must be a string, got integer 123."),
        Case(name: "idempotency_key a number", tool: "create_order",
             arguments: ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": "x", "idempotency_key": 7],
             expected: "invalid arguments: idempotency_key must be a string, got integer 7."),
        Case(name: "status a boolean", tool: "update_delivery_status", arguments: ["order_id": "{{order}}", "status": true],
             expected: "invalid arguments: status must be a string, got boolean true."),
        Case(name: "limit a string", tool: "list_orders", arguments: ["limit": "10"],
             expected: "invalid arguments: limit must be an integer, got string '10'."),
        Case(name: "status a number", tool: "list_orders", arguments: ["status": 3],
             expected: "invalid arguments: status must be a string, got integer 3."),
        Case(name: "low_stock_below a string", tool: "list_products", arguments: ["low_stock_below": "5"],
             expected: "invalid arguments: low_stock_below must be an integer, got string '5'."),
    ]

    static let missingFields: [Case] = [
        Case(name: "no product_id", tool: "check_stock", arguments: [:],
             expected: "invalid arguments: product_id is required but missing. Nothing was changed."),
        Case(name: "no delta", tool: "update_stock", arguments: ["product_id": "prod1"],
             expected: "invalid arguments: delta is required but missing."),
        Case(name: "no product_id", tool: "update_stock", arguments: ["delta": 4],
             expected: "invalid arguments: product_id is required but missing."),
        Case(name: "no address", tool: "create_order", arguments: ["items": [["product_id": "prod1", "quantity": 1]]],
             expected: "invalid arguments: delivery_address is required but missing."),
        Case(name: "no items", tool: "create_order", arguments: ["delivery_address": "x"],
             expected: "invalid arguments: items is required but missing."),
        Case(name: "a line without quantity", tool: "create_order", arguments: withLine(["product_id": "prod1"]),
             expected: "invalid arguments: items[0].quantity is required but missing."),
        Case(name: "a line without product_id", tool: "create_order", arguments: withLine(["quantity": 1]),
             expected: "invalid arguments: items[0].product_id is required but missing."),
        Case(name: "no order_id", tool: "update_delivery_status", arguments: ["status": "cancelled"],
             expected: "invalid arguments: order_id is required but missing."),
        Case(name: "no order_id", tool: "get_order", arguments: [:],
             expected: "invalid arguments: order_id is required but missing."),
    ]

    static let extraFields: [Case] = [
        Case(name: "colour", tool: "check_stock", arguments: ["product_id": "prod1", "colour": "red"],
             expected: "invalid arguments: colour unknown field 'colour'; allowed fields: 'product_id'. Nothing was changed."),
        Case(name: "stock", tool: "update_stock", arguments: ["product_id": "prod1", "delta": 1, "stock": 100],
             expected: "invalid arguments: stock unknown field 'stock'; allowed fields: 'product_id', 'delta', 'reason'."),
        Case(name: "price on a line", tool: "create_order",
             arguments: withLine(["product_id": "prod1", "quantity": 1, "price": 0.01]),
             expected: "invalid arguments: items[0].price unknown field 'price'; allowed fields: 'quantity', 'product_id'."),
        Case(name: "status", tool: "create_order",
             arguments: ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": "x", "status": "delivered"],
             expected: "invalid arguments: status unknown field 'status'"),
        Case(name: "a dotted key", tool: "create_order",
             arguments: ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": "x", "items.0.quantity": 0],
             expected: "invalid arguments: items.0.quantity unknown field 'items.0.quantity'"),
        Case(name: "$where", tool: "get_order", arguments: ["order_id": "{{order}}", "$where": "sleep(1000)"],
             expected: "invalid arguments: $where unknown field '$where'; allowed fields: 'order_id'."),
        Case(name: "$set", tool: "update_delivery_status",
             arguments: ["order_id": "{{order}}", "status": "cancelled", "$set": ["status": "delivered"]],
             expected: "invalid arguments: $set unknown field '$set'"),
        Case(name: "filter", tool: "list_products", arguments: ["filter": ["stock": ["$lt": 5]]],
             expected: "invalid arguments: filter unknown field 'filter'; allowed fields: 'limit', 'low_stock_below'."),
        Case(name: "skip", tool: "list_orders", arguments: ["skip": 1],
             expected: "invalid arguments: skip unknown field 'skip'; allowed fields: 'status', 'limit', 'delivery_address'."),
    ]

    static let quantities: [Case] = [
        Case(name: "quantity -5", tool: "create_order", arguments: orderArguments([("prod1", -5)]),
             expected: "invalid arguments: items[0].quantity must be an integer from 1 to 100000, got -5. Nothing was changed."),
        Case(name: "quantity 0 on the second line", tool: "create_order", arguments: orderArguments([("prod1", 1), ("prod2", 0)]),
             expected: "invalid arguments: items[1].quantity must be an integer from 1 to 100000, got 0."),
        Case(name: "quantity Int64.max", tool: "create_order", arguments: orderArguments([("prod1", Int64.max)]),
             expected: "invalid arguments: items[0].quantity must be an integer from 1 to 100000, got 9223372036854775807."),
        Case(name: "quantity Int64.min", tool: "create_order", arguments: orderArguments([("prod1", Int64.min)]),
             expected: "invalid arguments: items[0].quantity must be an integer from 1 to 100000, got -9223372036854775808."),
        Case(name: "quantity 1e20", tool: "create_order", arguments: withLine(["product_id": "prod1", "quantity": 1e20]),
             expected: "invalid arguments: items[0].quantity must be an integer, got number 1e+20."),
        Case(name: "quantity 1e5 as a float", tool: "create_order", arguments: withLine(["product_id": "prod1", "quantity": 100001.0]),
             expected: "invalid arguments: items[0].quantity must be an integer from 1 to 100000, got 100001."),
        Case(name: "delta Int64.min", tool: "update_stock", arguments: ["product_id": "prod1", "delta": .int(Int64.min)],
             expected: "invalid arguments: delta must be an integer from -1000000 to 1000000, got -9223372036854775808."),
        Case(name: "delta 1e15", tool: "update_stock", arguments: ["product_id": "prod1", "delta": 1e15],
             expected: "invalid arguments: delta must be an integer from -1000000 to 1000000, got 1000000000000000."),
        Case(name: "limit a million", tool: "list_orders", arguments: ["limit": 1_000_000],
             expected: "invalid arguments: limit must be an integer from 1 to 100, got 1000000."),
        Case(name: "limit -1", tool: "list_products", arguments: ["limit": -1],
             expected: "invalid arguments: limit must be an integer from 1 to 500, got -1."),
        Case(name: "low_stock_below huge", tool: "list_products", arguments: ["low_stock_below": .int(Int64.max)],
             expected: "invalid arguments: low_stock_below must be an integer from 1 to 1000000000"),
    ]

    static let operatorObjects: [Case] = [
        Case(name: "product_id {$gt: ''}", tool: "check_stock", arguments: ["product_id": ["$gt": ""]],
             expected: #"invalid arguments: product_id must be a string, got object {"$gt":""}. Nothing was changed."#),
        Case(name: "product_id {$ne: null}", tool: "update_stock", arguments: ["product_id": ["$ne": nil], "delta": -1],
             expected: #"invalid arguments: product_id must be a string, got object {"$ne":null}."#),
        Case(name: "line product_id {$gt: ''}", tool: "create_order", arguments: withLine(["product_id": ["$gt": ""], "quantity": 1]),
             expected: #"invalid arguments: items[0].product_id must be a string, got object {"$gt":""}."#),
        Case(name: "quantity {$gt: 0}", tool: "create_order", arguments: withLine(["product_id": "prod1", "quantity": ["$gt": 0]]),
             expected: #"invalid arguments: items[0].quantity must be an integer, got object {"$gt":0}."#),
        Case(name: "order_id {$ne: null}", tool: "get_order", arguments: ["order_id": ["$ne": nil]],
             expected: #"invalid arguments: order_id must be a string, got object {"$ne":null}."#),
        Case(name: "order_id {$exists: true}", tool: "update_delivery_status",
             arguments: ["order_id": ["$exists": true], "status": "cancelled"],
             expected: #"invalid arguments: order_id must be a string, got object {"$exists":true}."#),
        Case(name: "status {$in: [...]}", tool: "list_orders", arguments: ["status": ["$in": ["pending", "cancelled"]]],
             expected: "invalid arguments: status must be a string, got object"),
        Case(name: "status {$ne: 'x'}", tool: "update_delivery_status", arguments: ["order_id": "{{order}}", "status": ["$ne": "x"]],
             expected: "invalid arguments: status must be a string, got object"),
        Case(name: "low_stock_below {$gt: 0}", tool: "list_products", arguments: ["low_stock_below": ["$gt": 0]],
             expected: "invalid arguments: low_stock_below must be an integer, got object"),
        Case(name: "idempotency_key {$gt: ''}", tool: "create_order",
             arguments: ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": "x", "idempotency_key": ["$gt": ""]],
             expected: "invalid arguments: idempotency_key must be a string, got object"),
        Case(name: "address {$set: ...}", tool: "create_order",
             arguments: ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": ["$set": ["stock": 0]]],
             expected: "invalid arguments: delivery_address must be a string, got object"),
    ]

    static let suspiciousStrings: [Case] = [
        Case(name: "'$where'", tool: "check_stock", arguments: ["product_id": "$where"],
             expected: "invalid arguments: product_id '$where' is not valid: use 1-64 characters from A-Z a-z 0-9 . _ : -. Nothing was changed."),
        Case(name: "'$gt'", tool: "update_stock", arguments: ["product_id": "$gt", "delta": -1],
             expected: "invalid arguments: product_id '$gt' is not valid"),
        Case(name: "'prod1.stock' (dotted, but a valid id)", tool: "check_stock", arguments: ["product_id": "prod1.stock"],
             expected: "product not found: 'prod1.stock'. Use list_products to see the catalogue's product ids.", schemaInvalid: false),
        Case(name: "'stock.$'", tool: "create_order", arguments: orderArguments([("stock.$", 1)]),
             expected: "invalid arguments: items[0].product_id 'stock.$' is not valid"),
        Case(name: "'prod1.x' in an order", tool: "create_order", arguments: orderArguments([("prod1", 1), ("prod1.x", 1)]),
             expected: "product(s) not found: 'prod1.x'. Nothing was reserved and no order was created.", schemaInvalid: false),
        Case(name: "'$ne'", tool: "get_order", arguments: ["order_id": "$ne"],
             expected: "invalid arguments: order_id '$ne' is not valid"),
        Case(name: "'ord_x.status' (dotted, valid)", tool: "get_order", arguments: ["order_id": "ord_x.status"],
             expected: "order not found: 'ord_x.status'.", schemaInvalid: false),
        Case(name: "'ord.$id'", tool: "update_delivery_status", arguments: ["order_id": "ord.$id", "status": "cancelled"],
             expected: "invalid arguments: order_id 'ord.$id' is not valid"),
        Case(name: "'$key'", tool: "create_order",
             arguments: ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": "x", "idempotency_key": "$key"],
             expected: "invalid arguments: idempotency_key '$key' is not valid"),
        Case(name: "NUL in an id", tool: "check_stock", arguments: ["product_id": "prod1\u{0}"],
             expected: "invalid arguments: product_id 'prod1\\u{0}' is not valid"),
        Case(name: "a look-alike letter", tool: "check_stock", arguments: ["product_id": "pr\u{03BF}d1"],
             expected: "invalid arguments: product_id 'pr\u{03BF}d1' is not valid"),
        Case(name: "65 characters", tool: "check_stock", arguments: ["product_id": .string(String(repeating: "p", count: 65))],
             expected: "invalid arguments: product_id must be at most 64 characters long, got 65."),
        Case(name: "a control character in a note", tool: "update_delivery_status",
             arguments: ["order_id": "{{order}}", "status": "in_transit", "note": "ok\u{7F}"],
             expected: "invalid arguments: note 'ok\\u{7f}' is not valid: use text without control characters."),
    ]

    struct Table: Sendable, CustomTestStringConvertible {
        let name: String
        let cases: [Case]
        var testDescription: String { "\(name) (\(cases.count) cases)" }
    }

    static let tables = [
        Table(name: "wrong types", cases: wrongTypes), Table(name: "missing fields", cases: missingFields),
        Table(name: "extra fields", cases: extraFields), Table(name: "negative and huge numbers", cases: quantities),
        Table(name: "operator objects", cases: operatorObjects), Table(name: "dotted and $-prefixed strings", cases: suspiciousStrings),
    ]

    static func withLine(_ line: JSONValue) -> JSONValue {
        ["items": [line], "delivery_address": "1 Test Street"]
    }

    /// Replaces the order placeholder in string values.
    static func resolve(_ value: JSONValue, order: String) -> JSONValue {
        switch value {
        case .string(let text) where text == orderPlaceholder: .string(order)
        case .object(let object):
            .object(object.reduce(into: JSONObject()) { $0[$1.key] = resolve($1.value, order: order) })
        case .array(let array): .array(array.map { resolve($0, order: order) })
        default: value
        }
    }

    /// One server per table; every case is checked against a snapshot taken just before it.
    @Test("bad input is refused with a helpful text and leaves the database unchanged", arguments: tables)
    func badInput(_ table: Table) async throws {
        let database = try await TestDatabase.make("bad")
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments)
        let order = try #require(try await client.call("create_order", orderArguments([("prod2", 2)], key: "existing")).orderID)
        let tools = try await client.request("tools/list")["result"]?["tools"]?.arrayValue ?? []

        for bad in table.cases {
            let inputSchema = try #require(tools.first { $0["name"] == .string(bad.tool) }?["inputSchema"])
            let arguments = Self.resolve(bad.arguments, order: order)
            let before = try database.snapshot()
            let result = try await client.call(bad.tool, arguments)
            #expect(try database.snapshot() == before, "\(bad): the database changed")
            #expect(result.isError, "\(bad)")
            #expect(result.structured == nil, "\(bad)")
            #expect(result.text.hasPrefix(bad.expected), "\(bad): got \(result.text)")
            if result.text.hasPrefix("invalid arguments") { #expect(result.text.hasSuffix("Nothing was changed."), "\(bad)") }
            let violations = SchemaValidator.violations(of: arguments, against: inputSchema)
            #expect(violations.isEmpty != bad.schemaInvalid, "\(bad): the published schema says \(violations)")
        }

        // The server is still fine, and the order and the stock are untouched.
        #expect(try await client.call("get_order", ["order_id": .string(order)])["status"] == "pending")
        await finish(client)
        #expect(try database.stock() == ["prod1": 10, "prod2": 13, "prod3": 30])
        #expect(try database.orders().count == 1)
    }

    @Test("a 5 MiB line is answered with -32600 and skipped; the database is unchanged and the server carries on")
    func fiveMebibyteLine() async throws {
        let database = try await TestDatabase.make("bad")
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments)
        _ = try await client.call("create_order", orderArguments([("prod2", 2)]))
        let before = try database.snapshot()
        let huge = String.call(1_000_001, "create_order",
                               orderArguments([("prod1", 1)], address: String(repeating: "A", count: 5 * 1024 * 1024)))
        #expect(huge.utf8.count > 5 * 1024 * 1024)
        try client.sendRaw(Array(huge.utf8))
        let after = try await client.call("check_stock", ["product_id": "prod1"])
        #expect(after["stock"] == 10, "the oversized order was not placed")
        #expect(try database.snapshot() == before)
        await finish(client)
        let refusals = client.unmatched
        #expect(refusals.count == 1)
        #expect(refusals.first?["id"] == .null)
        #expect(refusals.first?["error"]?["code"] == -32600)
        #expect(refusals.first?["error"]?["message"]?.stringValue?
            .contains("message of \(huge.utf8.count) bytes exceeds the limit of 4194304 bytes") == true)
    }
}
