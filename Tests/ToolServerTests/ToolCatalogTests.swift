import TestSupport
import Foundation
import JSON
import Testing

/// What `tools/list` publishes, and that every result keeps to it: structuredContent valid against
/// the tool's outputSchema, the same JSON as the one text block; --read-only and --disable-tools.
@Suite struct ToolCatalogTests {
    static let allTools = ["check_stock", "update_stock", "create_order", "update_delivery_status",
                           "get_order", "list_orders", "list_products"]
    static let readTools = ["check_stock", "get_order", "list_orders", "list_products"]

    struct Expected {
        let title: String
        let readOnly: Bool
        let destructive: Bool
        let idempotent: Bool
        let required: [String]
        let properties: [String]
    }

    static let expected: [String: Expected] = [
        "check_stock": Expected(title: "Check stock", readOnly: true, destructive: false, idempotent: true,
                                required: ["product_id"], properties: ["product_id"]),
        "update_stock": Expected(title: "Adjust stock", readOnly: false, destructive: true, idempotent: false,
                                 required: ["product_id", "delta"], properties: ["product_id", "delta", "reason"]),
        "create_order": Expected(title: "Create order", readOnly: false, destructive: false, idempotent: false,
                                 required: ["delivery_address", "items"],
                                 properties: ["delivery_address", "items", "idempotency_key"]),
        "update_delivery_status": Expected(title: "Update delivery status", readOnly: false, destructive: true, idempotent: true,
                                           required: ["order_id", "status"], properties: ["order_id", "status", "note"]),
        "get_order": Expected(title: "Get order", readOnly: true, destructive: false, idempotent: true,
                              required: ["order_id"], properties: ["order_id"]),
        "list_orders": Expected(title: "List orders", readOnly: true, destructive: false, idempotent: true,
                                required: [], properties: ["status", "delivery_address", "limit"]),
        "list_products": Expected(title: "List products", readOnly: true, destructive: false, idempotent: true,
                                  required: [], properties: ["limit", "low_stock_below"]),
    ]

    /// Every object schema inside `schema` (itself included).
    static func objectSchemas(in schema: JSONValue) -> [JSONValue] {
        var found: [JSONValue] = []
        if schema["type"] == "object" { found.append(schema) }
        for (_, property) in schema["properties"]?.objectValue ?? [:] { found += objectSchemas(in: property) }
        if let items = schema["items"] { found += objectSchemas(in: items) }
        return found
    }

    @Test("tools/list: every tool has title, description, strict inputSchema, outputSchema and annotations")
    func toolsListShape() async throws {
        let database = try await TestDatabase.make("catalog", products: [])
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments)
        let reply = try await client.request("tools/list")
        let result = try #require(reply["result"]?.objectValue)
        #expect(result.keys == ["tools"], "one page, no nextCursor")
        let tools = result["tools"]?.arrayValue ?? []
        #expect(tools.compactMap { $0["name"]?.stringValue } == Self.allTools)
        for tool in tools {
            let name = tool["name"]?.stringValue ?? "?"
            let expected = try #require(Self.expected[name])
            #expect(tool["title"] == .string(expected.title), "\(name)")
            #expect((tool["description"]?.stringValue?.count ?? 0) >= 20, "\(name)")

            let input = try #require(tool["inputSchema"], "\(name)")
            #expect(input["type"] == "object")
            #expect(input["additionalProperties"] == false, "\(name)")
            #expect(Set(input["properties"]?.objectValue?.keys ?? []) == Set(expected.properties), "\(name)")
            #expect((input["required"]?.arrayValue ?? []) == expected.required.map { .string($0) }, "\(name)")
            for object in Self.objectSchemas(in: input) {
                #expect(object["additionalProperties"] == false, "\(name): every object in the input is closed")
            }
            // Each schema uses only keywords our validator understands, so the checks below are real.
            #expect(SchemaValidator.violations(of: [:], against: input).allSatisfy { !$0.contains("not supported") }, "\(name)")

            let output = try #require(tool["outputSchema"], "\(name)")
            #expect(output["type"] == "object")
            #expect(output["required"]?.arrayValue?.isEmpty == false, "\(name)")

            let annotations = try #require(tool["annotations"]?.objectValue, "\(name)")
            #expect(annotations["readOnlyHint"] == .bool(expected.readOnly), "\(name)")
            #expect(annotations["destructiveHint"] == .bool(expected.destructive), "\(name)")
            #expect(annotations["idempotentHint"] == .bool(expected.idempotent), "\(name)")
            #expect(annotations["openWorldHint"] == false, "\(name)")
        }
        await finish(client)
    }

    /// One successful call of every tool: the structuredContent is valid against the published
    /// outputSchema, the one text block parses to exactly the structuredContent, and the arguments
    /// were valid against the published inputSchema.
    @Test("every tool's success result: structuredContent valid against outputSchema and equal to its text block")
    func resultsMatchTheirSchemas() async throws {
        let database = try await TestDatabase.make("catalog")
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments)
        let tools = try await client.request("tools/list")["result"]?["tools"]?.arrayValue ?? []
        let schemas = Dictionary(uniqueKeysWithValues: tools.compactMap { tool in
            tool["name"]?.stringValue.map { ($0, (input: tool["inputSchema"] ?? .null, output: tool["outputSchema"] ?? .null)) }
        })

        var checked: Set<String> = []
        func check(_ tool: String, _ arguments: JSONValue) async throws -> MCPTestClient.ToolResult {
            let schema = try #require(schemas[tool])
            #expect(SchemaValidator.violations(of: arguments, against: schema.input).isEmpty, "\(tool) arguments")
            let result = try await client.call(tool, arguments)
            #expect(!result.isError, "\(tool): \(result.text)")
            #expect(result.raw["isError"] == false)
            #expect(result.contentCount == 1)
            #expect(result.raw["content"]?[0]?["type"] == "text")
            let structured = try #require(result.structured, "\(tool) has structuredContent")
            #expect(structured.objectValue != nil)
            #expect(result.textJSON == structured, "\(tool): the text block is the structuredContent")
            #expect(result.text == JSONWriter.string(structured), "\(tool): byte for byte")
            let violations = SchemaValidator.violations(of: structured, against: schema.output)
            #expect(violations.isEmpty, "\(tool): \(violations)")
            checked.insert(tool)
            return result
        }

        _ = try await check("check_stock", ["product_id": "prod1"])
        _ = try await check("update_stock", ["product_id": "prod1", "delta": 5, "reason": "restock from supplier"])
        _ = try await check("update_stock", ["product_id": "prod1", "delta": -2])
        let placed = try await check("create_order", orderArguments([("prod1", 2), ("prod2", 1)], key: "schema-1"))
        let orderID = try #require(placed.orderID)
        _ = try await check("create_order", orderArguments([("prod1", 2), ("prod2", 1)], key: "schema-1"))
        _ = try await check("update_delivery_status", ["order_id": .string(orderID), "status": "in_transit", "note": "DHL 123"])
        _ = try await check("update_delivery_status", ["order_id": .string(orderID), "status": "in_transit"])
        _ = try await check("get_order", ["order_id": .string(orderID)])
        _ = try await check("list_orders", [:])
        _ = try await check("list_orders", ["status": "in_transit", "limit": 1])
        _ = try await check("list_products", [:])
        _ = try await check("list_products", ["limit": 1, "low_stock_below": 100])
        #expect(checked == Set(Self.allTools))

        // A failed call is a result too: one text block, isError, no structuredContent.
        let failed = try await client.call("check_stock", ["product_id": "prod404"])
        #expect(failed.isError)
        #expect(failed.contentCount == 1)
        #expect(failed.structured == nil)
        await finish(client)
    }

    @Test("the test validator rejects what the published output schemas forbid")
    func validatorCanFail() async throws {
        let database = try await TestDatabase.make("catalog", products: [])
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments)
        let tools = try await client.request("tools/list")["result"]?["tools"]?.arrayValue ?? []
        await finish(client)
        let check = try #require(tools.first { $0["name"] == "check_stock" }?["outputSchema"])
        let good: JSONValue = ["product_id": "prod1", "name": "Laptop", "price": 999.99, "currency": "USD", "stock": 10]
        #expect(SchemaValidator.violations(of: good, against: check).isEmpty)
        let bad: [JSONValue] = [
            ["product_id": "prod1", "name": "Laptop", "price": 999.99, "currency": "USD"],
            ["product_id": "prod1", "name": "Laptop", "price": 999.99, "currency": "USD", "stock": -1],
            ["product_id": "prod1", "name": "Laptop", "price": "999.99", "currency": "USD", "stock": 10],
            ["product_id": 1, "name": "Laptop", "price": 999.99, "currency": "USD", "stock": 10],
        ]
        for value in bad { #expect(!SchemaValidator.violations(of: value, against: check).isEmpty, "\(JSONWriter.string(value))") }
        let create = try #require(tools.first { $0["name"] == "create_order" }?["inputSchema"])
        #expect(!SchemaValidator.violations(of: orderArguments([("prod1", 0)]), against: create).isEmpty)
        #expect(!SchemaValidator.violations(of: ["items": [], "delivery_address": "x"], against: create).isEmpty)
        #expect(!SchemaValidator.violations(of: ["items": [["product_id": "$x", "quantity": 1]], "delivery_address": "x"],
                                            against: create).isEmpty)
    }

    struct Selection: Sendable, CustomTestStringConvertible {
        let flags: [String]
        let offered: [String]
        var testDescription: String { flags.joined(separator: " ") }
    }

    static let selections = [
        Selection(flags: ["--read-only"], offered: readTools),
        Selection(flags: ["--disable-tools", "create_order,update_stock"],
                  offered: ["check_stock", "update_delivery_status", "get_order", "list_orders", "list_products"]),
        Selection(flags: ["--disable-tools", "update_delivery_status, list_orders", "--disable-tools", "get_order"],
                  offered: ["check_stock", "update_stock", "create_order", "list_products"]),
        Selection(flags: ["--read-only", "--disable-tools", "check_stock"], offered: ["get_order", "list_orders", "list_products"]),
    ]

    @Test("--read-only and --disable-tools: only the offered tools are listed and callable", arguments: selections)
    func toolSelection(_ selection: Selection) async throws {
        let database = try await TestDatabase.make("select")
        defer { database.drop() }
        let client = try await MCPTestClient.start(database.serverArguments + selection.flags)
        let tools = try await client.request("tools/list")["result"]?["tools"]?.arrayValue ?? []
        #expect(tools.compactMap { $0["name"]?.stringValue } == selection.offered)
        let before = try database.snapshot()
        let arguments: [String: JSONValue] = [
            "check_stock": ["product_id": "prod1"], "update_stock": ["product_id": "prod1", "delta": -1],
            "create_order": orderArguments([("prod1", 1)]), "update_delivery_status": ["order_id": "ord_x", "status": "cancelled"],
            "get_order": ["order_id": "ord_x"], "list_orders": [:], "list_products": [:],
        ]
        for tool in Self.allTools where !selection.offered.contains(tool) {
            let reply = try await client.request("tools/call", ["name": .string(tool), "arguments": arguments[tool] ?? [:]])
            #expect(reply["error"]?["code"] == -32602, "\(tool) is not offered: \(JSONWriter.string(reply))")
            #expect(reply["error"]?["data"]?["available_tools"] == .array(selection.offered.map { .string($0) }))
        }
        for tool in selection.offered where Self.readTools.contains(tool) {
            let reply = try await client.request("tools/call", ["name": .string(tool), "arguments": arguments[tool] ?? [:]])
            #expect(reply["result"] != nil, "\(tool) is offered")
        }
        #expect(try database.snapshot() == before, "refused tools changed nothing")
        await finish(client)
    }
}
