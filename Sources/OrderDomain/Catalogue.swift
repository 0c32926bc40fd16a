import JSON

/// Product catalogues for `ToolServer seed`.
public enum Catalogue {
    /// The catalogue of the Python demo this project replaces, with prices.
    public static let demo: [Product] = [
        ("prod1", "Laptop", 99_999, 10),
        ("prod2", "Smartphone", 59_999, 15),
        ("prod3", "Headphones", 9_999, 30),
        ("prod4", "Monitor", 24_999, 8),
        ("prod5", "Keyboard", 4_999, 25),
    ].compactMap { id, name, cents, stock in
        ProductID(id).map { Product(id: $0, name: name, price: Money(minorUnits: cents), stock: stock) }
    }

    /// The highest unit price: with at most 100 lines of 100000 units, every order total then stays
    /// far inside the range where the JSON number of its cents is exact.
    public static let maxPrice = Money(minorUnits: 100_000_000)

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads a seed file: a JSON array of `{"product_id", "name", "price", "stock"}` (or an object
    /// with such an array under "products"). Prices are decimal amounts like 999.99.
    public static func parse(_ json: JSONValue) throws(ParseError) -> [Product] {
        let list: [JSONValue]
        if let array = json.arrayValue {
            list = array
        } else if let array = json["products"]?.arrayValue {
            list = array
        } else {
            throw ParseError(description: "expected a JSON array of products, or {\"products\": [...]}")
        }
        var products: [Product] = []
        var seen = Set<ProductID>()
        for (offset, entry) in list.enumerated() {
            func fail(_ message: String) -> ParseError { ParseError(description: "products[\(offset)]: \(message)") }
            guard let object = entry.objectValue else { throw fail("must be an object") }
            guard let idValue = object["product_id"] ?? object["_id"] else { throw fail("product_id is missing") }
            guard let rawID = idValue.stringValue else { throw fail("product_id must be a string") }
            guard let id = ProductID(rawID) else { throw fail("product_id '\(rawID)' must be \(Identifier.pattern.hint)") }
            guard seen.insert(id).inserted else { throw fail("product_id '\(rawID)' appears twice") }
            guard let name = object["name"]?.stringValue, !name.isEmpty, name.count <= 200 else {
                throw fail("name must be a string of 1-200 characters")
            }
            guard let priceValue = object["price"], let price = Money(json: priceValue), price <= maxPrice else {
                throw fail("price must be an amount from 0 to \(maxPrice) with at most 2 decimals, e.g. 999.99")
            }
            guard let stock = object["stock"]?.integerValue, stock >= 0, stock <= 1_000_000_000 else {
                throw fail("stock must be an integer from 0 to 1000000000")
            }
            products.append(Product(id: id, name: name, price: price, stock: stock))
        }
        return products
    }
}
