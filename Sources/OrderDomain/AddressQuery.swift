/// An address to find orders by, as a person or a model types it: case, spacing and one final
/// period do not matter ("9 pine  St." finds the order to "9 Pine St"); words are compared
/// whole, so "31 Quay St" does not find "131 Quay St".
public struct AddressQuery: Hashable, Sendable {
    /// The address's words as typed, without a final period.
    public let words: [String]

    /// Nil for an address with no words.
    public init?(_ text: String) {
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        if let last = words.last, last.hasSuffix(".") {
            words[words.count - 1] = String(last.dropLast())
            if words[words.count - 1].isEmpty { words.removeLast() }
        }
        guard !words.isEmpty else { return nil }
        self.words = words
    }

    /// Whether an order's address is this one: what a store's query must match.
    public func matches(_ address: String) -> Bool {
        AddressQuery(address)?.words.map { $0.lowercased() } == words.map { $0.lowercased() }
    }
}
