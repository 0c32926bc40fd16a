import OrderDomain
import Testing

@Suite("UpdateDeliveryStatusCommand")
struct UpdateDeliveryStatusCommandTests {
    @Test("every status an order can be moved to decodes", arguments: OrderStatus.targets)
    func decodes(status: OrderStatus) throws {
        let command = try UpdateDeliveryStatusCommand(arguments: try jsonObject(
            #"{"order_id":"ord_abc","status":"\#(status.rawValue)"}"#))
        #expect(command.orderID.rawValue == "ord_abc")
        #expect(command.status == status)
        #expect(command.note == nil)
    }

    @Test func decodesANote() throws {
        let command = try UpdateDeliveryStatusCommand(arguments: try jsonObject(
            #"{"status":"in_transit","note":"tracking 1Z999","order_id":"ord_1"}"#))
        #expect(command.status == .inTransit)
        #expect(command.note == "tracking 1Z999")
    }

    @Test("bad arguments name the culprit", arguments: [
        (#"{"status":"delivered"}"#, "order_id", "is required but missing"),
        (#"{"order_id":"ord_1"}"#, "status", "is required but missing"),
        (#"{"order_id":"ord_1","status":"shipped"}"#, "status",
         "must be one of 'in_transit', 'delivered', 'cancelled', got 'shipped'"),
        (#"{"order_id":"ord_1","status":"pending"}"#, "status", "must be one of 'in_transit', 'delivered', 'cancelled', got 'pending'"),
        (#"{"order_id":"ord_1","status":"inTransit"}"#, "status", "got 'inTransit'"),
        (#"{"order_id":"ord_1","status":"DELIVERED"}"#, "status", "got 'DELIVERED'"),
        (#"{"order_id":"ord_1","status":""}"#, "status", "must be one of"),
        (#"{"order_id":"ord_1","status":1}"#, "status", "must be a string, got integer 1"),
        (#"{"order_id":{"$ne":null},"status":"delivered"}"#, "order_id", #"must be a string, got object {"$ne":null}"#),
        (#"{"order_id":"ord$1","status":"delivered"}"#, "order_id", "'ord$1' is not valid: \(identifierHint)"),
        (#"{"order_id":"","status":"delivered"}"#, "order_id", "must not be empty"),
        ("{\"order_id\":\"\(id65)\",\"status\":\"delivered\"}", "order_id", "must be at most 64 characters long, got 65"),
        (#"{"order_id":"ord_1","status":"delivered","note":""}"#, "note", "must not be empty"),
        (#"{"order_id":"ord_1","status":"delivered","note":"left at door\r"}"#, "note",
         "is not valid: use text without control characters"),
        (#"{"order_id":"ord_1","status":"delivered","note":"\#(String(repeating: "n", count: 501))"}"#, "note",
         "must be at most 500 characters long, got 501"),
        (#"{"order_id":"ord_1","status":"delivered","note":["x"]}"#, "note", "must be a string, got an array"),
        (#"{"order_id":"ord_1","status":"delivered","reason":"x"}"#, "reason",
         "unknown field 'reason'; allowed fields: 'order_id', 'status', 'note'"),
    ])
    func rejects(json: String, field: String, problem: String) throws {
        try expectArgumentError(UpdateDeliveryStatusCommand.self, json, field: field, problem: problem)
    }
}
