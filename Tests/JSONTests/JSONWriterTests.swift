import JSON
import Testing

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test("scalars", arguments: [
        (JSONValue.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.int(0), "0"),
        (.int(-17), "-17"),
        (.int(.max), "9223372036854775807"),
        (.int(.min), "-9223372036854775808"),
        (.string(""), #""""#),
        (.string("hello"), #""hello""#),
    ])
    func scalars(value: JSONValue, text: String) {
        #expect(JSONWriter.string(value) == text)
    }

    @Test("doubles: integral ones below 1e15 as integers, others in shortest form, non-finite as null", arguments: [
        (0.0, "0"),
        (-0.0, "0"),
        (100.0, "100"),
        (-3.0, "-3"),
        (999_999_999_999_999.0, "999999999999999"),
        (1.5, "1.5"),
        (-0.25, "-0.25"),
        (0.1, "0.1"),
        (999.99, "999.99"),
        (0.01, "0.01"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (1e300, "1e+300"),
        (1e-7, "1e-07"),
        (Double.infinity, "null"),
        (-Double.infinity, "null"),
        (Double.nan, "null"),
    ])
    func doubles(value: Double, text: String) {
        #expect(JSONWriter.string(.double(value)) == text)
    }

    @Test("every finite double written reads back as the same number", arguments: [
        0.1, 1.0 / 3.0, Double.leastNonzeroMagnitude, 1.7976931348623157e308, 123_456.789, -2.5e-10, 1e15, 1e16, 4.35,
    ])
    func doublesRoundTrip(value: Double) throws {
        let parsed = try JSONParser.parse(JSONWriter.string(.double(value)))
        switch parsed {
        case .double(let d): #expect(d == value)
        case .int(let i): #expect(Double(i) == value)
        default: Issue.record("unexpected \(parsed)")
        }
    }

    @Test("string escapes", arguments: [
        ("say \"hi\"", #""say \"hi\"""#),
        ("back\\slash", #""back\\slash""#),
        ("line\nbreak", #""line\nbreak""#),
        ("cr\rtab\t", #""cr\rtab\t""#),
        ("\u{08}\u{0C}", #""\u0008\u000c""#),
        ("\u{0}", #""\u0000""#),
        ("\u{1F}\u{1B}", #""\u001f\u001b""#),
        ("a/b", #""a/b""#),
        ("héllo 😀", "\"héllo 😀\""),
        ("\u{7F}", "\"\u{7F}\""),
    ])
    func strings(value: String, text: String) {
        #expect(JSONWriter.string(.string(value)) == text)
    }

    @Test("every control character is escaped, so the output is one line and reads back", arguments: Array(0..<0x20))
    func controlCharacters(code: Int) throws {
        let scalar = try #require(Unicode.Scalar(code))
        let value = JSONValue.string("a\(Character(scalar))b")
        let bytes = JSONWriter.bytes(value)
        #expect(!bytes.contains { $0 < 0x20 })
        #expect(try JSONParser.parse(bytes) == value)
    }

    @Test func objectKeysAreEscaped() {
        let value: JSONValue = ["a\"b\n": 1]
        #expect(JSONWriter.string(value) == #"{"a\"b\n":1}"#)
    }

    @Test func compactWithKeysInInsertionOrder() {
        var object = JSONObject()
        object["zeta"] = 1
        object["alpha"] = [true, nil, ["x": "y"], 2.5]
        object["empty"] = [:]
        object["list"] = []
        #expect(JSONWriter.string(.object(object)) == #"{"zeta":1,"alpha":[true,null,{"x":"y"},2.5],"empty":{},"list":[]}"#)
    }

    @Test func bytesAndStringAgree() {
        let value: JSONValue = ["k": ["é", 1, 2.5, nil, false]]
        #expect(JSONWriter.bytes(value) == Array(JSONWriter.string(value).utf8))
    }

    @Test func writeAppendsToExistingOutput() {
        var out = Array("prefix:".utf8)
        JSONWriter.write([1, 2], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "prefix:[1,2]")
    }

    @Test func descriptionIsTheCompactText() {
        let value: JSONValue = ["a": [1, "b"]]
        #expect(value.description == #"{"a":[1,"b"]}"#)
        #expect("\(value)" == #"{"a":[1,"b"]}"#)
    }

    @Test func roundTripsThroughTheParser() throws {
        let value: JSONValue = [
            "id": "ord_1",
            "nested": ["deep": [[["x": -1]]], "unicode": "日本 😀 \u{0} \u{1F} \"q\" \\"],
            "numbers": [0, -9_223_372_036_854_775_808, 1.25, 1e-7, 6.02e23],
            "flags": [true, false, nil],
        ]
        let text = JSONWriter.string(value)
        #expect(!text.contains("\n"))
        #expect(text.contains("日本 😀"))  // non-ASCII is written as raw UTF-8, not escaped
        #expect(try JSONParser.parse(text) == value)
    }
}
