import JSON
import OrderDomain
import Testing

/// The published input schemas are what clients follow, so every `pattern` they publish must
/// accept exactly what `init(arguments:)` accepts.
@Suite("Command schemas")
struct CommandSchemaTests {
    static func pattern(_ schema: JSONSchema, _ property: String) throws -> Regex<AnyRegexOutput> {
        let text = try #require(schema.json["properties"]?[property]?["pattern"]?.stringValue)
        return try Regex(text)
    }

    static let textSamples = ["ok", "café ☕", "a\u{7F}b", "a\tb", "a\u{0}b", "a\u{1F}b", "a\u{85}b", "a\u{2028}b"]

    static func reasonAccepted(_ reason: String) -> Bool {
        var arguments: JSONObject = ["product_id": "p", "delta": 1]
        arguments["reason"] = .string(reason)
        return (try? UpdateStockCommand(arguments: arguments)) != nil
    }

    /// The published free-text pattern once allowed DEL (U+007F) while the check behind it refused
    /// it, so a client that followed the schema was refused for a reason it could not see.
    @Test("published free-text pattern agrees with enforcement", arguments: textSamples)
    func freeTextPatternAgrees(sample: String) throws {
        let regex = try Self.pattern(UpdateStockCommand.inputSchema, "reason")
        let published = sample.firstMatch(of: regex) != nil
        #expect(published == Self.reasonAccepted(sample), "sample \(sample.unicodeScalars.map(\.value))")
    }

    @Test func theSameFreeTextPatternIsPublishedForEveryTextField() throws {
        let reason = UpdateStockCommand.inputSchema.json["properties"]?["reason"]?["pattern"]
        #expect(reason?.stringValue?.hasPrefix("^[^\\u0000-\\u001f") == true, "\(String(describing: reason))")
        #expect(CreateOrderCommand.inputSchema.json["properties"]?["delivery_address"]?["pattern"] == reason)
        #expect(UpdateDeliveryStatusCommand.inputSchema.json["properties"]?["note"]?["pattern"] == reason)
    }

    @Test func publishedIdentifierPatternAgreesWithEnforcement() throws {
        let regex = try Self.pattern(GetOrderCommand.inputSchema, "order_id")
        for sample in ["ord_1", "a.b:c-d", "$gt", "a b", "é", "a\u{7F}", String(repeating: "o", count: 64)] {
            let published = sample.firstMatch(of: regex) != nil
            let accepted = (try? GetOrderCommand(arguments: ["order_id": .string(sample)])) != nil
            #expect(published == accepted, "\(sample)")
        }
    }

    @Test func everyCommandRefusesUnknownFields() throws {
        let schemas: [(String, JSONSchema)] = [
            ("check_stock", CheckStockCommand.inputSchema), ("update_stock", UpdateStockCommand.inputSchema),
            ("create_order", CreateOrderCommand.inputSchema), ("update_delivery_status", UpdateDeliveryStatusCommand.inputSchema),
            ("get_order", GetOrderCommand.inputSchema), ("list_orders", ListOrdersCommand.inputSchema),
            ("list_products", ListProductsCommand.inputSchema),
        ]
        for (name, schema) in schemas {
            #expect(schema.json["type"] == "object", "\(name)")
            #expect(schema.json["additionalProperties"] == false, "\(name)")
        }
    }

    /// BUG (see JSONSchemaTests.unknownFieldPathsStayOneLineAndBounded): an unknown key becomes the
    /// `field` of `invalidArgument` unescaped and untruncated, so the tool error message shown to
    /// the model can contain raw newlines and be as long as the key.
    @Test func unknownFieldErrorsStayOneLineAndBounded() throws {
        let weird = try #require(try argumentError(GetOrderCommand.self, #"{"order_id":"o","x\ny":1}"#))
        let message = OrderError.invalidArgument(field: weird.field, problem: weird.problem).message
        #expect(!message.contains("\n"), "\(message)")

        let long = String(repeating: "k", count: 5_000)
        let huge = try #require(try argumentError(GetOrderCommand.self, "{\"order_id\":\"o\",\"\(long)\":1}"))
        #expect(OrderError.invalidArgument(field: huge.field, problem: huge.problem).message.count < 400)
    }
}
