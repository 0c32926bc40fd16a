import OrderDomain
import Testing

@Suite("Identifier and ProductID")
struct IdentifierTests {
    @Test("valid identifiers", arguments: [
        "prod1", "a", "A", "0", "ord_4k2x9", "sku:123-abc.v2", "._:-", ".", "..", "ABCxyz019",
        String(repeating: "a", count: 64), String(repeating: "9", count: 64),
    ])
    func valid(text: String) throws {
        #expect(Identifier.isValid(text))
        let id = try #require(ProductID(text))
        #expect(id.rawValue == text)
        #expect(id.description == text)
        #expect(OrderID(text)?.rawValue == text)
    }

    @Test("invalid identifiers", arguments: [
        "", String(repeating: "a", count: 65), "$gt", "prod$1", "a b", " prod1", "prod1 ", "prod1\n", "a/b", "a\\b",
        "{}", "a,b", "a\"b", "a'b", "é", "prod１", "prod\u{0}", "prod\u{7F}", "ａ", "😀", "a+b", "a*b", "a#b", "a@b",
        "[a]", "a;b", "a=b", "a?b", "a%b", "a|b",
    ])
    func invalid(text: String) {
        #expect(!Identifier.isValid(text))
        #expect(ProductID(text) == nil)
        #expect(OrderID(text) == nil)
    }

    @Test func lengthIsCountedInBytesOfASCII() {
        #expect(Identifier.isValid(String(repeating: "x", count: 64)))
        #expect(!Identifier.isValid(String(repeating: "x", count: 65)))
    }

    @Test func publishedPattern() {
        #expect(Identifier.pattern.regex == "^[A-Za-z0-9._:-]{1,64}$")
        #expect(Identifier.pattern.hint == "1-64 characters from A-Z a-z 0-9 . _ : -")
        for sample in ["prod1", "", "$x", String(repeating: "b", count: 65), "a.b"] {
            #expect(Identifier.pattern.matches(sample) == Identifier.isValid(sample), "\(sample)")
        }
    }

    @Test func publishedRegexAgreesWithTheCheck() throws {
        let regex = try Regex(Identifier.pattern.regex)
        let samples = ["prod1", "", "$gt", "a b", "a.b:c-d_e", String(repeating: "z", count: 64),
                       String(repeating: "z", count: 65), "é", "ord_x", "a/b", "{}"]
        for sample in samples {
            #expect((sample.firstMatch(of: regex) != nil) == Identifier.isValid(sample), "\(sample)")
        }
    }

    @Test func productIDsCompareByRawValue() throws {
        let ids = try ["prod3", "prod1", "Prod2", "prod10"].map(pid)
        #expect(ids.sorted().map(\.rawValue) == ["Prod2", "prod1", "prod10", "prod3"])
        #expect(try pid("a") < pid("b"))
        #expect(try pid("a") == pid("a"))
        #expect(Set(try ["a", "a", "b"].map(pid)).count == 2)
    }
}
