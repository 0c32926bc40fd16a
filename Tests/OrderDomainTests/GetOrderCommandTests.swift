import OrderDomain
import Testing

@Suite("GetOrderCommand")
struct GetOrderCommandTests {
    @Test func decodes() throws {
        let id = OrderID.generate()
        let command = try GetOrderCommand(arguments: try jsonObject(#"{"order_id":"\#(id.rawValue)"}"#))
        #expect(command.orderID == id)
    }

    @Test("bad arguments name the culprit", arguments: [
        (#"{}"#, "order_id", "is required but missing"),
        (#"{"order_id":7}"#, "order_id", "must be a string, got integer 7"),
        (#"{"order_id":{"$gt":""}}"#, "order_id", #"must be a string, got object {"$gt":""}"#),
        (#"{"order_id":""}"#, "order_id", "must not be empty"),
        (#"{"order_id":"ord 1"}"#, "order_id", "'ord 1' is not valid: \(identifierHint)"),
        (#"{"order_id":"$where"}"#, "order_id", "'$where' is not valid"),
        ("{\"order_id\":\"\(id65)\"}", "order_id", "must be at most 64 characters long, got 65"),
        (#"{"order_id":"ord_1","status":"pending"}"#, "status", "unknown field 'status'; allowed fields: 'order_id'"),
    ])
    func rejects(json: String, field: String, problem: String) throws {
        try expectArgumentError(GetOrderCommand.self, json, field: field, problem: problem)
    }

    @Test func acceptsA64CharacterId() throws {
        let command = try GetOrderCommand(arguments: try jsonObject("{\"order_id\":\"\(id64)\"}"))
        #expect(command.orderID.rawValue == id64)
    }
}
