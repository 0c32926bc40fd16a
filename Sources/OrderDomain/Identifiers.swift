import JSON

/// What product and order ids may contain: 1–64 characters from `A–Z a–z 0–9 . _ : -`.
///
/// The alphabet has no `$` and no operator syntax, and ids only ever reach the database as plain
/// string values, so an id can never be read as a query.
public enum Identifier {
    public static let pattern = StringPattern(
        regex: "^[A-Za-z0-9._:-]{1,64}$",
        hint: "1-64 characters from A-Z a-z 0-9 . _ : -",
        matches: isValid)

    public static func isValid(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: ":"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }
}

public struct ProductID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    /// Nil unless `rawValue` is a valid identifier.
    public init?(_ rawValue: String) {
        guard Identifier.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }
    public var description: String { rawValue }
    public static func < (lhs: ProductID, rhs: ProductID) -> Bool { lhs.rawValue < rhs.rawValue }
}

public struct OrderID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init?(_ rawValue: String) {
        guard Identifier.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }
    public var description: String { rawValue }

    /// What every generated id starts with.
    public static let prefix = "ord_"

    /// A new id: `ord_` and 20 random lowercase base-32 characters (100 bits).
    public static func generate() -> OrderID {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        var generator = SystemRandomNumberGenerator()
        let suffix = String((0..<20).map { _ in alphabet[Int(generator.next() % 32)] })
        return OrderID(unchecked: prefix + suffix)
    }

    init(unchecked rawValue: String) { self.rawValue = rawValue }
}
