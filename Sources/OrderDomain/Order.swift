public struct OrderLine: Hashable, Sendable {
    public let productID: ProductID
    public let name: String
    public let quantity: Int64
    public let unitPrice: Money

    public init(productID: ProductID, name: String, quantity: Int64, unitPrice: Money) {
        self.productID = productID
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
    }

    public var lineTotal: Money { unitPrice * quantity }
}

public struct HistoryEntry: Hashable, Sendable {
    public let status: OrderStatus
    public let at: Timestamp
    public let note: String?

    public init(status: OrderStatus, at: Timestamp, note: String?) {
        self.status = status
        self.at = at
        self.note = note
    }
}

public struct Order: Hashable, Sendable {
    public let id: OrderID
    public var status: OrderStatus
    public let lines: [OrderLine]
    public let deliveryAddress: String
    public let idempotencyKey: String?
    public let createdAt: Timestamp
    public var updatedAt: Timestamp
    public var history: [HistoryEntry]

    public init(id: OrderID, status: OrderStatus, lines: [OrderLine], deliveryAddress: String,
                idempotencyKey: String?, createdAt: Timestamp, updatedAt: Timestamp, history: [HistoryEntry]) {
        self.id = id
        self.status = status
        self.lines = lines
        self.deliveryAddress = deliveryAddress
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.history = history
    }

    public var total: Money { lines.reduce(.zero) { $0 + $1.lineTotal } }

    /// Whether this order was created by `draft`: the same lines (in any order) and address.
    /// An idempotent retry must match; the same key with another payload is a conflict.
    public func matches(_ draft: OrderDraft) -> Bool {
        guard deliveryAddress == draft.deliveryAddress, lines.count == draft.items.count else { return false }
        let mine = Dictionary(lines.map { ($0.productID, $0.quantity) }, uniquingKeysWith: +)
        return draft.items.allSatisfy { mine[$0.productID] == $0.quantity }
    }
}

/// The result of `create_order`.
public struct Placement: Hashable, Sendable {
    public let order: Order
    /// True when an idempotent retry returned the order created earlier, reserving nothing.
    public let replayed: Bool
    public init(order: Order, replayed: Bool) {
        self.order = order
        self.replayed = replayed
    }
}

/// The result of `update_delivery_status`.
public struct StatusUpdate: Hashable, Sendable {
    public let order: Order
    public let previousStatus: OrderStatus
    public var changed: Bool { order.status != previousStatus }
    public init(order: Order, previousStatus: OrderStatus) {
        self.order = order
        self.previousStatus = previousStatus
    }
}
