/// Everything that can go wrong with a tool call that is not a protocol error.
///
/// Each message is written for the language model that made the call: what was wrong, and what
/// to do instead. They become `isError: true` tool results.
public enum OrderError: Error, Sendable, Equatable {
    case productNotFound(ProductID)
    case productsNotFound([ProductID])
    case orderNotFound(OrderID)
    case insufficientStock([Shortage])
    case stockWouldGoNegative(product: ProductID, current: Int64, delta: Int64)
    case stockOutOfRange(product: ProductID, current: Int64, delta: Int64)
    case invalidTransition(order: OrderID, from: OrderStatus, to: OrderStatus)
    case idempotencyConflict(key: String, existing: OrderID)
    case invalidArgument(field: String, problem: String)
    case busy(String)
    case databaseUnavailable(String)
    /// The database became unreachable while a write was being committed.
    case outcomeUnknown(String)
    case storeFailure(String)

    public var message: String {
        switch self {
        case .productNotFound(let id):
            return Self.productNotFoundMessage(id)
        case .productsNotFound(let ids):
            return Self.productsNotFoundMessage(ids)
        case .orderNotFound(let id):
            return Self.orderNotFoundMessage(id)
        case .insufficientStock(let shortages):
            let list = shortages.map { "'\($0.productID)' (\($0.name)): requested \($0.requested), available \($0.available)" }
                .joined(separator: "; ")
            return "insufficient stock: \(list). Nothing was reserved and no order was created. "
                + "Restock first with update_stock to fill it; ordering less needs the customer's consent."
        case .stockWouldGoNegative(let product, let current, let delta):
            return "cannot change the stock of '\(product)' by \(delta): it has \(current) in stock and stock cannot go "
                + "below 0. The smallest allowed delta is \(-current). Nothing was changed."
        case .stockOutOfRange(let product, let current, let delta):
            return "cannot change the stock of '\(product)' by \(delta): it has \(current) in stock and the result "
                + "would exceed the largest stock allowed. Nothing was changed."
        case .invalidTransition(let order, let from, let to):
            let next = from.allowedNext.map { "'\($0.rawValue)'" }
            let allowed = next.isEmpty
                ? "none: '\(from.rawValue)' is final"
                : next.joined(separator: " or ")
            return "cannot move order '\(order)' from '\(from.rawValue)' to '\(to.rawValue)'. "
                + "Allowed next status: \(allowed). Nothing was changed."
        case .idempotencyConflict(let key, let existing):
            return "idempotency_key '\(key)' was already used for order '\(existing)' with different items or address. "
                + "Use a new key for a new order, or resend exactly the original items and address."
        case .invalidArgument(let field, let problem):
            return "invalid arguments: \(field) \(problem). Nothing was changed."
        case .busy(let detail):
            return "the order could not be completed because of concurrent changes (\(detail)). "
                + "Nothing was changed; retry the same call."
        case .databaseUnavailable(let detail):
            return "database unavailable: \(detail). Nothing was changed; retry shortly."
        case .outcomeUnknown(let detail):
            return "database unavailable while the change was being committed (\(detail)): it may or may not have been "
                + "applied. Retry the same call shortly: with the same idempotency_key a retry never creates a second "
                + "order; without one, check with get_order or list_orders first."
        case .storeFailure(let detail):
            return "the database refused the operation: \(detail)."
        }
    }
}

extension OrderError {
    /// The text of `productNotFound`, with an optional "By name: …" (`ProductSuggestion.text`)
    /// after its first sentence.
    public static func productNotFoundMessage(_ id: ProductID, suggestion: String? = nil) -> String {
        "product not found: '\(id)'.\(suggestion ?? "") Use list_products to see the catalogue's product ids."
    }

    /// The text of `productsNotFound`, with an optional "By name: …" after its first sentence.
    public static func productsNotFoundMessage(_ ids: [ProductID], suggestion: String? = nil) -> String {
        let list = ids.map { "'\($0)'" }.joined(separator: ", ")
        return "product(s) not found: \(list).\(suggestion ?? "") Nothing was reserved and no order was created. "
            + "Use list_products to see the catalogue's product ids."
    }

    /// The text of `orderNotFound`, with an optional "Did you mean …?" (`OrderSuggestion.text`)
    /// after its first sentence.
    public static func orderNotFoundMessage(_ id: OrderID, suggestion: String? = nil) -> String {
        "order not found: '\(id)'.\(suggestion ?? "") Order ids look like 'ord_…'; use list_orders to find one (by delivery_address or status)."
    }
}
