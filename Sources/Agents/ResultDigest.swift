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
}
