import JSON

/// An order as it is in the database at the end of a run.
public struct ActualOrder: Sendable, Hashable {
    public var id: String
    /// As stored; besides the four statuses, `reserving` or `rolling_back` would be a leftover of
    /// an interrupted write.
    public var status: String
    public var items: [String: Int64]
    public var address: String

    public init(id: String, status: String, items: [String: Int64], address: String) {
        self.id = id
        self.status = status
        self.items = items
        self.address = address
    }
}

/// What the judge looks at after a run: the database, read directly (not through the tools under
/// test), and what the run did.
public struct Observation: Sendable, Hashable {
    public var stock: [String: Int64]
    public var orders: [ActualOrder]
    public var answer: String
    /// Set when the run failed (the model endpoint or the tool server failed).
    public var failure: String?
    /// The write tools that were called successfully, in order.
    public var writes: [String]

    public init(stock: [String: Int64], orders: [ActualOrder], answer: String, failure: String? = nil, writes: [String] = []) {
        self.stock = stock
        self.orders = orders
        self.answer = answer
        self.failure = failure
        self.writes = writes
    }

    /// The stock and orders from the raw documents of the `products` and `orders` collections
    /// (`{_id, stock}` and `{_id, status, lines: [{product_id, quantity}], delivery_address}`).
    public static func databaseState(products: [JSONValue], orders: [JSONValue]) -> (stock: [String: Int64], orders: [ActualOrder]) {
        var stock: [String: Int64] = [:]
        for product in products {
            guard let id = product["_id"]?.stringValue, let units = product["stock"]?.integerValue else { continue }
            stock[id] = units
        }
        let actual = orders.map { document -> ActualOrder in
            var items: [String: Int64] = [:]
            for line in document["lines"]?.arrayValue ?? [] {
                guard let product = line["product_id"]?.stringValue else { continue }
                items[product, default: 0] += line["quantity"]?.integerValue ?? 0
            }
            return ActualOrder(id: document["_id"]?.stringValue ?? "?", status: document["status"]?.stringValue ?? "?", items: items,
                               address: document["delivery_address"]?.stringValue ?? "")
        }
        return (stock, actual)
    }
}
