import OrderDomain
import Testing

/// `count` distinct lines `{"product_id":"p0","quantity":1}`, … as a JSON array.
private func items(_ count: Int) -> String {
    "[" + (0..<count).map { #"{"product_id":"p\#($0)","quantity":1}"# }.joined(separator: ",") + "]"
}

@Suite("CreateOrderCommand")
struct CreateOrderCommandTests {
    @Test func decodesItemsInOrderWithAddressAndKey() throws {
        let command = try CreateOrderCommand(arguments: try jsonObject(#"""
            {"items":[{"product_id":"prod2","quantity":2},{"quantity":1,"product_id":"prod1"}],
             "delivery_address":"123 Main St, Springfield","idempotency_key":"retry-42"}
            """#))
        #expect(command.draft.items == [
            OrderDraft.Item(productID: try pid("prod2"), quantity: 2),
            OrderDraft.Item(productID: try pid("prod1"), quantity: 1),
        ])
        #expect(command.draft.deliveryAddress == "123 Main St, Springfield")
        #expect(command.draft.idempotencyKey == "retry-42")
    }

    @Test func integralDoublesAreIntegersAndTheKeyIsOptional() throws {
        let command = try CreateOrderCommand(arguments: try jsonObject(
            #"{"items":[{"product_id":"prod1","quantity":2.0}],"delivery_address":"  1 Elm  "}"#))
        #expect(command.draft.items.map(\.quantity) == [2])
        #expect(command.draft.deliveryAddress == "  1 Elm  ")
        #expect(command.draft.idempotencyKey == nil)
    }

    @Test func limitsAreInclusive() throws {
        let max = try CreateOrderCommand(arguments: try jsonObject(
            #"{"items":\#(items(100)),"delivery_address":"\#(String(repeating: "x", count: 500))"}"#))
        #expect(max.draft.items.count == 100)
        #expect(Set(max.draft.items.map(\.productID)).count == 100)
        let quantity = try CreateOrderCommand(arguments: try jsonObject(
            #"{"items":[{"product_id":"p","quantity":100000}],"delivery_address":"x"}"#))
        #expect(quantity.draft.items.map(\.quantity) == [100_000])
    }

    @Test("bad arguments name the culprit", arguments: [
        (#"{}"#, "delivery_address", "is required but missing"),
        (#"{"delivery_address":"x"}"#, "items", "is required but missing"),
        (#"{"delivery_address":"x"}"#, "items", "is required but missing"),
        (#"{"items":[{"product_id":"p","quantity":1}]}"#, "delivery_address", "is required but missing"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"x","customer":"bob"}"#, "customer",
         "unknown field 'customer'; allowed fields: 'delivery_address', 'items', 'idempotency_key'"),
        (#"{"items":[],"delivery_address":"x"}"#, "items", "must have at least 1 item(s), got 0"),
        (#"{"items":\#(items(101)),"delivery_address":"x"}"#, "items", "must have at most 100 items, got 101"),
        (#"{"items":"prod1","delivery_address":"x"}"#, "items", "must be an array, got string 'prod1'"),
        (#"{"items":{"product_id":"p","quantity":1},"delivery_address":"x"}"#, "items", "must be an array, got object"),
        (#"{"items":[5],"delivery_address":"x"}"#, "items[0]", "must be an object, got integer 5"),
        (#"{"items":[{"product_id":"p"}],"delivery_address":"x"}"#, "items[0].quantity", "is required but missing"),
        (#"{"items":[{"quantity":1}],"delivery_address":"x"}"#, "items[0].product_id", "is required but missing"),
        (#"{"items":[{"product_id":"p","quantity":1,"price":9}],"delivery_address":"x"}"#, "items[0].price",
         "unknown field 'price'; allowed fields: 'quantity', 'product_id'"),
        (#"{"items":[{"product_id":"p","quantity":0}],"delivery_address":"x"}"#, "items[0].quantity",
         "must be an integer from 1 to 100000, got 0"),
        (#"{"items":[{"product_id":"p","quantity":-1}],"delivery_address":"x"}"#, "items[0].quantity",
         "must be an integer from 1 to 100000, got -1"),
        (#"{"items":[{"product_id":"p","quantity":100001}],"delivery_address":"x"}"#, "items[0].quantity",
         "must be an integer from 1 to 100000, got 100001"),
        (#"{"items":[{"product_id":"p","quantity":9223372036854775807}],"delivery_address":"x"}"#, "items[0].quantity",
         "must be an integer from 1 to 100000, got 9223372036854775807"),
        (#"{"items":[{"product_id":"p","quantity":1e400}],"delivery_address":"x"}"#, "items[0].quantity",
         "must be an integer, got a number out of range"),
        (#"{"items":[{"product_id":"p","quantity":1e30}],"delivery_address":"x"}"#, "items[0].quantity",
         "must be an integer, got number 1e+30"),
        (#"{"items":[{"product_id":"p","quantity":2.5}],"delivery_address":"x"}"#, "items[0].quantity",
         "must be an integer, got number 2.5"),
        (#"{"items":[{"product_id":"p","quantity":"2"}],"delivery_address":"x"}"#, "items[0].quantity",
         "must be an integer, got string '2'"),
        (#"{"items":[{"product_id":"p","quantity":null}],"delivery_address":"x"}"#, "items[0].quantity",
         "must be an integer, got null"),
        (#"{"items":[{"product_id":"p","quantity":1},{"product_id":"q","quantity":0}],"delivery_address":"x"}"#,
         "items[1].quantity", "must be an integer from 1 to 100000, got 0"),
        (#"{"items":[{"product_id":{"$gt":""},"quantity":1}],"delivery_address":"x"}"#, "items[0].product_id",
         #"must be a string, got object {"$gt":""}"#),
        (#"{"items":[{"product_id":"p","quantity":1},{"product_id":"$where","quantity":1}],"delivery_address":"x"}"#,
         "items[1].product_id", "'$where' is not valid: \(identifierHint)"),
        ("{\"items\":[{\"product_id\":\"\(id65)\",\"quantity\":1}],\"delivery_address\":\"x\"}", "items[0].product_id",
         "must be at most 64 characters long, got 65"),
        (#"{"items":[{"product_id":"","quantity":1}],"delivery_address":"x"}"#, "items[0].product_id", "must not be empty"),
        (#"{"items":[{"product_id":"p","quantity":1},{"product_id":"p","quantity":2}],"delivery_address":"x"}"#,
         "items[1].product_id", "repeats 'p' from items[0]; put each product in one line with the total quantity"),
        (#"{"items":[{"product_id":"a","quantity":1},{"product_id":"b","quantity":1},{"product_id":"a","quantity":1}],"delivery_address":"x"}"#,
         "items[2].product_id", "repeats 'a' from items[0]"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":""}"#, "delivery_address", "must not be empty"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"   "}"#, "delivery_address", "must not be blank"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"\u00a0\u2003"}"#, "delivery_address",
         "must not be blank"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"\t"}"#, "delivery_address",
         #"'\u{9}' is not valid: use text without control characters"#),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"1 Main St\nApt 2"}"#, "delivery_address",
         #"'1 Main St\u{a}Apt 2' is not valid: use text without control characters"#),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"x\u001b[31m"}"#, "delivery_address",
         "is not valid: use text without control characters"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"\#(String(repeating: "x", count: 501))"}"#,
         "delivery_address", "must be at most 500 characters long, got 501"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":5}"#, "delivery_address",
         "must be a string, got integer 5"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":{"street":"x"}}"#, "delivery_address",
         "must be a string, got object"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"x","idempotency_key":""}"#, "idempotency_key",
         "must not be empty"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"x","idempotency_key":"my key"}"#,
         "idempotency_key", "'my key' is not valid: \(identifierHint)"),
        ("{\"items\":[{\"product_id\":\"p\",\"quantity\":1}],\"delivery_address\":\"x\",\"idempotency_key\":\"\(id65)\"}",
         "idempotency_key", "must be at most 64 characters long, got 65"),
        (#"{"items":[{"product_id":"p","quantity":1}],"delivery_address":"x","idempotency_key":42}"#, "idempotency_key",
         "must be a string, got integer 42"),
    ])
    func rejects(json: String, field: String, problem: String) throws {
        try expectArgumentError(CreateOrderCommand.self, json, field: field, problem: problem)
    }

    @Test func limitsArePublished() {
        let schema = CreateOrderCommand.inputSchema.json
        #expect(schema["properties"]?["items"]?["minItems"] == .int(1))
        #expect(schema["properties"]?["items"]?["maxItems"] == .int(100))
        #expect(schema["properties"]?["items"]?["items"]?["properties"]?["quantity"]?["maximum"] == .int(100_000))
        #expect(schema["properties"]?["delivery_address"]?["maxLength"] == .int(500))
        #expect(schema["required"] == ["delivery_address", "items"])
        #expect(schema["additionalProperties"] == false)
        #expect(CreateOrderCommand.maxLines == 100)
        #expect(CreateOrderCommand.maxQuantity == 100_000)
    }

    /// Models write arguments in schema order; in a request the address is said once and each
    /// quantity comes before its product ("12 Laptops (prod1) to 9 Pine St").
    @Test func propertiesComeInTheOrderARequestSaysThem() {
        let schema = CreateOrderCommand.inputSchema.json
        #expect(schema["properties"]?.objectValue?.keys == ["delivery_address", "items", "idempotency_key"])
        #expect(schema["properties"]?["items"]?["items"]?["properties"]?.objectValue?.keys == ["quantity", "product_id"])
    }
}
