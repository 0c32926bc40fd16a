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
    /// orders are waiting" over three pending ones.
    static func listLine(_ result: JSONValue, limit: Int) -> String? {
        guard case .object(let object) = compact(result),
              let (key, elements) = object.entries.lazy.compactMap({ entry in entry.value.arrayValue.map { (entry.key, $0) } }).first
        else { return nil }
        let rendered = elements.map { element -> String in
            guard case .object(let fields) = element else { return PlainText.render(element) }
            var own = JSONObject()
            for (name, value) in fields {
                switch value {
                case .object, .array: continue
                default: own[name] = value
                }
            }
            return PlainText.render(.object(own))
        }
        let line = "\(elements.count) \(key): " + (rendered.isEmpty ? "none" : rendered.joined(separator: "; "))
        return line.count <= limit ? line : nil
    }
}
