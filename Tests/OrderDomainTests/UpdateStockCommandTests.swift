import OrderDomain
import Testing

@Suite("UpdateStockCommand")
struct UpdateStockCommandTests {
    @Test("good arguments decode", arguments: [
        (#"{"product_id":"prod1","delta":5}"#, Int64(5), String?.none),
        (#"{"product_id":"prod1","delta":-3,"reason":"broken in transit"}"#, -3, "broken in transit"),
        (#"{"delta":2.0,"product_id":"prod1"}"#, 2, nil),
        (#"{"product_id":"prod1","delta":1000000}"#, 1_000_000, nil),
        (#"{"product_id":"prod1","delta":-1000000}"#, -1_000_000, nil),
        (#"{"product_id":"prod1","delta":1,"reason":"café ☕ restock"}"#, 1, "café ☕ restock"),
    ])
    func decodes(json: String, delta: Int64, reason: String?) throws {
        let command = try UpdateStockCommand(arguments: try jsonObject(json))
        #expect(command.productID.rawValue == "prod1")
        #expect(command.delta == delta)
        #expect(command.reason == reason)
    }

    @Test("bad arguments name the culprit", arguments: [
        (#"{"delta":1}"#, "product_id", "is required but missing"),
        (#"{"product_id":"prod1"}"#, "delta", "is required but missing"),
        (#"{"product_id":"prod1","delta":0}"#, "delta", "must not be 0"),
        (#"{"product_id":"prod1","delta":0.0}"#, "delta", "must not be 0"),
        (#"{"product_id":"prod1","delta":-0}"#, "delta", "must not be 0"),
        (#"{"product_id":"prod1","delta":1000001}"#, "delta", "must be an integer from -1000000 to 1000000, got 1000001"),
        (#"{"product_id":"prod1","delta":-1000001}"#, "delta", "must be an integer from -1000000 to 1000000, got -1000001"),
        (#"{"product_id":"prod1","delta":9223372036854775807}"#, "delta", "must be an integer from -1000000 to 1000000"),
        (#"{"product_id":"prod1","delta":9223372036854775808}"#, "delta", "must be an integer, got number"),
        (#"{"product_id":"prod1","delta":1e400}"#, "delta", "must be an integer, got a number out of range"),
        (#"{"product_id":"prod1","delta":-1e400}"#, "delta", "must be an integer, got a number out of range"),
        (#"{"product_id":"prod1","delta":1.5}"#, "delta", "must be an integer, got number 1.5"),
        (#"{"product_id":"prod1","delta":"5"}"#, "delta", "must be an integer, got string '5'"),
        (#"{"product_id":"prod1","delta":true}"#, "delta", "must be an integer, got boolean true"),
        (#"{"product_id":"prod1","delta":null}"#, "delta", "must be an integer, got null"),
        (#"{"product_id":{"$gt":""},"delta":1}"#, "product_id", "must be a string, got object"),
        (#"{"product_id":"a$b","delta":1}"#, "product_id", "'a$b' is not valid: \(identifierHint)"),
        ("{\"product_id\":\"\(id65)\",\"delta\":1}", "product_id", "must be at most 64 characters long, got 65"),
        (#"{"product_id":"prod1","delta":1,"reason":""}"#, "reason", "must not be empty"),
        (#"{"product_id":"prod1","delta":1,"reason":"a\nb"}"#, "reason", #"'a\u{a}b' is not valid: use text without control characters"#),
        (#"{"product_id":"prod1","delta":1,"reason":"\u0000"}"#, "reason", "is not valid: use text without control characters"),
        ("{\"product_id\":\"prod1\",\"delta\":1,\"reason\":\"\(String(repeating: "r", count: 201))\"}",
         "reason", "must be at most 200 characters long, got 201"),
        (#"{"product_id":"prod1","delta":1,"reason":5}"#, "reason", "must be a string, got integer 5"),
        (#"{"product_id":"prod1","delta":1,"quantity":1}"#, "quantity",
         "unknown field 'quantity'; allowed fields: 'product_id', 'delta', 'reason'"),
    ])
    func rejects(json: String, field: String, problem: String) throws {
        try expectArgumentError(UpdateStockCommand.self, json, field: field, problem: problem)
    }

    @Test func reasonOf200CharactersIsAccepted() throws {
        let reason = String(repeating: "r", count: 200)
        let command = try UpdateStockCommand(arguments: try jsonObject("{\"product_id\":\"p\",\"delta\":1,\"reason\":\"\(reason)\"}"))
        #expect(command.reason == reason)
    }

    @Test func schemaPublishesTheDeltaRules() {
        let delta = UpdateStockCommand.inputSchema.json["properties"]?["delta"]
        #expect(delta?["minimum"] == .int(-1_000_000))
        #expect(delta?["maximum"] == .int(1_000_000))
        #expect(delta?["not"] == ["const": 0])
        #expect(UpdateStockCommand.inputSchema.json["required"] == ["product_id", "delta"])
    }
}
