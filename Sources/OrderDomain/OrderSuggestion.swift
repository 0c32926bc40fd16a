/// "Did you mean …?" for an order id that was not found: the orders whose ids are a few typing
/// slips away from it. Ids are 20 random characters, so two real ids are some 19 edits apart and
/// an id within three is almost surely the one meant; the text still names its status and
/// address, so the caller can check it is the right order before acting on it.
public enum OrderSuggestion {
    public static let maxEdits = 3

    /// " Did you mean 'ord_…' (pending, to 456 Elm St)?" (nil: no order is near enough).
    public static func text(near id: OrderID, among orders: [Order]) -> String? {
        let typed = Array(id.rawValue.utf8)
        let near = orders
            .map { (order: $0, edits: editDistance(typed, Array($0.id.rawValue.utf8), limit: maxEdits)) }
            .filter { $0.edits <= maxEdits }
            .sorted { $0.edits < $1.edits }
            .prefix(3)
        guard !near.isEmpty else { return nil }
        let named = near.map { "'\($0.order.id)' (\($0.order.status.rawValue), to \($0.order.deliveryAddress))" }
        return " Did you mean " + named.joined(separator: " or ") + "?"
    }

    /// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`; anything over
    /// `limit` is reported as `limit + 1`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var best = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, before[j - 2] + 1)
                }
                current[j] = value
                best = min(best, value)
            }
            if best > limit { return limit + 1 }
            (before, previous, current) = (previous, current, before)
        }
        return min(previous[b.count], limit + 1)
    }
}
