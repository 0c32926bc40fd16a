import OrderDomain
import Testing

@Suite("ListOrdersCommand")
struct ListOrdersCommandTests {
    @Test("good arguments decode", arguments: [
        (#"{}"#, OrderStatus?.none, 20),
        (#"{"status":"delivered"}"#, .delivered, 20),
        (#"{"status":"in_transit","limit":5}"#, .inTransit, 5),
        (#"{"limit":1}"#, nil, 1),
        (#"{"limit":100}"#, nil, 100),
        (#"{"limit":7.0}"#, nil, 7),
    ])
    func decodes(json: String, status: OrderStatus?, limit: Int) throws {
        let command = try ListOrdersCommand(arguments: try jsonObject(json))
        #expect(command.status == status)
        #expect(command.limit == limit)
    }

    @Test("bad arguments name the culprit", arguments: [
        (#"{"limit":0}"#, "limit", "must be an integer from 1 to 100, got 0"),
        (#"{"limit":101}"#, "limit", "must be an integer from 1 to 100, got 101"),
        (#"{"limit":-1}"#, "limit", "must be an integer from 1 to 100, got -1"),
        (#"{"limit":1.5}"#, "limit", "must be an integer, got number 1.5"),
        (#"{"limit":"10"}"#, "limit", "must be an integer, got string '10'"),
        (#"{"limit":1e400}"#, "limit", "must be an integer, got a number out of range"),
        (#"{"status":"open"}"#, "status", "must be one of 'pending', 'in_transit', 'delivered', 'cancelled', got 'open'"),
        (#"{"status":null}"#, "status", "must be a string, got null"),
        (#"{"status":{"$ne":"cancelled"}}"#, "status", "must be a string, got object"),
        (#"{"offset":10}"#, "offset", "unknown field 'offset'; allowed fields: 'status', 'limit', 'delivery_address'"),
        (#"{"delivery_address":" . "}"#, "delivery_address", "must not be blank"),
        (#"{"delivery_address":{"$regex":".*"}}"#, "delivery_address", "must be a string, got object"),
        (#"{"delivery_address":"ord_jnvzvtxm73vm3nqmj9kv"}"#, "delivery_address",
         "'ord_jnvzvtxm73vm3nqmj9kv' is an order id, not an address: look it up with get_order"),
    ])
    func rejects(json: String, field: String, problem: String) throws {
        try expectArgumentError(ListOrdersCommand.self, json, field: field, problem: problem)
    }

    @Test func anAddressIsMatchedByItsWords() throws {
        let command = try ListOrdersCommand(arguments: try jsonObject(#"{"delivery_address":"  9 Pine   St. "}"#))
        let query = try #require(command.address)
        #expect(query.words == ["9", "Pine", "St"])
        for address in ["9 Pine St", "9 pine st.", "9\tPINE St", "9 Pine St ."] { #expect(query.matches(address), "\(address)") }
        for address in ["19 Pine St", "9 Pine Street", "9 Pine St 2", "Pine St"] { #expect(!query.matches(address), "\(address)") }
        #expect(try ListOrdersCommand(arguments: try jsonObject("{}")).address == nil)
    }
}
