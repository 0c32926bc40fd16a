/// Product ids for "ids" that are a product's name: a caller that wrote "Headphones" where the id
/// belongs (a model reading "2 Headphones and 1 Monitor") is told it is prod3, rather than left to
/// pick from the whole catalogue (a small model then ordered Laptops). Case and a plural "s" or
/// "es" do not matter; nothing is done with the suggestion. An order's id where a product's
/// belongs is named as one: a small inventory agent sent to "check" order ord_… for shipping
/// asked check_stock for it, and again, told only to list the products.
public enum ProductSuggestion {
    /// " By name: 'Headphones' is prod3 (Headphones), 'Monitors' is prod4 (Monitor)." and/or
    /// " 'ord_…' is an order id, not a product's: …" (nil: no unknown id is either).
    public static func text(for ids: [ProductID], among products: [Product]) -> String? {
        let named = ids.compactMap { id -> String? in
            guard let product = products.first(where: { names(id.rawValue, $0.name) }) else { return nil }
            return "'\(id)' is \(product.id) (\(product.name))"
        }
        let orders = ids.filter { $0.rawValue.hasPrefix(OrderID.prefix) }
        var text = named.isEmpty ? "" : " By name: " + named.joined(separator: ", ") + "."
        if !orders.isEmpty {
            text += " " + orders.map { "'\($0)'" }.joined(separator: ", ")
                + " \(orders.count == 1 ? "is an order id" : "are order ids"), not a product's: orders are looked up with get_order."
        }
        return text.isEmpty ? nil : text
    }

    /// The product each of `ids` names, when every one is the name (or its plural, in any case) of
    /// exactly one product: "Headphones" → prod3. Nil when any id names no product or several.
    public static func resolution(for ids: [ProductID], among products: [Product]) -> [ProductID: ProductID]? {
        var resolved: [ProductID: ProductID] = [:]
        for id in ids {
            let named = products.filter { names(id.rawValue, $0.name) }
            guard named.count == 1 else { return nil }
            resolved[id] = named[0].id
        }
        return resolved.isEmpty ? nil : resolved
    }

    /// Whether `typed` is `name`, or its plural, or `name` is the plural of `typed`.
    static func names(_ typed: String, _ name: String) -> Bool {
        let (typed, name) = (typed.lowercased(), name.lowercased())
        guard !typed.isEmpty, !name.isEmpty else { return false }
        return [typed, typed + "s", typed + "es"].contains(name) || [name + "s", name + "es"].contains(typed)
    }
}
