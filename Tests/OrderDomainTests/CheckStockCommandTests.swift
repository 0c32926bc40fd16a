import OrderDomain
import Testing

@Suite("CheckStockCommand")
struct CheckStockCommandTests {
    @Test("valid product ids decode", arguments: ["prod1", "A.b:c-d_9", ".", String(repeating: "a", count: 64)])
    func decodes(id: String) throws {
        let command = try CheckStockCommand(arguments: try jsonObject("{\"product_id\":\"\(id)\"}"))
        #expect(command.productID.rawValue == id)
    }

    @Test("bad arguments name the culprit", arguments: [
        (#"{}"#, "product_id", "is required but missing"),
        (#"{"product_id":1}"#, "product_id", "must be a string, got integer 1"),
        (#"{"product_id":null}"#, "product_id", "must be a string, got null"),
        (#"{"product_id":["prod1"]}"#, "product_id", "must be a string, got an array of 1 item(s)"),
        (#"{"product_id":{"$gt":""}}"#, "product_id", #"must be a string, got object {"$gt":""}"#),
        (#"{"product_id":""}"#, "product_id", "must not be empty"),
        (#"{"product_id":"$gt"}"#, "product_id", "'$gt' is not valid: \(identifierHint)"),
        (#"{"product_id":"prod$1"}"#, "product_id", "'prod$1' is not valid: \(identifierHint)"),
        (#"{"product_id":"prod 1"}"#, "product_id", "'prod 1' is not valid"),
        (#"{"product_id":"prod1\n"}"#, "product_id", #"'prod1\u{a}' is not valid"#),
        (#"{"product_id":"prodé"}"#, "product_id", "'prodé' is not valid"),
        ("{\"product_id\":\"\(id65)\"}", "product_id", "must be at most 64 characters long, got 65"),
        (#"{"product_id":"prod1","extra":true}"#, "extra", "unknown field 'extra'; allowed fields: 'product_id'"),
        (#"{"productId":"prod1"}"#, "productId", "unknown field 'productId'; allowed fields: 'product_id'"),
    ])
    func rejects(json: String, field: String, problem: String) throws {
        try expectArgumentError(CheckStockCommand.self, json, field: field, problem: problem)
    }

    @Test func publishedSchema() {
        #expect(CheckStockCommand.inputSchema.json.description == #"{"type":"object","properties":{"product_id":"#
            + #"{"type":"string","description":"Product id.","examples":["prod1"],"minLength":1,"maxLength":64,"#
            + #""pattern":"^[A-Za-z0-9._:-]{1,64}$"}},"required":["product_id"],"additionalProperties":false}"#)
    }
}
