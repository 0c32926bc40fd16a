import JSON
import Synchronization

/// An order named by what the request says of it, in place of an id: a typed delegation's
/// `order_id` given as `{"described_as": "the two keyboards"}` or `{"described_as": "Lindenweg 4"}`,
/// the request's own words for it. The host finds it with `list_orders` and makes the call only on
/// the one order that matches; none or several end the request with what was found, nothing
/// changed. Given only a string, a 1.5B manager wrote a made-up `"12345"` for every order the
/// request named by address; handed a list, it took the first order in it, right or not; offered
/// an address or a product to name it by, it wrote what it had as an address ("customer", "2nd
/// monitor"), and never the product.
struct OrderReference: Sendable, Equatable {
    /// The request's words for the order: its address, or what is in it.
    let words: String

    static let key = "described_as"

    /// Nil unless `orderID` is `{"described_as": words}`, the words not blank.
    init?(_ orderID: JSONValue?) {
        guard case .object(let object)? = orderID, object.count == 1, let text = object[Self.key]?.stringValue,
              text.contains(where: { !$0.isWhitespace }) else { return nil }
        words = text
    }

    /// The first lookup: orders to the address the words are (the server compares addresses as a
    /// person reads them), among all orders.
    var byAddress: CallKey {
        CallKey(name: "list_orders", arguments: ["delivery_address": .string(words), "limit": .int(Self.limit)])
    }

    /// Then, when no order goes to that address: the newest orders, for the host to read their
    /// addresses and lines (see `matches(in:)`).
    static let newest = CallKey(name: "list_orders", arguments: ["limit": .int(limit)])

    /// The most orders a lookup lists (list_orders' own maximum).
    static let limit: Int64 = 100

    /// The orders of an unfiltered `list_orders` result the words name: those whose address they
    /// hold; else those with a line of every product they name (by id, or by its name or that
    /// name's plural, in any case), and when that is several, those with a line of a quantity they
    /// state ("the four monitors"), if any is.
    func matches(in result: JSONValue) -> [JSONValue] {
        let orders = result["orders"]?.arrayValue ?? []
        let phrase = RequestGrounding(words)
        let toAddress = orders.filter { $0["delivery_address"]?.stringValue.map(phrase.contains) == true }
        if !toAddress.isEmpty { return toAddress }
        func lines(_ order: JSONValue) -> [JSONValue] { order["items"]?.arrayValue ?? [] }
        let named = Set(orders.flatMap(lines).filter { ProductNaming.isNamed($0, in: phrase) }.compactMap { $0["product_id"]?.stringValue })
        guard !named.isEmpty else { return [] }
        let holding = orders.filter { order in named.isSubset(of: lines(order).compactMap { $0["product_id"]?.stringValue }) }
        guard holding.count > 1 else { return holding }
        let counted = holding.filter { order in
            lines(order).contains { line in
                line["product_id"]?.stringValue.map(named.contains) == true && line["quantity"]?.integerValue.map(phrase.numbers.contains) == true
            }
        }
        return counted.isEmpty ? holding : counted
    }

    /// What the request said, as the answer names it: `described as "the two keyboards"`.
    var described: String { "described as \"\(words)\"" }

    /// Why a named order is not acted on: none or several matched, or the lookup failed.
    struct Unresolved: Error, Sendable, Equatable {
        let message: String
    }

    /// The key of a delegation's result that names no single order (see `UnresolvedOrderEnds`).
    static let unresolvedKey = "unresolved_order"

    /// The id of the one order a `list_orders` result names: every order of it when the server
    /// filtered it by address (`byAddress`), else those `matches(in:)` finds; of several, the one
    /// that can still be set to `status` (not already there, delivered or cancelled), if only
    /// one can. Or why there is not exactly one.
    func resolve(_ result: JSONValue, filtered: Bool, status: String? = nil) -> Result<String, Unresolved> {
        // A full page may leave out older orders: one match in it need not be the only one.
        if !filtered, (result["orders"]?.arrayValue?.count ?? 0) >= Int(Self.limit) {
            return .failure(Unresolved(message: "Too many orders to tell the one \(described), so nothing was "
                + "changed. Which order is it (its id or address)?"))
        }
        var found = filtered ? result["orders"]?.arrayValue ?? [] : matches(in: result)
        if found.count > 1, let status {
            let open = found.filter { ![status, "delivered", "cancelled"].contains($0["status"]?.stringValue ?? status) }
            if !open.isEmpty { found = open }
        }
        if found.count == 1, let id = found[0]["order_id"]?.stringValue { return .success(id) }
        if found.isEmpty { return .failure(Unresolved(message: "No order \(described) was found, so nothing was changed. Which order is it (its id)?")) }
        let listed = found.map(Self.summary).joined(separator: "; ")
        return .failure(Unresolved(message: "\(found.count) orders \(described): \(listed). Nothing was changed: which one is it (its id)?"))
    }

    /// "ord_… (2 × Keyboard, pending, 4 Birch Close)".
    static func summary(_ order: JSONValue) -> String {
        let lines = (order["items"]?.arrayValue ?? []).map { line in
            "\(line["quantity"]?.integerValue ?? 0) × \(line["name"]?.stringValue ?? line["product_id"]?.stringValue ?? "?")"
        }
        let details = [lines.joined(separator: ", "), order["status"]?.stringValue, order["delivery_address"]?.stringValue]
            .compactMap { $0 }.filter { !$0.isEmpty }
        return "\(order["order_id"]?.stringValue ?? "?") (\(details.joined(separator: ", ")))"
    }

    /// The schema of a typed delegation's `order_id`: one of `known` (the ids the request and the
    /// results so far gave; none: no id can be written) or a reference.
    static func orderIDSchema(known: [String]) -> JSONValue {
        let choices: [JSONValue] = (known.isEmpty ? [] : [["type": "string", "enum": .array(known.map { .string($0) })]])
            + [["type": "object", "properties": [key: ["type": "string", "minLength": 1]], "required": [.string(key)],
                "additionalProperties": false]]
        return ["anyOf": .array(choices)]
    }
}

/// The order ids an instruction has given so far: written in the request (or the conversation
/// before it), and in the results of its tool calls. A small manager's typed delegation may name
/// only these (see `OrderReference.orderIDSchema`).
final class OrderIDsSeen: Sendable {
    private let ids: Mutex<[String]>

    /// The ids in `text`: its words of an id's characters with a letter, a digit and an underscore
    /// or hyphen, 8 to 64 long ("ord_4k2x9m3p…"), whatever the language around them.
    init(text: String = "") {
        ids = Mutex(Self.ids(in: text))
    }

    var all: [String] { ids.withLock { $0 } }

    /// Keeps the `order_id` values found anywhere in a result.
    func note(_ result: JSONValue) {
        var found: [String] = []
        func visit(_ value: JSONValue, key: String?) {
            switch value {
            case .object(let object): for (name, child) in object { visit(child, key: name) }
            case .array(let elements): for element in elements { visit(element, key: key) }
            case .string(let text) where key == "order_id": found.append(text)
            default: break
            }
        }
        visit(result, key: nil)
        add(found)
    }

    /// Keeps the ids written in a text (an error's "Did you mean 'ord_…'?").
    func note(text: String) {
        add(Self.ids(in: text))
    }

    private func add(_ found: [String]) {
        guard !found.isEmpty else { return }
        ids.withLock { ids in
            for id in found where !ids.contains(id) { ids.append(id) }
        }
    }

    static func ids(in text: String) -> [String] {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")
        var out: [String] = []
        for word in text.split(whereSeparator: { !allowed.contains($0) }) {
            var id = String(word)
            while let last = id.last, ".:-".contains(last) { id.removeLast() }  // a sentence's own punctuation
            guard (8...64).contains(id.count), id.contains(where: \.isLetter), id.contains(where: \.isNumber),
                  id.contains(where: { $0 == "_" || $0 == "-" }), !out.contains(id) else { continue }
            out.append(id)
        }
        return out
    }
}
