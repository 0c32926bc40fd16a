import OrderDomain
import Testing

@Suite("ListProductsCommand")
struct ListProductsCommandTests {
    @Test("good arguments decode", arguments: [
        (#"{}"#, 100, Int64?.none),
        (#"{"limit":500}"#, 500, nil),
        (#"{"limit":1,"low_stock_below":1}"#, 1, 1),
        (#"{"low_stock_below":1000000000}"#, 100, 1_000_000_000),
        (#"{"low_stock_below":5.0}"#, 100, 5),
    ])
    func decodes(json: String, limit: Int, lowStockBelow: Int64?) throws {
        let command = try ListProductsCommand(arguments: try jsonObject(json))
        #expect(command.limit == limit)
        #expect(command.lowStockBelow == lowStockBelow)
    }

    @Test("bad arguments name the culprit", arguments: [
        (#"{"limit":0}"#, "limit", "must be an integer from 1 to 500, got 0"),
        (#"{"limit":501}"#, "limit", "must be an integer from 1 to 500, got 501"),
        (#"{"limit":true}"#, "limit", "must be an integer, got boolean true"),
        (#"{"low_stock_below":0}"#, "low_stock_below", "must be an integer from 1 to 1000000000, got 0"),
        (#"{"low_stock_below":1000000001}"#, "low_stock_below", "must be an integer from 1 to 1000000000, got 1000000001"),
        (#"{"low_stock_below":2.5}"#, "low_stock_below", "must be an integer, got number 2.5"),
        (#"{"low_stock_below":{"$lt":5}}"#, "low_stock_below", #"must be an integer, got object {"$lt":5}"#),
        (#"{"category":"audio"}"#, "category", "unknown field 'category'; allowed fields: 'limit', 'low_stock_below'"),
    ])
    func rejects(json: String, field: String, problem: String) throws {
        try expectArgumentError(ListProductsCommand.self, json, field: field, problem: problem)
    }
}
