public struct Product: Hashable, Sendable {
    public let id: ProductID
    public var name: String
    public var price: Money
    public var stock: Int64

    public init(id: ProductID, name: String, price: Money, stock: Int64) {
        self.id = id
        self.name = name
        self.price = price
        self.stock = stock
    }
}

/// The result of `update_stock`.
public struct StockAdjustment: Hashable, Sendable {
    public let product: Product
    public let previousStock: Int64
    public let delta: Int64
    public let reason: String?

    public init(product: Product, previousStock: Int64, delta: Int64, reason: String?) {
        self.product = product
        self.previousStock = previousStock
        self.delta = delta
        self.reason = reason
    }
}
