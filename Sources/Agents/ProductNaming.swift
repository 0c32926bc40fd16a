import JSON

/// How the host tells which product a model's word names, as the ToolServer resolves a name.
enum ProductNaming {
    /// Whether `value` (a product, an order's line, a stock change: anything with `product_id` and
    /// `name`) is the product `product` names: by its id or its name (a plural too), whatever the case.
    static func names(_ value: JSONValue, _ product: String) -> Bool {
        spellings(of: value).contains { $0.lowercased() == product.lowercased() }
    }

    /// Whether a phrase's words name the product of `value`: its id, or its name or that name's
    /// plural, as words of the phrase ("the two keyboards", "2 Office Chairs").
    static func isNamed(_ value: JSONValue, in phrase: RequestGrounding) -> Bool {
        spellings(of: value).contains(where: phrase.contains)
    }

    /// The ways a product is named: its id, its name, and that name's plurals.
    private static func spellings(of value: JSONValue) -> [String] {
        let name = value["name"]?.stringValue.map { [$0, $0 + "s", $0 + "es"] } ?? []
        return (value["product_id"]?.stringValue.map { [$0] } ?? []) + name
    }
}
