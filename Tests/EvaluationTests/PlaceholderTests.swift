import Evaluation
import JSON
import Testing

@Suite struct PlaceholderTests {
    let bindings = ["order1": "ord_abcdefghij0123456789", "new1": "ord_x"]

    @Test func namesAreReplacedAndOtherBracesKept() throws {
        #expect(try Placeholders.fill("Ship {order1} now", bindings) == "Ship ord_abcdefghij0123456789 now")
        #expect(try Placeholders.fill("{new1}{new1}", bindings) == "ord_xord_x")
        #expect(try Placeholders.fill(#"JSON {"a": 1} and { spaced } and {1x} stay"#, bindings) == #"JSON {"a": 1} and { spaced } and {1x} stay"#)
        #expect(try Placeholders.fill("no placeholders", [:]) == "no placeholders")
        #expect(Placeholders.uses(in: "{order1|typo} and {new1}").map(\.name) == ["order1", "new1"])
    }

    @Test func typoSwapsTwoNeighboursInTheMiddle() throws {
        let id = "ord_abcdefghij0123456789"
        let typo = try Placeholders.fill("{order1|typo}", bindings)
        #expect(typo == "ord_abcdefghij1023456789")
        #expect(typo != id && typo.count == id.count && typo.hasPrefix("ord_"))
        #expect(Placeholders.typo(id) == typo)  // deterministic
        // Equal neighbours are skipped; a run of one character is changed instead.
        #expect(Placeholders.typo("ord_aabb") == "ord_abab")
        #expect(Placeholders.typo("ord_aaaa") == "ord_aaxa")
        #expect(Placeholders.typo("x") == "xx")
    }

    @Test func unknownNamesAndModifiersAreErrors() {
        #expect(throws: PlaceholderError.self) { try Placeholders.fill("{order2}", bindings) }
        do {
            _ = try Placeholders.fill("{order1|upper}", bindings)
            Issue.record("an unknown modifier was accepted")
        } catch {
            #expect(error.description.contains("unknown placeholder modifier 'upper'"))
        }
    }

    @Test func jsonStringsAreFilledRecursively() throws {
        let arguments: JSONValue = ["order_id": "{order1}", "items": [["product_id": "prod1", "note": "for {new1}"]], "limit": 5]
        let filled = try Placeholders.fill(arguments, bindings)
        #expect(filled["order_id"] == "ord_abcdefghij0123456789")
        #expect(filled["items"]?.arrayValue?.first?["note"] == "for ord_x")
        #expect(filled["limit"] == 5)
        #expect(Placeholders.uses(in: arguments).map(\.name) == ["order1", "new1"])
    }
}
