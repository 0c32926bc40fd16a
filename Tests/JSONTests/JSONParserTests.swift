import JSON
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    // MARK: Accepted input

    @Test("literals, with the four JSON whitespace characters around them", arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        (" \t\r\n true \n\t", .bool(true)),
    ])
    func literals(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test("integers that fit Int64 stay .int", arguments: [
        ("0", Int64(0)),
        ("-0", 0),
        ("7", 7),
        ("-42", -42),
        ("1234567890123", 1_234_567_890_123),
        ("9223372036854775807", .max),
        ("-9223372036854775808", .min),
    ])
    func integersStayIntegers(text: String, expected: Int64) throws {
        #expect(try JSONParser.parse(text) == .int(expected))
    }

    @Test("integers outside Int64 become .double", arguments: [
        ("9223372036854775808", 9_223_372_036_854_775_808.0),
        ("-9223372036854775809", -9_223_372_036_854_775_809.0),
        ("123456789012345678901234567890", 123_456_789_012_345_678_901_234_567_890.0),
    ])
    func hugeIntegersBecomeDoubles(text: String, expected: Double) throws {
        #expect(try JSONParser.parse(text) == .double(expected))
    }

    @Test("fractions and exponents are .double even when integral", arguments: [
        ("1.0", 1.0),
        ("1.5", 1.5),
        ("-0.25", -0.25),
        ("1e2", 100.0),
        ("1E+2", 100.0),
        ("2.5e-3", 0.0025),
        ("999.99", 999.99),
        ("0.1", 0.1),
    ])
    func fractionsAndExponents(text: String, expected: Double) throws {
        #expect(try JSONParser.parse(text) == .double(expected))
    }

    @Test func negativeZeroFractionKeepsItsSign() throws {
        let value = try JSONParser.parse("-0.0")
        guard case .double(let d) = value else {
            Issue.record("expected a double, got \(value)")
            return
        }
        #expect(d == 0 && d.sign == .minus)
    }

    @Test("numbers beyond Double's range parse to infinity, for schema checks to refuse", arguments: [
        ("1e400", Double.infinity),
        ("-1e400", -Double.infinity),
    ])
    func outOfRangeDoubles(text: String, expected: Double) throws {
        #expect(try JSONParser.parse(text) == .double(expected))
    }

    @Test("string escapes", arguments: [
        (#""plain""#, "plain"),
        (#""""#, ""),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        (#""\u0041\u00e9\u00E9""#, "Aéé"),
        (#""\u0000""#, "\u{0}"),
        (#""\ud83d\ude00""#, "😀"),
        (#""a\uD834\uDD1Eb""#, "a𝄞b"),
        (#""raw UTF-8: héllo 😀 日本""#, "raw UTF-8: héllo 😀 日本"),
        (#""mixed é then \n escape""#, "mixed é then \n escape"),
        ("\"\u{7F}\"", "\u{7F}"),
    ])
    func strings(text: String, expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }

    @Test func arraysAndObjects() throws {
        let value = try JSONParser.parse(#" { "list" : [ 1 , "two" , [ ] , { } , null ] , "flag" : false } "#)
        let expected: JSONValue = ["list": [1, "two", [], [:], nil], "flag": false]
        #expect(value == expected)
    }

    @Test func emptyContainersWithWhitespace() throws {
        #expect(try JSONParser.parse("[ \n ]") == .array([]))
        #expect(try JSONParser.parse("{ \t }") == .object(JSONObject()))
    }

    @Test func objectKeysKeepTheirOrder() throws {
        let object = try #require(try JSONParser.parse(#"{"zeta":1,"alpha":2,"mid":3}"#).objectValue)
        #expect(object.keys == ["zeta", "alpha", "mid"])
        #expect(object["alpha"] == .int(2))
    }

    @Test func keysThatOnlyLookAlikeAreNotDuplicates() throws {
        let object = try #require(try JSONParser.parse(#"{"a":1,"A":2,"a ":3,"\u0061b":4}"#).objectValue)
        #expect(object.keys == ["a", "A", "a ", "ab"])
    }

    @Test func parsesFromANonContiguousCollection() throws {
        let bytes = #"{"a":[1,2.5,"x"]}"#.utf8.lazy.map { $0 }
        #expect(try JSONParser.parse(bytes) == ["a": [1, 2.5, "x"]])
    }

    @Test func parsesFromBytesAndStringAlike() throws {
        let text = #"[1,{"k":"v"}]"#
        #expect(try JSONParser.parse(Array(text.utf8)) == JSONParser.parse(text))
    }

    @Test func largeInputsParse() throws {
        let count = 100_000
        let array = "[" + (0..<count).map(String.init).joined(separator: ",") + "]"
        let parsed = try #require(try JSONParser.parse(array).arrayValue)
        #expect(parsed.count == count)
        #expect(parsed.last == .int(Int64(count - 1)))

        let long = String(repeating: "abcé", count: 250_000)
        #expect(try JSONParser.parse("\"\(long)\"") == .string(long))
    }

    // MARK: Rejected input

    @Test("malformed JSON is rejected with a message and a byte offset", arguments: [
        ("", "unexpected end of input", 0),
        ("   ", "unexpected end of input", 3),
        ("01", "leading zeros are not allowed in numbers", 1),
        ("-01", "leading zeros are not allowed in numbers", 2),
        ("[00]", "leading zeros are not allowed in numbers", 2),
        ("1 2", "unexpected data after the JSON value", 2),
        ("{}x", "unexpected data after the JSON value", 2),
        ("[1]\u{0}", "unexpected data after the JSON value", 3),
        ("truex", "unexpected data after the JSON value", 4),
        ("[1,]", "unexpected character ']'", 3),
        ("[,1]", "unexpected character ','", 1),
        (#"{"a":1,}"#, "expected a string key", 7),
        ("{'a':1}", "expected a string key", 1),
        ("{a:1}", "expected a string key", 1),
        ("[1 2]", "expected ',' or ']' in an array", 3),
        (#"{"a":1 "b":2}"#, "expected ',' or '}' in an object", 7),
        (#"{"a" 1}"#, "expected ':' after a key", 5),
        (#"{"a":1"#, "unterminated object", 6),
        ("[1", "unterminated array", 2),
        (#""abc"#, "unterminated string", 4),
        (#""abc\n"#, "unterminated string", 6),
        (#""\"#, "unterminated string", 2),
        (#""\x""#, "invalid escape sequence", 3),
        (#""\U0041""#, "invalid escape sequence", 3),
        (#""\u12G4""#, #"invalid hex digit in \u escape"#, 5),
        (#""\u12""#, #"truncated \u escape"#, 3),
        (#""\ud800""#, #"lone high surrogate in \u escape"#, 7),
        (#""\ud800x""#, #"lone high surrogate in \u escape"#, 7),
        (#""\udc00""#, #"lone low surrogate in \u escape"#, 7),
        (#""\udfff\ud800""#, #"lone low surrogate in \u escape"#, 7),
        (#""\ud800\u0041""#, #"invalid low surrogate in \u escape"#, 13),
        (#""\ud800\ud800""#, #"invalid low surrogate in \u escape"#, 13),
        ("tru", "invalid literal", 0),
        ("nul", "invalid literal", 0),
        ("trUe", "invalid literal", 0),
        ("True", "unexpected character 'T'", 0),
        ("NaN", "unexpected character 'N'", 0),
        ("Infinity", "unexpected character 'I'", 0),
        ("+1", "unexpected character '+'", 0),
        (".5", "unexpected character '.'", 0),
        ("-", "invalid number", 1),
        ("-a", "invalid number", 1),
        ("1.", "invalid number: digit expected after '.'", 2),
        ("1.e5", "invalid number: digit expected after '.'", 2),
        ("1e", "invalid number: digit expected in exponent", 2),
        ("1e+", "invalid number: digit expected in exponent", 3),
        ("0x10", "unexpected data after the JSON value", 1),
        ("\u{0C}1", "unexpected character '\\xc'", 0),
        ("\u{FEFF}1", "unexpected character '\\xef'", 0),
        ("\u{A0}1", "unexpected character '\\xc2'", 0),
    ])
    func rejects(text: String, message: String, offset: Int) throws {
        let error = try #require(parseFailure(text))
        #expect(error.message == message)
        #expect(error.offset == offset)
        #expect(error.description == "\(message) at byte \(offset)")
    }

    @Test("unescaped control characters in strings are rejected", arguments: Array(0x00..<0x20))
    func rejectsControlCharacters(byte: Int) throws {
        let fast = try #require(parseFailure([0x22, 0x61, UInt8(byte), 0x22]))
        #expect(fast.message == "unescaped control character in a string")
        #expect(fast.offset == 2)
        // The same after an escape, where the parser copies bytes one by one.
        let slow = try #require(parseFailure([0x22, 0x5C, 0x6E, UInt8(byte), 0x22]))
        #expect(slow.message == "unescaped control character in a string")
        #expect(slow.offset == 3)
    }

    @Test("duplicate keys are rejected at the second key", arguments: [
        (#"{"a":1,"a":2}"#, "duplicate key \"a\"", 7),
        (#"{"a":1,"b":2,"a":1}"#, "duplicate key \"a\"", 13),
        (#"{"a":1,"\u0061":2}"#, "duplicate key \"a\"", 7),
        (#"{"x":{"k":1,"k":2}}"#, "duplicate key \"k\"", 12),
        (#"[{"id":1},{"id":2,"id":3}]"#, "duplicate key \"id\"", 18),
    ])
    func rejectsDuplicateKeys(text: String, message: String, offset: Int) throws {
        let error = try #require(parseFailure(text))
        #expect(error.message == message)
        #expect(error.offset == offset)
    }

    @Test("duplicate keys are found in objects of any size, before and after 16 keys", arguments: [1, 15, 16, 17, 40])
    func rejectsDuplicateKeysInLargeObjects(keys: Int) throws {
        let members = (0..<keys).map { "\"k\($0)\":\($0)" }
        let unique = "{" + members.joined(separator: ",") + "}"
        #expect(try JSONParser.parse(unique).objectValue?.count == keys)
        for repeated in Set([0, keys / 2, keys - 1]) {
            let prefix = "{" + members.joined(separator: ",") + ","
            let error = try #require(parseFailure(prefix + "\"k\(repeated)\":0}"))
            #expect(error.message == "duplicate key \"k\(repeated)\"")
            #expect(error.offset == prefix.utf8.count)
        }
    }

    @Test func theSameKeyInSiblingObjectsIsFine() throws {
        let value = try JSONParser.parse(#"[{"id":1},{"id":2}]"#)
        #expect(value == [["id": 1], ["id": 2]])
    }

    @Test("invalid UTF-8 inside strings is rejected", arguments: [
        [0xC3],  // truncated two-byte sequence
        [0x80],  // lone continuation byte
        [0xC0, 0x80],  // overlong NUL
        [0xE0, 0x80, 0xAF],  // overlong '/'
        [0xED, 0xA0, 0x80],  // UTF-8 encoded surrogate U+D800
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xFF],
        [0xFE],
        [0xF0, 0x9F, 0x98],  // truncated four-byte sequence
    ] as [[UInt8]])
    func rejectsInvalidUTF8(bad: [UInt8]) throws {
        let fast = try #require(parseFailure([0x22, 0x61] + bad + [0x22]))
        #expect(fast.message == "invalid UTF-8 in a string")
        #expect(fast.offset == 1)
        let slow = try #require(parseFailure([0x22, 0x5C, 0x74] + bad + [0x22]))
        #expect(slow.message == "invalid UTF-8 in a string")
        #expect(slow.offset == 1)
        let key = try #require(parseFailure([0x7B, 0x22] + bad + [0x22, 0x3A, 0x31, 0x7D]))
        #expect(key.message == "invalid UTF-8 in a string")
    }

    @Test func nonASCIIBytesOutsideStringsAreRejected() throws {
        let error = try #require(parseFailure([0x5B, 0xC3, 0xA9, 0x5D]))
        #expect(error.message == "unexpected character '\\xc3'")
        #expect(error.offset == 1)
    }

    // MARK: Depth

    @Test func acceptsNestingUpToTheDefaultDepth() throws {
        #expect(JSONParser.defaultMaxDepth == 64)
        var value = try JSONParser.parse(nestedArrays(64))
        var depth = 0
        while case .array(let items) = value {
            depth += 1
            value = try #require(items.first)
        }
        #expect(depth == 64)
        #expect(value == .int(1))
        _ = try JSONParser.parse(nestedObjects(64))
    }

    @Test func rejectsNestingBeyondTheDefaultDepth() throws {
        let arrays = try #require(parseFailure(nestedArrays(65)))
        #expect(arrays.message == "nesting deeper than 64 levels")
        #expect(arrays.offset == 64)
        let objects = try #require(parseFailure(nestedObjects(65)))
        #expect(objects.message == "nesting deeper than 64 levels")
        let mixed = try #require(parseFailure(String(repeating: #"[{"k":"#, count: 33) + "1"
            + String(repeating: "}]", count: 33)))
        #expect(mixed.message == "nesting deeper than 64 levels")
    }

    @Test func veryDeepInputFailsCleanly() throws {
        let error = try #require(parseFailure(String(repeating: "[", count: 1_000_000)))
        #expect(error.message == "nesting deeper than 64 levels")
    }

    @Test func customMaxDepth() throws {
        #expect(try JSONParser.parse("[[1]]", maxDepth: 2) == [[1]])
        #expect(parseFailure("[[[1]]]", maxDepth: 2)?.message == "nesting deeper than 2 levels")
        #expect(try JSONParser.parse("\"scalar\"", maxDepth: 0) == "scalar")
        #expect(parseFailure("[]", maxDepth: 0)?.message == "nesting deeper than 0 levels")
        #expect(parseFailure("{}", maxDepth: 0)?.message == "nesting deeper than 0 levels")
    }
}
