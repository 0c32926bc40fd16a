import JSON

/// The values a sub-agent's write must take from the user's request: every quantity of a
/// `create_order` and its address, and the size of an `update_stock` delta. A small model made
/// them up where the request did not give them: it ordered the 10 Laptops available to "Our
/// warehouse" when 12 to 9 Pine St were short, placed an order to "123 Main St" for a write-off,
/// and wrote off 1 Monitor of the two the request named. Such a call is not made, and the model is
/// told what the request does give.
///
/// The check is loose on purpose: a number anywhere in the request (in digits or as a word, "a
/// Laptop" being 1) is a quantity it gives, and an address is one if its words appear in it in
/// order, whatever the case and punctuation. It catches invented values, not every misreading.
struct RequestGrounding: Sendable {
    /// The numbers the request states.
    let numbers: Set<Int64>
    private let words: [String]

    init(_ request: String) {
        words = Self.words(Self.unescaped(request))
        var numbers = Set<Int64>()
        var previousTens: Int64?
        for token in words {
            let value = token.allSatisfy(\.isASCII) ? Int64(token) : nil
            let word = Self.numberWords[token]
            if let value = value ?? word { numbers.insert(value) }
            if let tens = previousTens, let unit = word, unit < 10 { numbers.insert(tens + unit) }  // "twenty-five"
            previousTens = word.flatMap { $0 >= 20 && $0 % 10 == 0 && $0 < 100 ? $0 : nil }
        }
        self.numbers = numbers
    }

    /// Why the call's values are not the request's (nil: they are, or the tool takes none).
    func violation(tool: String, arguments: JSONValue) -> String? {
        let given = numbers.isEmpty ? "states no quantity"
            : "states " + numbers.sorted().map(String.init).joined(separator: ", ")
        switch tool {
        case "create_order":
            if let address = arguments["delivery_address"]?.stringValue, !contains(address) {
                // (Not quoted: text the model wrote may be a stored address, which reaches a model only as data.)
                return "not made: that delivery_address is not in the user's request. Copy the address exactly from the "
                    + "request; never make one up. Nothing was changed."
            }
            for (offset, line) in (arguments["items"]?.arrayValue ?? []).enumerated() {
                if let quantity = line["quantity"]?.integerValue, !numbers.contains(quantity) {
                    return "not made: quantity \(quantity) (items[\(offset)]) is not a number in the user's request, which "
                        + "\(given). Order exactly what the request asks; if that cannot be done, report why instead. "
                        + "Nothing was changed."
                }
            }
        case "update_stock":
            if let delta = arguments["delta"]?.integerValue, !numbers.contains(Int64(clamping: delta.magnitude)) {
                return "not made: delta \(delta) is not a quantity in the user's request, which \(given). update_stock changes "
                    + "stock only by a quantity the request states; if it states none, report that instead. Nothing was changed."
            }
        default:
            break
        }
        return nil
    }

    /// Whether `text`'s words appear in the request, in order and together.
    func contains(_ text: String) -> Bool {
        let needle = Self.words(text)
        guard !needle.isEmpty, needle.count <= words.count else { return false }
        return (0...(words.count - needle.count)).contains { start in
            words[start..<(start + needle.count)].elementsEqual(needle)
        }
    }

    /// The text with JSON's `\uXXXX` escapes read back: a request's data blocks write `<` as
    /// `\u003c` (see `UntrustedData`), and "u003c" is no word of the address.
    private static func unescaped(_ text: String) -> String {
        guard text.contains("\\u") else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: "\\u") {
            out += rest[..<range.lowerBound]
            let hex = rest[range.upperBound...].prefix(4)
            if hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
                rest = rest[hex.endIndex...]
            } else {
                out += rest[range]
                rest = rest[range.upperBound...]
            }
        }
        return out + rest
    }

    /// Lowercased runs of letters and digits: punctuation, spacing and JSON syntax do not count
    /// ("St." and "st;" are "st"; `"delivery_address":"456 Elm St"` holds "456 elm st").
    private static func words(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    }

    private static let numberWords: [String: Int64] = {
        var words: [String: Int64] = ["a": 1, "an": 1, "single": 1, "pair": 2, "couple": 2, "dozen": 12, "hundred": 100]
        let units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                     "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
        for (value, word) in units.enumerated() { words[word] = Int64(value) }
        for (index, word) in ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"].enumerated() {
            words[word] = Int64(20 + 10 * index)
        }
        return words
    }()
}
