import JSON

/// A tool's arguments, checked against the tool's input schema and decoded into domain values.
///
/// The schema is both what `tools/list` publishes and what `init(arguments:)` enforces, so a client
/// that follows the published schema is never refused for a reason it could not see.
public protocol Command: Sendable {
    static var inputSchema: JSONSchema { get }
    init(validated arguments: JSONObject) throws(OrderError)
}

extension Command {
    public init(arguments: JSONObject) throws(OrderError) {
        if let violation = Self.inputSchema.validate(.object(arguments)) {
            throw .invalidArgument(field: violation.path.isEmpty ? "arguments" : violation.path, problem: violation.message)
        }
        try self.init(validated: arguments)
    }
}

enum Field {
    static let productID = JSONSchema.string(minLength: 1, maxLength: 64, pattern: Identifier.pattern,
                                             description: "Product id.", examples: ["prod1"])
    static let orderID = JSONSchema.string(minLength: 1, maxLength: 64, pattern: Identifier.pattern,
                                           description: "Order id as returned by create_order.",
                                           examples: ["ord_4k2x9m3p7q8r5s6t7v8w"])
    static let status = JSONSchema.string(enumeration: OrderStatus.allCases.map(\.rawValue),
                                          description: "Order status.")
    static let freeText = StringPattern(regex: "^[^\\u0000-\\u001f\\u007f]*$", hint: "text without control characters",
                                        matches: { !$0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } })

    static func text(_ maxLength: Int, _ description: String, examples: [String] = []) -> JSONSchema {
        .string(minLength: 1, maxLength: maxLength, pattern: freeText, description: description, examples: examples)
    }

    /// Reads a value that schema validation has already checked; a mismatch here is a bug in the
    /// schema, reported as a client-visible argument error rather than a crash.
    static func string(_ arguments: JSONObject, _ key: String) throws(OrderError) -> String {
        guard let value = arguments[key]?.stringValue else { throw .invalidArgument(field: key, problem: "must be a string") }
        return value
    }

    static func integer(_ arguments: JSONObject, _ key: String) throws(OrderError) -> Int64 {
        guard let value = arguments[key]?.integerValue else { throw .invalidArgument(field: key, problem: "must be an integer") }
        return value
    }

    static func productID(_ text: String, field: String) throws(OrderError) -> ProductID {
        guard let id = ProductID(text) else { throw .invalidArgument(field: field, problem: "is not a valid product id") }
        return id
    }

    static func orderID(_ text: String, field: String) throws(OrderError) -> OrderID {
        guard let id = OrderID(text) else { throw .invalidArgument(field: field, problem: "is not a valid order id") }
        return id
    }
}

public struct CheckStockCommand: Command {
    public let productID: ProductID
    public static let inputSchema = JSONSchema.object(
        properties: [.init("product_id", Field.productID)], required: ["product_id"])
    public init(validated arguments: JSONObject) throws(OrderError) {
        productID = try Field.productID(Field.string(arguments, "product_id"), field: "product_id")
    }
}

public struct UpdateStockCommand: Command {
    public static let maxDelta: Int64 = 1_000_000
    public let productID: ProductID
    public let delta: Int64
    public let reason: String?
    public static let inputSchema = JSONSchema.object(
        properties: [
            .init("product_id", Field.productID),
            .init("delta", .integer(minimum: -maxDelta, maximum: maxDelta, nonZero: true,
                                    description: "Signed change: positive to restock, negative to write off. Not 0.")),
            .init("reason", Field.text(200, "Why the stock changes. Optional.", examples: ["restock from supplier"])),
        ],
        required: ["product_id", "delta"])
    public init(validated arguments: JSONObject) throws(OrderError) {
        productID = try Field.productID(Field.string(arguments, "product_id"), field: "product_id")
        delta = try Field.integer(arguments, "delta")
        reason = arguments["reason"]?.stringValue
    }
}

public struct CreateOrderCommand: Command {
    public static let maxLines = 100
    public static let maxQuantity: Int64 = 100_000
    public let draft: OrderDraft
    public static let inputSchema = JSONSchema.object(
        // In the order a request says them ("12 Laptops (prod1) to 9 Pine St"), address first: a
        // model writing the arguments in schema order took the quantity from the address ("9")
        // when product_id came before quantity, and the address after the items.
        properties: [
            .init("delivery_address", Field.text(500, "Where to deliver.", examples: ["123 Main St"])),
            .init("items", .array(
                items: .object(properties: [
                    .init("quantity", .integer(minimum: 1, maximum: maxQuantity, description: "Units to order.")),
                    .init("product_id", Field.productID),
                ], required: ["quantity", "product_id"]),
                minItems: 1, maxItems: maxLines,
                description: "Order lines, one per distinct product.")),
            .init("idempotency_key", .string(minLength: 1, maxLength: 64, pattern: Identifier.pattern,
                                             description: "Optional. Retrying with the same key and the same items and "
                                                 + "address returns the original order instead of creating another.")),
        ],
        required: ["delivery_address", "items"])

    public init(validated arguments: JSONObject) throws(OrderError) {
        var items: [OrderDraft.Item] = []
        var seen: [ProductID: Int] = [:]
        for (offset, line) in (arguments["items"]?.arrayValue ?? []).enumerated() {
            let field = "items[\(offset)].product_id"
            guard let object = line.objectValue else { throw .invalidArgument(field: "items[\(offset)]", problem: "must be an object") }
            let id = try Field.productID(Field.string(object, "product_id"), field: field)
            if let first = seen[id] {
                throw .invalidArgument(field: field, problem: "repeats '\(id)' from items[\(first)]; "
                                           + "put each product in one line with the total quantity")
            }
            seen[id] = offset
            items.append(.init(productID: id, quantity: try Field.integer(object, "quantity")))
        }
        let address = try Field.string(arguments, "delivery_address")
        guard address.contains(where: { !$0.isWhitespace }) else {
            throw .invalidArgument(field: "delivery_address", problem: "must not be blank")
        }
        draft = OrderDraft(items: items, deliveryAddress: address, idempotencyKey: arguments["idempotency_key"]?.stringValue)
    }
}

public struct UpdateDeliveryStatusCommand: Command {
    public let orderID: OrderID
    public let status: OrderStatus
    public let note: String?
    public static let inputSchema = JSONSchema.object(
        properties: [
            .init("order_id", Field.orderID),
            .init("status", .string(enumeration: OrderStatus.targets.map(\.rawValue),
                                    description: "New status: in_transit when it ships, delivered when the customer has it, "
                                        + "cancelled (returns its stock) from pending or in_transit.")),
            .init("note", Field.text(500, "Optional note kept in the order's history, such as a tracking number.")),
        ],
        required: ["order_id", "status"])
    public init(validated arguments: JSONObject) throws(OrderError) {
        orderID = try Field.orderID(Field.string(arguments, "order_id"), field: "order_id")
        let raw = try Field.string(arguments, "status")
        guard let status = OrderStatus(rawValue: raw), OrderStatus.targets.contains(status) else {
            throw .invalidArgument(field: "status", problem: "must be one of "
                                       + OrderStatus.targets.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                                       + " (an order is pending only until it ships or is cancelled)")
        }
        self.status = status
        note = arguments["note"]?.stringValue
    }
}

public struct GetOrderCommand: Command {
    public let orderID: OrderID
    public static let inputSchema = JSONSchema.object(properties: [.init("order_id", Field.orderID)], required: ["order_id"])
    public init(validated arguments: JSONObject) throws(OrderError) {
        orderID = try Field.orderID(Field.string(arguments, "order_id"), field: "order_id")
    }
}

public struct ListOrdersCommand: Command {
    public static let maxLimit: Int64 = 100
    public let status: OrderStatus?
    public let address: AddressQuery?
    public let limit: Int
    public static let inputSchema = JSONSchema.object(properties: [
        .init("status", .string(enumeration: OrderStatus.allCases.map(\.rawValue), description: "Only orders with this status. Optional.")),
        .init("limit", .integer(minimum: 1, maximum: maxLimit, description: "At most this many orders, newest first. Default 20.")),
        // Last: a small model writing the arguments in order filled it with "" when it came before limit.
        .init("delivery_address", Field.text(500, "Only orders to this address (case, spacing and a final period do not "
                                                 + "matter). Optional.", examples: ["123 Main St"])),
    ])
    public init(validated arguments: JSONObject) throws(OrderError) {
        status = arguments["status"]?.stringValue.flatMap(OrderStatus.init(rawValue:))
        if let text = arguments["delivery_address"]?.stringValue {
            guard let query = AddressQuery(text) else {
                throw .invalidArgument(field: "delivery_address", problem: "must not be blank")
            }
            // A small model put the order ids it was given here, and found nothing.
            if query.words.count == 1, text.hasPrefix("ord_") {
                throw .invalidArgument(field: "delivery_address", problem: "'\(text)' is an order id, not an address: "
                                           + "look it up with get_order")
            }
            address = query
        } else {
            address = nil
        }
        limit = Int(arguments["limit"]?.integerValue ?? 20)
    }
}

public struct ListProductsCommand: Command {
    public static let maxLimit: Int64 = 500
    public let limit: Int
    public let lowStockBelow: Int64?
    public static let inputSchema = JSONSchema.object(properties: [
        .init("limit", .integer(minimum: 1, maximum: maxLimit, description: "At most this many products, by id. Default 100.")),
        // From 1: stock is never below 0, so 0 matches nothing (a small model sent it to mean "no filter").
        .init("low_stock_below", .integer(minimum: 1, maximum: 1_000_000_000,
                                          description: "Only products whose stock is below this number (to find what needs "
                                              + "restocking). Leave it out to list every product.")),
    ])
    public init(validated arguments: JSONObject) throws(OrderError) {
        limit = Int(arguments["limit"]?.integerValue ?? 100)
        lowStockBelow = arguments["low_stock_below"]?.integerValue
    }
}
