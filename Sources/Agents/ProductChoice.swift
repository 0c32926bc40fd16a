import JSON

/// The shop's products as a closed choice where a typed delegation names one: each `product_id`
/// of the call's schema becomes an `enum` of the catalogue's ids plus `notSold`, and the delegate
/// tool's description lists each id with its name. A server that holds replies to a schema then
/// lets a small manager write only an id the shop has: asked for "auriculares" or "Kopfhörer", it
/// must pick among "prod3 (Headphones)" and the rest rather than write the word it read (the
/// ToolServer resolves a product's own name, in the catalogue's language only). `notSold` is the
/// way out for a product the shop does not have, so that a closed choice does not silently turn
/// "tablets" into something else: `ProductNotSold` refuses such a delegation.
struct ProductChoice: Sendable, Equatable {
    struct Product: Sendable, Equatable {
        let id: String
        let name: String
    }

    let products: [Product]

    /// The choice that stands for a product not in the catalogue.
    static let notSold = "not_in_catalogue"

    /// Past this many products the list would crowd a small model's context (n_ctx 4096 a slot
    /// locally): the ids stay free strings, and the ToolServer resolves names as for any client.
    static let maxProducts = 40

    /// Nil when there is nothing to choose from or too much to list.
    init?(_ products: [Product]) {
        guard !products.isEmpty, products.count <= Self.maxProducts else { return nil }
        self.products = products
    }

    /// `prod1 (Laptop), prod2 (Smartphone)`.
    var listing: String { products.map { "\($0.id) (\($0.name))" }.joined(separator: ", ") }

    /// What the delegate tool's description adds.
    var sentence: String {
        "A product_id is one of the shop's products: \(listing); or \(Self.notSold) for a product it does not sell."
    }

    /// `schema` with every string `product_id` property, at any depth, closed to the catalogue's ids and `notSold`.
    func constrain(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(var object):
            for (key, value) in object {
                if key == "properties", case .object(var properties) = value {
                    for (name, property) in properties {
                        properties[name] = name == "product_id" && property["type"]?.stringValue == "string"
                            ? closed(property) : constrain(property)
                    }
                    object[key] = .object(properties)
                } else {
                    object[key] = constrain(value)
                }
            }
            return .object(object)
        case .array(let elements):
            return .array(elements.map(constrain))
        default:
            return schema
        }
    }

    private func closed(_ property: JSONValue) -> JSONValue {
        var object = property.objectValue ?? [:]
        object["enum"] = .array((products.map(\.id) + [Self.notSold]).map { .string($0) })
        for bound in ["minLength", "maxLength", "pattern"] { object[bound] = nil }
        return .object(object)
    }

    /// Whether a call's arguments name `notSold` as a product, at any depth.
    static func namesNotSold(_ arguments: JSONValue) -> Bool {
        switch arguments {
        case .object(let object):
            object.contains { key, value in key == "product_id" ? value.stringValue == notSold : namesNotSold(value) }
        case .array(let elements):
            elements.contains(where: namesNotSold)
        default:
            false
        }
    }
}
