import JSON

/// An exact amount of money in minor units (cents). Money is never a binary floating-point number
/// in storage or arithmetic; it becomes a JSON number only at the edge, written exactly.
public struct Money: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The single currency of the catalogue.
    public static let currency = "USD"

    public let minorUnits: Int64
    public init(minorUnits: Int64) { self.minorUnits = minorUnits }

    public static let zero = Money(minorUnits: 0)

    /// Parses a price given as a JSON number (`999.99`) or a decimal string (`"999.99"`):
    /// at most two decimal places, not negative.
    public init?(json: JSONValue) {
        switch json {
        case .int(let units):
            guard units >= 0, units <= Int64.max / 100 else { return nil }
            minorUnits = units * 100
        case .double(let value):
            guard value.isFinite, value >= 0, value < 9e13 else { return nil }
            let scaled = (value * 100).rounded()
            guard abs(value * 100 - scaled) < 1e-6 else { return nil }
            minorUnits = Int64(scaled)
        case .string(let text):
            guard let parsed = Money(decimal: text) else { return nil }
            self = parsed
        default:
            return nil
        }
    }

    /// Parses "12", "12.5" or "12.50".
    public init?(decimal text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, parts[0].allSatisfy(\.isNumber) else { return nil }
        var cents: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isNumber), let value = Int64(fraction) else { return nil }
            cents = fraction.count == 1 ? value * 10 : value
        }
        let (product, overflow) = whole.multipliedReportingOverflow(by: 100)
        let (sum, sumOverflow) = product.addingReportingOverflow(cents)
        guard !overflow, !sumOverflow else { return nil }
        minorUnits = sum
    }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits + rhs.minorUnits) }
    public static func * (lhs: Money, rhs: Int64) -> Money { Money(minorUnits: lhs.minorUnits * rhs) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    /// "999.99"
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// The amount as a JSON number. The division is correctly rounded and the writer prints the
    /// shortest text that reads back as the same double, which for two decimals is the exact text.
    public var json: JSONValue { .double(Double(minorUnits) / 100) }
}
