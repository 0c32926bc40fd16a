import TestSupport
import JSON
import Testing

@Suite struct SmokeTests {
    @Test func checkStockThroughTheBinary() async throws {
        let database = try await TestDatabase.make("smoke")
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments)
        let result = try await client.call("check_stock", ["product_id": "prod1"])
        #expect(!result.isError)
        #expect(result["stock"] == .int(10))
        #expect(result["name"] == "Laptop")
        #expect(await client.close() == 0)
    }
}
