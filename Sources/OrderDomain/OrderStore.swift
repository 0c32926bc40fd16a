/// Where products and orders live. The MongoDB implementation is in `MongoStore`; the domain and
/// the tools only see this protocol.
///
/// Every method is atomic from a client's point of view: it either does all it says or changes
/// nothing and throws.
public protocol OrderStore: Sendable {
    func product(_ id: ProductID) async throws(OrderError) -> Product
    /// Products by id, at most `limit`, optionally only those with `stock < lowStockBelow`.
    func products(limit: Int, lowStockBelow: Int64?) async throws(OrderError) -> [Product]
    /// Adds `delta` to the stock; refuses a result below zero.
    func adjustStock(_ id: ProductID, by delta: Int64, reason: String?) async throws(OrderError) -> StockAdjustment
    /// Reserves the stock of every line and records the order, or does neither.
    func placeOrder(_ draft: OrderDraft) async throws(OrderError) -> Placement
    func order(_ id: OrderID) async throws(OrderError) -> Order
    /// Orders, newest first, at most `limit`, optionally only those with `status` or to `address`.
    func orders(status: OrderStatus?, address: AddressQuery?, limit: Int) async throws(OrderError) -> [Order]
    /// Moves an order to `status`; cancelling returns its stock exactly once.
    func changeStatus(of id: OrderID, to status: OrderStatus, note: String?) async throws(OrderError) -> StatusUpdate
    /// Inserts or replaces products by id.
    func upsert(_ products: [Product]) async throws(OrderError) -> SeedReport
}

public struct SeedReport: Hashable, Sendable {
    public let inserted: Int
    public let updated: Int
    public init(inserted: Int, updated: Int) {
        self.inserted = inserted
        self.updated = updated
    }
}
