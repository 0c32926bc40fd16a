/// A validated `create_order` request: 1–100 distinct lines, quantities 1–100000, an address.
public struct OrderDraft: Hashable, Sendable {
    public struct Item: Hashable, Sendable {
        public let productID: ProductID
        public let quantity: Int64
        public init(productID: ProductID, quantity: Int64) {
            self.productID = productID
            self.quantity = quantity
        }
    }

    public let items: [Item]
    public let deliveryAddress: String
    public let idempotencyKey: String?

    public init(items: [Item], deliveryAddress: String, idempotencyKey: String?) {
        self.items = items
        self.deliveryAddress = deliveryAddress
        self.idempotencyKey = idempotencyKey
    }

    /// Prices the draft against the current catalogue and checks stock, without changing anything.
    ///
    /// Every unknown product and every short line is reported at once, so that a client can fix
    /// its whole call in one go.
    public func plan(catalogue: [ProductID: Product]) throws(OrderError) -> [OrderLine] {
        let missing = items.map(\.productID).filter { catalogue[$0] == nil }
        if !missing.isEmpty { throw .productsNotFound(missing) }
        var shortages: [Shortage] = []
        var lines: [OrderLine] = []
        for item in items {
            guard let product = catalogue[item.productID] else { continue }
            if product.stock < item.quantity {
                shortages.append(Shortage(productID: product.id, name: product.name,
                                          requested: item.quantity, available: max(0, product.stock)))
            }
            lines.append(OrderLine(productID: product.id, name: product.name, quantity: item.quantity,
                                   unitPrice: product.price))
        }
        if !shortages.isEmpty { throw .insufficientStock(shortages) }
        return lines
    }
}

public struct Shortage: Hashable, Sendable {
    public let productID: ProductID
    public let name: String
    public let requested: Int64
    public let available: Int64
    public init(productID: ProductID, name: String, requested: Int64, available: Int64) {
        self.productID = productID
        self.name = name
        self.requested = requested
        self.available = available
    }
}
