import OrderDomain
import Testing

@Suite("OrderID")
struct OrderIDTests {
    @Test func generatedIdsHaveThePrefixAndTwentyBase32Characters() throws {
        let alphabet = Set("0123456789abcdefghjkmnpqrstvwxyz")
        for _ in 0..<500 {
            let id = OrderID.generate()
            let raw = id.rawValue
            #expect(raw.hasPrefix("ord_"))
            #expect(raw.count == 24)
            let suffix = raw.dropFirst(4)
            #expect(suffix.count == 20)
            #expect(suffix.allSatisfy(alphabet.contains), "\(raw)")
            #expect(Identifier.isValid(raw))
            #expect(OrderID(raw) == id)
            #expect(id.description == raw)
        }
    }

    @Test func generatedIdsAreUnique() {
        let ids = Set((0..<5_000).map { _ in OrderID.generate() })
        #expect(ids.count == 5_000)
    }

    @Test func generatedIdsUseTheWholeAlphabet() {
        var seen = Set<Character>()
        for _ in 0..<500 { seen.formUnion(OrderID.generate().rawValue.dropFirst(4)) }
        #expect(seen == Set("0123456789abcdefghjkmnpqrstvwxyz"))
    }

    @Test func parsedIds() {
        #expect(OrderID("ord_abc")?.rawValue == "ord_abc")
        #expect(OrderID("ord$abc") == nil)
        #expect(OrderID("") == nil)
        #expect(OrderID(String(repeating: "o", count: 65)) == nil)
        #expect(OrderID("ord_1") != OrderID("ord_2"))
    }
}
