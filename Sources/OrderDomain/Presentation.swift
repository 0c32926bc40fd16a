import JSON

/// How domain values look in tool results, and the output schemas that describe them.
public enum Presentation {
    public static func product(_ product: Product) -> JSONObject {
        [
            "product_id": .string(product.id.rawValue),
            "name": .string(product.name),
            "price": product.price.json,
            "currency": .string(Money.currency),
            "stock": .int(product.stock),
        ]
    }

    public static func stockAdjustment(_ adjustment: StockAdjustment) -> JSONObject {
        var out: JSONObject = [
            "product_id": .string(adjustment.product.id.rawValue),
            "name": .string(adjustment.product.name),
            "previous_stock": .int(adjustment.previousStock),
            "delta": .int(adjustment.delta),
            "stock": .int(adjustment.product.stock),
        ]
        if let reason = adjustment.reason { out["reason"] = .string(reason) }
        return out
    }

    public static func order(_ order: Order) -> JSONObject {
        var out: JSONObject = [
            "order_id": .string(order.id.rawValue),
            "status": .string(order.status.rawValue),
            "items": .array(order.lines.map { line in
                [
                    "product_id": .string(line.productID.rawValue),
                    "name": .string(line.name),
                    "quantity": .int(line.quantity),
                    "unit_price": line.unitPrice.json,
                    "line_total": line.lineTotal.json,
                ]
            }),
            "total": order.total.json,
            "currency": .string(Money.currency),
            "delivery_address": .string(order.deliveryAddress),
            "created_at": .string(order.createdAt.iso8601),
            "updated_at": .string(order.updatedAt.iso8601),
            "history": .array(order.history.map { entry in
                var item: JSONObject = ["status": .string(entry.status.rawValue), "at": .string(entry.at.iso8601)]
                if let note = entry.note { item["note"] = .string(note) }
                return .object(item)
            }),
        ]
        if let key = order.idempotencyKey { out["idempotency_key"] = .string(key) }
        return out
    }

    public static func placement(_ placement: Placement) -> JSONObject {
        var out = order(placement.order)
        out["replayed"] = .bool(placement.replayed)
        return out
    }

    public static func statusUpdate(_ update: StatusUpdate) -> JSONObject {
        var out = order(update.order)
        out["previous_status"] = .string(update.previousStatus.rawValue)
        out["changed"] = .bool(update.changed)
        return out
    }

    // MARK: Output schemas

    static let money = JSONSchema.number(minimum: 0, description: "Amount in the currency, exact to the cent.")
    static let timestamp = JSONSchema.string(format: "date-time")
    static let statusSchema = JSONSchema.string(enumeration: OrderStatus.allCases.map(\.rawValue))
    static let idSchema = JSONSchema.string(minLength: 1, maxLength: 64)

    static let productProperties: [JSONSchema.Property] = [
        .init("product_id", idSchema), .init("name", .string()), .init("price", money),
        .init("currency", .string()), .init("stock", .integer(minimum: 0)),
    ]

    public static let productSchema = JSONSchema.object(
        properties: productProperties, required: productProperties.map(\.name), additionalProperties: true)

    static let orderProperties: [JSONSchema.Property] = [
        .init("order_id", idSchema),
        .init("status", statusSchema),
        .init("items", .array(items: .object(properties: [
            .init("product_id", idSchema), .init("name", .string()), .init("quantity", .integer(minimum: 1)),
            .init("unit_price", money), .init("line_total", money),
        ], required: ["product_id", "name", "quantity", "unit_price", "line_total"], additionalProperties: true))),
        .init("total", money),
        .init("currency", .string()),
        .init("delivery_address", .string()),
        .init("created_at", timestamp),
        .init("updated_at", timestamp),
        .init("history", .array(items: .object(properties: [
            .init("status", statusSchema), .init("at", timestamp), .init("note", .string()),
        ], required: ["status", "at"], additionalProperties: true))),
        .init("idempotency_key", .string()),
    ]
    static let orderRequired = ["order_id", "status", "items", "total", "currency", "delivery_address",
                                "created_at", "updated_at", "history"]

    public static let orderSchema = JSONSchema.object(
        properties: orderProperties, required: orderRequired, additionalProperties: true)

    public static let placementSchema = JSONSchema.object(
        properties: orderProperties + [.init("replayed", .boolean(
            description: "True when an idempotent retry returned the existing order and reserved nothing."))],
        required: orderRequired + ["replayed"], additionalProperties: true)

    public static let statusUpdateSchema = JSONSchema.object(
        properties: orderProperties + [
            .init("previous_status", statusSchema),
            .init("changed", .boolean(description: "False when the order already had the requested status.")),
        ],
        required: orderRequired + ["previous_status", "changed"], additionalProperties: true)

    public static let stockAdjustmentSchema = JSONSchema.object(
        properties: [
            .init("product_id", idSchema), .init("name", .string()), .init("previous_stock", .integer(minimum: 0)),
            .init("delta", .integer()), .init("stock", .integer(minimum: 0)), .init("reason", .string()),
        ],
        required: ["product_id", "name", "previous_stock", "delta", "stock"], additionalProperties: true)

    public static let orderListSchema = JSONSchema.object(
        properties: [.init("orders", .array(items: orderSchema)), .init("count", .integer(minimum: 0))],
        required: ["orders", "count"], additionalProperties: true)

    public static let productListSchema = JSONSchema.object(
        properties: [.init("products", .array(items: productSchema)), .init("count", .integer(minimum: 0))],
        required: ["products", "count"], additionalProperties: true)
}
