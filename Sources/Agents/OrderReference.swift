import JSON
import Synchronization

/// An order named by what the request says of it, in place of an id: a typed delegation's
/// `order_id` given as `{"delivery_address": "Lindenweg 4"}` or `{"product_id": "prod5"}`. The host
/// finds it with a filtered `list_orders` and makes the call only on the one order that matches;
/// none or several end the request with what was found, nothing changed. Given only a string, a
/// 1.5B manager wrote a made-up `"12345"` for every order the request named by address; handed
/// a list, it took the first order in it, right or not.
struct OrderReference: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case deliveryAddress = "delivery_address"
        case product = "product_id"
    }

    let kind: Kind
    let value: String

    /// Nil unless `orderID` is such an object, with exactly one of the kinds and a non-blank value.
    init?(_ orderID: JSONValue?) {
        guard case .object(let object)? = orderID, object.count == 1, let (key, field) = object.entries.first,
              let kind = Kind(rawValue: key), let text = field.stringValue,
              text.contains(where: { !$0.isWhitespace }) else { return nil }
        self.kind = kind
        value = text
    }

    /// The lookup: orders to the address (the server compares addresses as a person reads them),
    /// or the newest orders, for the host to read their lines.
    var lookup: CallKey {
        switch kind {
        case .deliveryAddress: CallKey(name: "list_orders", arguments: ["delivery_address": .string(value), "limit": .int(Self.limit)])
        case .product: CallKey(name: "list_orders", arguments: ["limit": .int(Self.limit)])
        }
    }

    /// The most orders a lookup lists (list_orders' own maximum).
    static let limit: Int64 = 100

    /// The orders of a `list_orders` result this reference names: all of them for an address (the
    /// server filtered), those with a line of the product (by id, or by its name or that name's
    /// plural, in any case) for a product.
    func matches(in result: JSONValue) -> [JSONValue] {
        let orders = result["orders"]?.arrayValue ?? []
        switch kind {
        case .deliveryAddress: return orders
        case .product:
            return orders.filter { order in (order["items"]?.arrayValue ?? []).contains { ProductNaming.names($0, value) } }
        }
    }

    /// What the request said, as the answer names it: "to Lindenweg 4", "with prod5".
    var described: String { kind == .deliveryAddress ? "to \(value)" : "with \(value)" }

    /// Why a named order is not acted on: none or several matched, or the lookup failed.
    struct Unresolved: Error, Sendable, Equatable {
        let message: String
    }

    /// The key of a delegation's result that names no single order (see `UnresolvedOrderEnds`).
    static let unresolvedKey = "unresolved_order"

    /// The id of the one order of a `list_orders` result this reference names; or why there is
    /// not exactly one.
    func resolve(_ result: JSONValue) -> Result<String, Unresolved> {
        // A full page may leave out older orders: one match in it need not be the only one.
        if kind == .product, (result["orders"]?.arrayValue?.count ?? 0) >= Int(Self.limit) {
            return .failure(Unresolved(message: "Too many orders to tell the one \(described) by its contents, so nothing was "
                + "changed. Which order is it (its id or address)?"))
        }
        let found = matches(in: result)
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
    /// results so far gave; none: no id can be written) or a reference of either kind.
    static func orderIDSchema(known: [String]) -> JSONValue {
        var choices: [JSONValue] = known.isEmpty ? [] : [["type": "string", "enum": .array(known.map { .string($0) })]]
        choices += Kind.allCases.map { kind in
            ["type": "object", "properties": [kind.rawValue: ["type": "string", "minLength": 1]],
             "required": [.string(kind.rawValue)], "additionalProperties": false]
        }
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
