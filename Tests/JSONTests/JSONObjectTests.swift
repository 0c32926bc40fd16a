import JSON
import Testing

@Suite("JSONObject")
struct JSONObjectTests {
    @Test func emptyObject() {
        let object = JSONObject()
        #expect(object.isEmpty)
        #expect(object.count == 0)
        #expect(object.keys.isEmpty)
        #expect(object["a"] == nil)
    }

    @Test func keepsInsertionOrder() {
        var object = JSONObject()
        object["c"] = 1
        object["a"] = 2
        object["b"] = 3
        #expect(object.keys == ["c", "a", "b"])
        #expect(object.map(\.key) == ["c", "a", "b"])
        #expect(object.map(\.value) == [1, 2, 3])
        #expect(object.entries.map(\.key) == ["c", "a", "b"])
    }

    @Test func dictionaryLiteralKeepsSourceOrder() {
        let object: JSONObject = ["order_id": "x", "status": "pending", "items": []]
        #expect(object.keys == ["order_id", "status", "items"])
        #expect(object.count == 3)
        #expect(!object.isEmpty)
    }

    @Test func replacingAValueKeepsItsPosition() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "two"
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["b"] == "two")
        #expect(object.count == 3)
    }

    @Test func assigningNilRemovesTheKey() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["b"] == nil)
        object["missing"] = nil
        #expect(object.keys == ["a", "c"])
        object["b"] = 4
        #expect(object.keys == ["a", "c", "b"])
    }

    @Test func storingJSONNullIsNotRemoval() {
        var object: JSONObject = ["a": 1]
        object["a"] = JSONValue.null
        #expect(object.count == 1)
        #expect(object["a"] == .null)
    }

    @Test func equalityIgnoresKeyOrder() {
        let one: JSONObject = ["a": 1, "b": [true]]
        let other: JSONObject = ["b": [true], "a": 1]
        #expect(one == other)
        #expect(one.hashValue == other.hashValue)
        #expect(Set([JSONValue.object(one), .object(other)]).count == 1)
    }

    @Test func inequality() {
        let base: JSONObject = ["a": 1, "b": 2]
        #expect(base != ["a": 1])
        #expect(base != ["a": 1, "b": 3])
        #expect(base != ["a": 1, "c": 2])
        #expect(base != ["a": 1, "b": 2, "c": 3])
        #expect(base != ["a": 1, "b": 2.0])
        #expect(JSONObject() != ["a": nil])
    }

    @Test func writerUsesTheObjectsOrderEvenThoughEqualityDoesNot() {
        let one: JSONObject = ["a": 1, "b": 2]
        let other: JSONObject = ["b": 2, "a": 1]
        #expect(JSONWriter.string(.object(one)) == #"{"a":1,"b":2}"#)
        #expect(JSONWriter.string(.object(other)) == #"{"b":2,"a":1}"#)
    }
}
