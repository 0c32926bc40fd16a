import JSON
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test func literalsBuildTheMatchingCases() {
        let string: JSONValue = "s"
        let int: JSONValue = 42
        let double: JSONValue = 2.5
        let bool: JSONValue = true
        let null: JSONValue = nil
        let array: JSONValue = [1, "x"]
        let object: JSONValue = ["k": 1]
        #expect(string == .string("s"))
        #expect(int == .int(42))
        #expect(double == .double(2.5))
        #expect(bool == .bool(true))
        #expect(null == .null)
        #expect(array == .array([.int(1), .string("x")]))
        var expected = JSONObject()
        expected["k"] = .int(1)
        #expect(object == .object(expected))
    }

    @Test func integersAndDoublesAreDifferentValues() {
        #expect(JSONValue.int(1) != .double(1))
        #expect(Set<JSONValue>([.int(1), .double(1), .string("1")]).count == 3)
    }

    @Test func typedAccessors() {
        let value: JSONValue = ["s": "text", "a": [1], "o": ["x": 1], "b": false, "n": nil]
        #expect(value["s"]?.stringValue == "text")
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["o"]?.objectValue?["x"] == .int(1))
        #expect(value["b"]?.boolValue == false)
        #expect(value["n"] == .null)
        #expect(value["missing"] == nil)
        // Accessors of another type give nil rather than converting.
        #expect(value["s"]?.arrayValue == nil)
        #expect(value["a"]?.stringValue == nil)
        #expect(value["b"]?.integerValue == nil)
        #expect(JSONValue.int(1).boolValue == nil)
        #expect(JSONValue.string("true").boolValue == nil)
    }

    @Test func subscriptOnANonObjectIsNil() {
        #expect(JSONValue.array(["k"])["k"] == nil)
        #expect(JSONValue.string("k")["k"] == nil)
        #expect(JSONValue.null["k"] == nil)
    }

    @Test("integerValue accepts integers and integral finite doubles", arguments: [
        (JSONValue.int(5), Int64(5)),
        (.int(.min), .min),
        (.int(.max), .max),
        (.double(2.0), 2),
        (.double(-7.0), -7),
        (.double(-0.0), 0),
        (.double(9.2e18), 9_200_000_000_000_000_000),
        (.double(-9.2e18), -9_200_000_000_000_000_000),
    ])
    func integerValue(value: JSONValue, expected: Int64) {
        #expect(value.integerValue == expected)
    }

    @Test("integerValue refuses fractions, non-finite and out-of-range numbers and other types", arguments: [
        JSONValue.double(2.5), .double(0.1), .double(.infinity), .double(-.infinity), .double(.nan),
        .double(1e19), .double(-1e19), .double(9.3e18), .string("2"), .bool(true), .null, .array([1]), ["n": 1],
    ])
    func integerValueRefuses(value: JSONValue) {
        #expect(value.integerValue == nil)
    }

    @Test("typeName", arguments: [
        (JSONValue.null, "null"),
        (.bool(false), "boolean"),
        (.int(3), "integer"),
        (.double(3.0), "integer"),
        (.double(3.5), "number"),
        (.double(.infinity), "number"),
        (.string(""), "string"),
        (.array([]), "array"),
        (.object(JSONObject()), "object"),
    ])
    func typeName(value: JSONValue, name: String) {
        #expect(value.typeName == name)
    }
}
