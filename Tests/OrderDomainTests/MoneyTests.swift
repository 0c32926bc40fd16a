import Foundation
import JSON
import OrderDomain
import Testing

@Suite("Money")
struct MoneyTests {
    @Test("description", arguments: [
        (Int64(0), "0.00"),
        (5, "0.05"),
        (10, "0.10"),
        (99, "0.99"),
        (100, "1.00"),
        (1_250, "12.50"),
        (99_999, "999.99"),
        (100_000, "1000.00"),
        (-5, "-0.05"),
        (-99_999, "-999.99"),
        (.max, "92233720368547758.07"),
        (.min, "-92233720368547758.08"),
    ])
    func description(minorUnits: Int64, text: String) {
        #expect(Money(minorUnits: minorUnits).description == text)
    }

    @Test("decimal strings", arguments: [
        ("0", Int64(0)),
        ("12", 1_200),
        ("12.5", 1_250),
        ("12.50", 1_250),
        ("12.05", 1_205),
        ("0.01", 1),
        ("007.5", 750),
        ("999.99", 99_999),
        ("92233720368547758", 9_223_372_036_854_775_800),
        ("92233720368547758.07", .max),
    ])
    func decimal(text: String, minorUnits: Int64) {
        #expect(Money(decimal: text)?.minorUnits == minorUnits)
    }

    @Test("malformed or negative decimal strings are refused", arguments: [
        "", ".", ".5", "12.", "12.345", "-1", "-0", "+1", "1,5", "1.2.3", " 1", "1 ", "abc", "1e2", "12.-5", "12.+5",
        "١٢", "１２", "12.٥", "0x10", "92233720368547759", "99999999999999999999", "12.5 ", "NaN",
    ])
    func malformedDecimal(text: String) {
        #expect(Money(decimal: text) == nil)
    }

    /// BUG: 92233720368547758 × 100 fits in Int64, but adding the cents overflows and traps
    /// instead of returning nil (reachable from a seed file price "92233720368547758.08").
    @Test func decimalAboveInt64MaxIsRefusedWithoutCrashing() async {
        await #expect(processExitsWith: .success) {
            precondition(Money(decimal: "92233720368547758.08") == nil)
            precondition(Money(decimal: "92233720368547758.99") == nil)
        }
    }

    @Test("JSON prices", arguments: [
        (JSONValue.int(0), Int64(0)),
        (.int(5), 500),
        (.int(92_233_720_368_547_758), 9_223_372_036_854_775_800),
        (.double(999.99), 99_999),
        (.double(0.07), 7),
        (.double(19.9), 1_990),
        (.double(0.1), 10),
        (.double(1.15), 115),
        (.double(-0.0), 0),
        (.double(12_345_678_901.23), 1_234_567_890_123),
        (.string("999.99"), 99_999),
        (.string("5"), 500),
    ])
    func fromJSON(json: JSONValue, minorUnits: Int64) {
        #expect(Money(json: json)?.minorUnits == minorUnits)
    }

    @Test("JSON prices that are negative, too precise, too large or not numbers are refused", arguments: [
        JSONValue.int(-1), .int(92_233_720_368_547_759), .int(.max), .double(-0.01), .double(0.001), .double(1.005),
        .double(999.999), .double(.infinity), .double(.nan), .double(9e13), .double(1e20), .string("abc"),
        .string("-1"), .string("1.234"), .null, .bool(true), .array([1]), ["amount": 1],
    ])
    func refusedJSON(json: JSONValue) {
        #expect(Money(json: json) == nil)
    }

    @Test func parsedJSONTextGivesExactCents() throws {
        #expect(Money(json: try JSONParser.parse("999.99"))?.minorUnits == 99_999)
        #expect(Money(json: try JSONParser.parse("0.3"))?.minorUnits == 30)
        #expect(Money(json: try JSONParser.parse("1e2"))?.minorUnits == 10_000)
        #expect(Money(json: try JSONParser.parse("4.35"))?.minorUnits == 435)
    }

    @Test func arithmeticAndOrdering() {
        let a = Money(minorUnits: 1_999)
        let b = Money(minorUnits: 1)
        #expect((a + b).minorUnits == 2_000)
        #expect((a * 3).minorUnits == 5_997)
        #expect((a * 0) == .zero)
        #expect(b < a)
        #expect(!(a < a))
        #expect([a, b, .zero].sorted() == [.zero, b, a])
        #expect(Money.zero.minorUnits == 0)
        #expect(Money.currency == "USD")
    }

    // MARK: JSON output

    /// The written text, read as an exact decimal, in cents.
    private func writtenCents(_ money: Money) -> (text: String, cents: Decimal?) {
        let text = JSONWriter.string(money.json)
        return (text, Decimal(string: text).map { $0 * 100 })
    }

    @Test func jsonIsExactForEveryAmountBelowOneThousandDollars() {
        var failures: [String] = []
        for cents in Int64(0)..<100_000 {
            let money = Money(minorUnits: cents)
            let (text, written) = writtenCents(money)
            if written != Decimal(cents) || Decimal(string: money.description) != Decimal(string: text) {
                failures.append("\(cents) → \(text)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(20))")
    }

    @Test("JSON text has no trailing zeros but is numerically the description", arguments: [
        (Int64(99_999), "999.99"),
        (99_990, "999.9"),
        (99_900, "999"),
        (0, "0"),
        (1, "0.01"),
        (10, "0.1"),
        (435, "4.35"),
        (123_456_789_012, "1234567890.12"),
    ])
    func jsonText(minorUnits: Int64, text: String) {
        #expect(JSONWriter.string(Money(minorUnits: minorUnits).json) == text)
    }

    @Test func jsonIsExactForLargeAmounts() {
        // Up to 2^46 dollars the spacing of doubles is below a cent, so the shortest text is exact.
        var generator = SystemRandomNumberGenerator()
        let limit = (Int64(1) << 46) * 100
        var failures: [String] = []
        for _ in 0..<20_000 {
            let cents = Int64.random(in: 0..<limit, using: &generator)
            let (text, written) = writtenCents(Money(minorUnits: cents))
            if written != Decimal(cents) { failures.append("\(cents) → \(text)") }
        }
        for cents in [Int64(100_000_000_000_001), 9_999_999_999_999_99, limit - 1, limit - 99] {
            let (text, written) = writtenCents(Money(minorUnits: cents))
            if written != Decimal(cents) { failures.append("\(cents) → \(text)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(20))")
    }

    @Test func jsonRoundTripsThroughWriterParserAndInit() throws {
        for cents in stride(from: Int64(0), to: 10_000_000, by: 997) {
            let money = Money(minorUnits: cents)
            let reparsed = try JSONParser.parse(JSONWriter.string(money.json))
            #expect(Money(json: reparsed) == money, "\(cents)")
        }
    }
}
