import JSON
import Testing

/// Only lowercase ASCII letters, as a stand-in for a real pattern.
private let lowercase = StringPattern(regex: "^[a-z]+$", hint: "lowercase letters a-z") { text in
    !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) }
}

/// A schema shaped like `create_order`'s arguments.
private let orderSchema = JSONSchema.object(
    properties: [
        .init("items", .array(
            items: .object(properties: [
                .init("product_id", .string(minLength: 1, maxLength: 8, pattern: lowercase)),
                .init("quantity", .integer(minimum: 1, maximum: 100)),
            ], required: ["product_id", "quantity"]),
            minItems: 1, maxItems: 3)),
        .init("address", .string(minLength: 1)),
        .init("express", .boolean()),
    ],
    required: ["items", "address"])

private func check(_ schema: JSONSchema, _ json: String) throws -> SchemaViolation? {
    schema.validate(try JSONParser.parse(json))
}

@Suite("JSONSchema")
struct JSONSchemaTests {
    // MARK: Rendering

    @Test func rendersAnObjectSchema() {
        #expect(JSONWriter.string(orderSchema.json) == #"{"type":"object","properties":{"#
            + #""items":{"type":"array","items":{"type":"object","properties":{"#
            + #""product_id":{"type":"string","minLength":1,"maxLength":8,"pattern":"^[a-z]+$"},"#
            + #""quantity":{"type":"integer","minimum":1,"maximum":100}},"#
            + #""required":["product_id","quantity"],"additionalProperties":false},"minItems":1,"maxItems":3},"#
            + #""address":{"type":"string","minLength":1},"express":{"type":"boolean"}},"#
            + #""required":["items","address"],"additionalProperties":false}"#)
    }

    @Test("renders each kind of schema with its keywords", arguments: [
        (JSONSchema.object(properties: [], additionalProperties: true, description: "Anything."),
         #"{"type":"object","description":"Anything.","properties":{}}"#),
        (.object(properties: []), #"{"type":"object","properties":{},"additionalProperties":false}"#),
        (.array(items: .boolean(), description: "Flags."),
         #"{"type":"array","description":"Flags.","items":{"type":"boolean"}}"#),
        (.string(), #"{"type":"string"}"#),
        (.string(enumeration: ["a", "b"], format: "date-time", description: "D."),
         #"{"type":"string","description":"D.","enum":["a","b"],"format":"date-time"}"#),
        (.integer(), #"{"type":"integer"}"#),
        (.integer(minimum: -5, maximum: 5, nonZero: true, description: "Delta."),
         #"{"type":"integer","description":"Delta.","minimum":-5,"maximum":5,"not":{"const":0}}"#),
        (.number(), #"{"type":"number"}"#),
        (.number(minimum: 0, description: "Amount."), #"{"type":"number","description":"Amount.","minimum":0}"#),
        (.number(minimum: 0.5), #"{"type":"number","minimum":0.5}"#),
        (.boolean(description: "Yes or no."), #"{"type":"boolean","description":"Yes or no."}"#),
    ])
    func rendersEachKind(schema: JSONSchema, text: String) {
        #expect(JSONWriter.string(schema.json) == text)
    }

    @Test func renderedSchemaIsValidJSON() throws {
        let text = JSONWriter.string(orderSchema.json)
        let reparsed = try JSONParser.parse(text)
        #expect(reparsed == orderSchema.json)
        #expect(reparsed["properties"]?["items"]?["items"]?["properties"]?["quantity"]?["maximum"] == .int(100))
    }

    // MARK: Validation: valid values

    @Test("conforming values pass", arguments: [
        #"{"items":[{"product_id":"abc","quantity":1}],"address":"x"}"#,
        #"{"items":[{"product_id":"a","quantity":100},{"product_id":"b","quantity":2.0}],"address":"x","express":true}"#,
        #"{"address":"x","items":[{"quantity":3,"product_id":"abcdefgh"}]}"#,
    ])
    func conformingValuesPass(json: String) throws {
        #expect(try check(orderSchema, json) == nil)
    }

    // MARK: Validation: violations, with paths and messages

    @Test("violations name the path and say what is allowed", arguments: [
        (#"[]"#, "", "must be an object, got an array of 0 item(s)"),
        (#"{"items":[{"product_id":"abc","quantity":1}]}"#, "address", "is required but missing"),
        (#"{"address":"x"}"#, "items", "is required but missing"),
        (#"{"items":[{"product_id":"abc","quantity":1}],"address":"x","extra":1}"#,
         "extra", "unknown field 'extra'; allowed fields: 'items', 'address', 'express'"),
        (#"{"items":[],"address":"x"}"#, "items", "must have at least 1 item(s), got 0"),
        (#"{"items":[{"product_id":"a","quantity":1},{"product_id":"b","quantity":1},{"product_id":"c","quantity":1},{"product_id":"d","quantity":1}],"address":"x"}"#,
         "items", "must have at most 3 items, got 4"),
        (#"{"items":{"product_id":"a"},"address":"x"}"#, "items", #"must be an array, got object {"product_id":"a"}"#),
        (#"{"items":[{"product_id":"abc","quantity":1},{"product_id":"abc","quantity":0}],"address":"x"}"#,
         "items[1].quantity", "must be an integer from 1 to 100, got 0"),
        (#"{"items":[{"product_id":"abc","quantity":1},{"product_id":"abc","quantity":101}],"address":"x"}"#,
         "items[1].quantity", "must be an integer from 1 to 100, got 101"),
        (#"{"items":[{"product_id":"abc","quantity":2.5}],"address":"x"}"#,
         "items[0].quantity", "must be an integer, got number 2.5"),
        (#"{"items":[{"product_id":"abc","quantity":1e400}],"address":"x"}"#,
         "items[0].quantity", "must be an integer, got a number out of range"),
        (#"{"items":[{"product_id":"abc","quantity":"3"}],"address":"x"}"#,
         "items[0].quantity", "must be an integer, got string '3'"),
        (#"{"items":[{"product_id":"abc"}],"address":"x"}"#, "items[0].quantity", "is required but missing"),
        (#"{"items":[{"product_id":"abc","quantity":1,"price":5}],"address":"x"}"#,
         "items[0].price", "unknown field 'price'; allowed fields: 'product_id', 'quantity'"),
        (#"{"items":[7],"address":"x"}"#, "items[0]", "must be an object, got integer 7"),
        (#"{"items":[{"product_id":{"$gt":""},"quantity":1}],"address":"x"}"#,
         "items[0].product_id", #"must be a string, got object {"$gt":""}"#),
        (#"{"items":[{"product_id":"","quantity":1}],"address":"x"}"#, "items[0].product_id", "must not be empty"),
        (#"{"items":[{"product_id":"abcdefghi","quantity":1}],"address":"x"}"#,
         "items[0].product_id", "must be at most 8 characters long, got 9"),
        (#"{"items":[{"product_id":"ABC","quantity":1}],"address":"x"}"#,
         "items[0].product_id", "'ABC' is not valid: use lowercase letters a-z"),
        (#"{"items":[{"product_id":"abc","quantity":1}],"address":null}"#, "address", "must be a string, got null"),
        (#"{"items":[{"product_id":"abc","quantity":1}],"address":"x","express":"yes"}"#,
         "express", "must be true or false, got string 'yes'"),
        (#"{"items":[{"product_id":"abc","quantity":1}],"address":"x","express":1}"#,
         "express", "must be true or false, got integer 1"),
        (#"{"items":[{"product_id":"abc","quantity":1}],"address":false}"#, "address", "must be a string, got boolean false"),
    ])
    func violations(json: String, path: String, message: String) throws {
        let violation = try #require(try check(orderSchema, json))
        #expect(violation.path == path)
        #expect(violation.message == message)
    }

    @Test func unknownFieldsAreReportedBeforeMissingOnes() throws {
        let violation = try #require(try check(orderSchema, #"{"bogus":1}"#))
        #expect(violation.path == "bogus")
    }

    @Test func additionalPropertiesCanBeAllowed() throws {
        let open = JSONSchema.object(properties: [.init("a", .integer())], required: ["a"], additionalProperties: true)
        #expect(try check(open, #"{"a":1,"b":"anything"}"#) == nil)
        #expect(try check(open, #"{"a":"x","b":1}"#)?.path == "a")
    }

    @Test func nestedArraysGetIndexedPaths() throws {
        let schema = JSONSchema.array(items: .array(items: .integer(minimum: 0)))
        let violation = try #require(try check(schema, "[[1],[2,-3]]"))
        #expect(violation.path == "[1][1]")
        #expect(violation.message == "must be at least 0, got -3")
    }

    @Test("integer bounds", arguments: [
        (JSONSchema.integer(minimum: 1), "0", "must be at least 1, got 0"),
        (.integer(maximum: 10), "11", "must be at most 10, got 11"),
        (.integer(minimum: -3, maximum: 3), "-4", "must be an integer from -3 to 3, got -4"),
        (.integer(nonZero: true), "0", "must not be 0"),
        (.integer(nonZero: true), "-0.0", "must not be 0"),
        (.integer(minimum: -5, maximum: 5, nonZero: true), "0", "must not be 0"),
        (.integer(), "true", "must be an integer, got boolean true"),
        (.integer(), "[1]", "must be an integer, got an array of 1 item(s)"),
        (.integer(), "9.3e18", "must be an integer, got number 9.3e+18"),
    ])
    func integerBounds(schema: JSONSchema, json: String, message: String) throws {
        let violation = try #require(try check(schema, json))
        #expect(violation.path == "")
        #expect(violation.message == message)
    }

    @Test("integers inside bounds pass", arguments: ["1", "10", "2.0", "-0", "9"])
    func integersInsideBounds(json: String) throws {
        #expect(try check(.integer(minimum: -5, maximum: 10, nonZero: false), json) == nil)
    }

    @Test func numbers() throws {
        let schema = JSONSchema.number(minimum: 0)
        #expect(try check(schema, "0") == nil)
        #expect(try check(schema, "12.5") == nil)
        #expect(try check(schema, "-0.01")?.message == "must be at least 0.0")
        #expect(try check(schema, "-1")?.message == "must be at least 0.0")
        #expect(try check(schema, "1e400")?.message == "must be a number, got a number out of range")
        #expect(try check(schema, #""5""#)?.message == "must be a number, got string '5'")
    }

    @Test func stringEnumeration() throws {
        let schema = JSONSchema.string(enumeration: ["pending", "cancelled"])
        #expect(try check(schema, #""pending""#) == nil)
        #expect(try check(schema, #""shipped""#)?.message == "must be one of 'pending', 'cancelled', got 'shipped'")
    }

    @Test func stringLengthsCountUnicodeScalars() throws {
        let schema = JSONSchema.string(minLength: 3, maxLength: 4)
        #expect(try check(schema, #""é😀日""#) == nil)
        #expect(try check(schema, #""ab""#)?.message == "must be at least 3 characters long")
        #expect(try check(schema, #""😀😀😀😀😀""#)?.message == "must be at most 4 characters long, got 5")
    }

    @Test func longClientTextIsTruncatedInMessages() throws {
        let long = String(repeating: "x", count: 100)
        let violation = try #require(try check(.string(enumeration: ["a"]), "\"\(long)\""))
        #expect(violation.message == "must be one of 'a', got '\(String(repeating: "x", count: 60))…'")
    }

    @Test func controlCharactersInMessagesAreEscapedSoTheyStayOnOneLine() throws {
        let violation = try #require(try check(.string(enumeration: ["a"]), #""line1\nline2\u007f""#))
        #expect(violation.message == #"must be one of 'a', got 'line1\u{a}line2\u{7f}'"#)
        let key = try #require(try check(.object(properties: []), #"{"k\r\t":1}"#))
        #expect(key.message == #"unknown field 'k\u{d}\u{9}'; allowed fields: "#)
    }

    /// BUG: the path of an unknown field is the client's raw key, so control characters and
    /// unbounded text reach `description` (and, through `Command.init(arguments:)`, the tool error
    /// message), although the message itself is escaped and truncated.
    @Test func unknownFieldPathsStayOneLineAndBounded() throws {
        let key = try #require(try check(.object(properties: [.init("a", .integer())]), #"{"k\r\nx":1}"#))
        #expect(!key.path.unicodeScalars.contains { $0.value < 0x20 })
        #expect(!key.description.unicodeScalars.contains { $0.value < 0x20 })

        let long = String(repeating: "k", count: 10_000)
        let huge = try #require(try check(.object(properties: [.init("a", .integer())]), "{\"\(long)\":1}"))
        #expect(huge.description.count < 300)
    }

    @Test func largeObjectsAreNotQuotedInFull() throws {
        let small = try #require(try check(.string(), #"{"a":1}"#))
        #expect(small.message == #"must be a string, got object {"a":1}"#)
        let large = try #require(try check(.string(), "{\"key\":\"\(String(repeating: "v", count: 80))\"}"))
        #expect(large.message == "must be a string, got an object")
    }

    @Test func descriptionPrefixesThePath() throws {
        let nested = try #require(try check(orderSchema, #"{"items":[{"product_id":"a","quantity":0}],"address":"x"}"#))
        #expect(nested.description == "items[0].quantity: must be an integer from 1 to 100, got 0")
        let root = try #require(try check(orderSchema, "null"))
        #expect(root.path == "")
        #expect(root.description == "must be an object, got null")
    }

    @Test func validateStartsFromTheGivenPath() throws {
        let violation = try #require(JSONSchema.integer(minimum: 1).validate(.int(0), at: "args.count"))
        #expect(violation.path == "args.count")
        let child = try #require(orderSchema.validate(try JSONParser.parse(#"{"address":"x"}"#), at: "params"))
        #expect(child.path == "params.items")
    }
}
