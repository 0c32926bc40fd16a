import JSON

/// The values a sub-agent's write must take from the user's request: every quantity of a
/// `create_order` and its address, the size of an `update_stock` delta, and a word asking for an
/// `update_delivery_status`'s status ("ship" for in_transit, "cancel", "delivered"). A small model made
/// them up where the request did not give them: it ordered the 10 Laptops available to "Our
/// warehouse" when 12 to 9 Pine St were short, placed an order to "123 Main St" for a write-off,
/// and wrote off 1 Monitor of the two the request named. Such a call is not made, and the model is
/// told what the request does give.
///
/// The check is loose on purpose: a number anywhere in the request (in digits or as a word; "a
/// Laptop" is 1 for an order) is a quantity it gives, an address is one if its words appear in it in
/// order, whatever the case and punctuation, and a status is asked for if one of its words is
/// anywhere in the request ("do not ship" too). It catches invented writes, not every misreading.
struct RequestGrounding: Sendable {
    /// The numbers the request states, in digits or words.
    let numbers: Set<Int64>
    /// Whether it says "a", "an" or "single", which is 1 for an order's line ("a Laptop") but no
    /// stock change (told "a refund instead of a new shipment", a small manager wrote off 1).
    private let saysOne: Bool
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
        saysOne = words.contains { ["a", "an", "single"].contains($0) }
    }

    /// Why the call's values are not the request's (nil: they are, or the tool takes none).
    func violation(tool: String, arguments: JSONValue) -> String? {
        switch tool {
        case "create_order":
            if let address = arguments["delivery_address"]?.stringValue, !contains(address) {
                // (Not quoted: text the model wrote may be a stored address, which reaches a model only as data.)
                return "not made: that delivery_address is not in the user's request. Copy the address exactly from the "
                    + "request; never make one up. Nothing was changed."
            }
            for (offset, line) in (arguments["items"]?.arrayValue ?? []).enumerated() {
                if let quantity = line["quantity"]?.integerValue, !numbers.contains(quantity), !(quantity == 1 && saysOne) {
                    return "not made: quantity \(quantity) (items[\(offset)]) is not a number in the user's request, which "
                        + "\(given). Order exactly what the request asks; if that cannot be done, report why instead. "
                        + "Nothing was changed."
                }
            }
        case "update_delivery_status":
            if let status = arguments["status"]?.stringValue, let asking = Self.statusWords[status],
               !words.contains(where: asking.contains) {
                return "not made: the user's request does not ask for \(status) (it says none of "
                    + asking.sorted().joined(separator: ", ") + "). Change only what the request asks for; if that is done, "
                    + "give your final answer. Nothing was changed."
            }
        case "update_stock":
            if let delta = arguments["delta"]?.integerValue, !numbers.contains(Int64(clamping: delta.magnitude)) {
                // With one number to take, the call it is: told only "the request states 2", a small
                // model wrote off 1 again, then 0.
                let meant = numbers.count == 1 ? numbers.first.map { " Did you mean delta \(delta < 0 ? -$0 : $0)?" } ?? "" : ""
                return "not made: delta \(delta) is not a quantity in the user's request, which \(given).\(meant) update_stock "
                    + "changes stock only by a quantity the request states; if it states none, report that instead. Nothing was changed."
            }
        default:
            break
        }
        return nil
    }

    /// What the request states, for a refusal: "states 2, 12" or "states no quantity".
    private var given: String {
        numbers.isEmpty ? "states no quantity" : "states " + numbers.sorted().map(String.init).joined(separator: ", ")
    }

    /// A read's arguments without a filter the request does not give, and what to tell the model
    /// (nil: nothing to leave out). A small model filled `list_orders`' `delivery_address` with
    /// "None", an order id or an address of its own, and reported that there were no orders; a
    /// read without the filter only shows more.
    func readWithoutUngroundedFilters(tool: String, arguments: JSONValue) -> (arguments: JSONValue, note: String)? {
        guard tool == "list_orders", case .object(var object) = arguments,
              let address = object["delivery_address"]?.stringValue, !contains(address) else { return nil }
        object["delivery_address"] = nil
        return (.object(object), "(The delivery_address you gave is not in the user's request, so it was left out: "
            + "these are the orders without it.)")
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

    /// The words that ask for each status (as lowercased words of the request). A small manager
    /// shipped and then "delivered" an order it was only asked to create, and shipped an order
    /// for a write-off.
    private static let statusWords: [String: Set<String>] = [
        "in_transit": ["ship", "ships", "shipped", "shipping", "send", "sent", "dispatch", "dispatched", "transit"],
        "delivered": ["delivered"],
        "cancelled": ["cancel", "cancels", "cancelled", "canceled", "cancelling", "canceling", "cancellation"],
    ]

    private static let numberWords: [String: Int64] = {
        var words: [String: Int64] = ["pair": 2, "couple": 2, "dozen": 12, "hundred": 100]
        let units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                     "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
        for (value, word) in units.enumerated() { words[word] = Int64(value) }
        for (index, word) in ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"].enumerated() {
            words[word] = Int64(20 + 10 * index)
        }
        return words
    }()
}
