/// Where an order is in its life.
///
///     pending ──▶ in_transit ──▶ delivered
///        │            │
///        └────────────┴──▶ cancelled
public enum OrderStatus: String, CaseIterable, Sendable, Hashable {
    case pending
    case inTransit = "in_transit"
    case delivered
    case cancelled

    /// The statuses an order may move to next.
    public var allowedNext: [OrderStatus] {
        switch self {
        case .pending: [.inTransit, .cancelled]
        case .inTransit: [.delivered, .cancelled]
        case .delivered, .cancelled: []
        }
    }

    public var isFinal: Bool { allowedNext.isEmpty }

    /// The statuses an order can be moved to: every one but `pending`, which only a new order has.
    /// Leaving it out of update_delivery_status's enum keeps a caller (a small model told to
    /// "ship" a pending order) from setting the status it already has and calling that a success.
    public static let targets: [OrderStatus] = allCases.filter { $0 != .pending }
}

/// What a requested status change means for an order in a given status.
public enum Transition: Equatable, Sendable {
    /// The order already has that status: nothing to do, and that is a success.
    case unchanged
    case apply(from: OrderStatus, to: OrderStatus, restocks: Bool)

    public static func decide(order: OrderID, from current: OrderStatus, to requested: OrderStatus) throws(OrderError) -> Transition {
        if current == requested { return .unchanged }
        guard current.allowedNext.contains(requested) else {
            throw .invalidTransition(order: order, from: current, to: requested)
        }
        return .apply(from: current, to: requested, restocks: requested == .cancelled)
    }
}
