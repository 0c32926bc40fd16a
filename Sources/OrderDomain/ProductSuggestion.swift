/// Product ids for "ids" that are a product's name: a caller that wrote "Headphones" where the id
/// belongs (a model reading "2 Headphones and 1 Monitor") is told it is prod3, rather than left to
/// pick from the whole catalogue (a small model then ordered Laptops). Case and a plural "s" or
/// "es" do not matter; nothing is done with the suggestion.
public enum ProductSuggestion {
    /// " By name: 'Headphones' is prod3 (Headphones), 'Monitors' is prod4 (Monitor)." (nil: no
    /// unknown id is a product's name).
    public static func text(for ids: [ProductID], among products: [Product]) -> String? {
        let named = ids.compactMap { id -> String? in
            guard let product = products.first(where: { names(id.rawValue, $0.name) }) else { return nil }
            return "'\(id)' is \(product.id) (\(product.name))"
        }
        guard !named.isEmpty else { return nil }
        return " By name: " + named.joined(separator: ", ") + "."
    }

    /// Whether `typed` is `name`, or its plural, or `name` is the plural of `typed`.
    static func names(_ typed: String, _ name: String) -> Bool {
        let (typed, name) = (typed.lowercased(), name.lowercased())
        guard !typed.isEmpty, !name.isEmpty else { return false }
        return [typed, typed + "s", typed + "es"].contains(name) || [name + "s", name + "es"].contains(typed)
    }
}
