import JSON

/// How the host tells which product a model's word names, as the ToolServer resolves a name.
enum ProductNaming {
    /// Whether `value` (a product, an order's line, a stock change: anything with `product_id` and
    /// `name`) is the product `product` names: by its id or its name (a plural too), whatever the case.
    static func names(_ value: JSONValue, _ product: String) -> Bool {
        let wanted = product.lowercased()
        let id = value["product_id"]?.stringValue?.lowercased()
        let name = value["name"]?.stringValue?.lowercased()
        return id == wanted || name.map { [$0, $0 + "s", $0 + "es"].contains(wanted) } == true
    }

    /// Whether a phrase's words name the product of `value`: its id, or its name or that name's
    /// plural, as words of the phrase ("the two keyboards", "2 Office Chairs").
    static func isNamed(_ value: JSONValue, in phrase: RequestGrounding) -> Bool {
        let id = value["product_id"]?.stringValue
        let name = value["name"]?.stringValue
        return (id.map(phrase.contains) ?? false) || (name.map { [$0, $0 + "s", $0 + "es"].contains(where: phrase.contains) } ?? false)
    }
}
