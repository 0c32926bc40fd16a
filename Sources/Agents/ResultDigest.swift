import JSON

/// Shortens tool results for the models (they pay per token): timestamps, history and derived
/// money fields are dropped; ids, statuses, quantities, stock and totals stay.
enum ResultDigest {
    static let droppedKeys: Set<String> = ["created_at", "updated_at", "history", "currency", "line_total", "unit_price"]

    static func compact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var out = JSONObject()
            for (key, child) in object where !droppedKeys.contains(key) {
                if key == "replayed", child == .bool(false) { continue }
                out[key] = compact(child)
            }
            return .object(out)
        case .array(let items):
            return .array(items.map(compact))
        default:
            return value
        }
    }

    /// A list result in one line, each element with its own fields only: "3 orders: {order_id:
    /// ord_a, status: pending, total: 49.99, delivery_address: 5 Oak St}; …" (nil: not a list, or
    /// longer than `limit` even so). A small manager given the whole list as JSON answered "no
    /// orders are waiting" over three pending ones. A list result is the list tools' shape: one
    /// list and its `count` (an order, with its list of lines, is not one).
    static func listLine(_ result: JSONValue, limit: Int) -> String? {
        guard case .object(let object) = compact(result),
              let (key, elements) = object.entries.lazy.compactMap({ entry in entry.value.arrayValue.map { (entry.key, $0) } }).first,
              object["count"]?.integerValue == Int64(elements.count)
        else { return nil }
        let rendered = elements.map { PlainText.render(ownFields($0)) }
        let line = "\(elements.count) \(key): " + (rendered.isEmpty ? "none" : rendered.joined(separator: "; "))
        return line.count <= limit ? line : nil
    }

    /// An object without its nested objects and lists ("{order_id: …, status: pending, total: …}"
    /// without the order's lines); anything else as it is.
    static func ownFields(_ value: JSONValue) -> JSONValue {
        guard case .object(let fields) = value else { return value }
        var own = JSONObject()
        for (name, field) in fields {
            switch field {
            case .object, .array: continue
            default: own[name] = field
            }
        }
        return .object(own)
    }
}
