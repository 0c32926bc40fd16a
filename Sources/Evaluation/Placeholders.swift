import JSON

/// Placeholders for ids that exist only at run time: `{name}` is the id bound to `name`,
/// `{name|typo}` the same id with two neighbouring characters swapped (a misspelled id the agents
/// must find with the read tools). Names are a letter followed by letters, digits or `_`; any
/// other text in braces is left as it is.
public enum Placeholders {
    public struct Use: Sendable, Hashable {
        public let name: String
        public let modifier: String?
    }

    public static let modifiers: Set<String> = ["typo"]

    /// The placeholders in `text`, in order.
    public static func uses(in text: String) -> [Use] {
        scan(text).compactMap { piece in
            if case .placeholder(let use) = piece { use } else { nil }
        }
    }

    /// The placeholders in every string of `value`.
    public static func uses(in value: JSONValue) -> [Use] {
        switch value {
        case .string(let text): uses(in: text)
        case .array(let items): items.flatMap { uses(in: $0) }
        case .object(let object): object.flatMap { uses(in: $0.value) }
        default: []
        }
    }

    /// `text` with every placeholder replaced.
    public static func fill(_ text: String, _ bindings: [String: String]) throws(PlaceholderError) -> String {
        var out = ""
        for piece in scan(text) {
            switch piece {
            case .text(let literal):
                out += literal
            case .placeholder(let use):
                guard let value = bindings[use.name] else { throw PlaceholderError(use: use, text: text) }
                switch use.modifier {
                case nil: out += value
                case "typo": out += typo(value)
                default: throw PlaceholderError(use: use, text: text)
                }
            }
        }
        return out
    }

    /// `value` with the placeholders of every string replaced.
    public static func fill(_ value: JSONValue, _ bindings: [String: String]) throws(PlaceholderError) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(try fill(text, bindings))
        case .array(let items):
            var out: [JSONValue] = []
            for item in items { out.append(try fill(item, bindings)) }
            return .array(out)
        case .object(let object):
            var out = JSONObject()
            for (key, item) in object { out[key] = try fill(item, bindings) }
            return .object(out)
        default:
            return value
        }
    }

    /// The id misspelled: from the middle of the part after `ord_`, the first two neighbouring
    /// characters that differ are swapped (`ord_abcdef` → `ord_abdcef`). Deterministic, and never
    /// the id itself.
    public static func typo(_ id: String) -> String {
        var characters = Array(id)
        let start = id.hasPrefix("ord_") ? 4 : 0
        let length = characters.count - start
        guard length >= 2 else { return id + "x" }
        let pairs = length - 1
        for offset in 0..<pairs {
            let index = start + (length / 2 + offset) % pairs
            if characters[index] != characters[index + 1] {
                characters.swapAt(index, index + 1)
                return String(characters)
            }
        }
        let middle = start + length / 2
        characters[middle] = characters[middle] == "x" ? "y" : "x"
        return String(characters)
    }

    private enum Piece {
        case text(String)
        case placeholder(Use)
    }

    private static func scan(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}"), let use = parse(rest[afterOpen..<close]) else {
                literal.append("{")
                rest = rest[afterOpen...]
                continue
            }
            if !literal.isEmpty { pieces.append(.text(literal)) }
            literal = ""
            pieces.append(.placeholder(use))
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.text(literal)) }
        return pieces
    }

    /// `name` or `name|modifier`, else nil (not a placeholder).
    private static func parse(_ inside: Substring) -> Use? {
        let parts = inside.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, isName(name) else { return nil }
        guard parts.count == 2 else { return Use(name: String(name), modifier: nil) }
        let modifier = parts[1]
        guard !modifier.isEmpty, modifier.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return Use(name: String(name), modifier: String(modifier))
    }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}

/// A placeholder whose name is not bound, or whose modifier is unknown.
public struct PlaceholderError: Error, Sendable, Hashable, CustomStringConvertible {
    public let use: Placeholders.Use
    public let text: String

    public var description: String {
        let written = "{\(use.name)\(use.modifier.map { "|\($0)" } ?? "")}"
        if let modifier = use.modifier, !Placeholders.modifiers.contains(modifier) {
            return "unknown placeholder modifier '\(modifier)' in \(written); known: \(Placeholders.modifiers.sorted().joined(separator: ", "))"
        }
        return "placeholder \(written) names no id bound at this point"
    }
}
