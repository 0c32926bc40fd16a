import JSON
import MCPServerKit
import OrderDomain

/// The order-management tools: each one decodes and validates its arguments with the domain's
/// command type, calls the store, and presents the result. Nothing else happens here.
struct ToolCatalog {
    let store: any OrderStore

    static let readOnlyNames: Set<String> = ["check_stock", "get_order", "list_orders", "list_products"]

    func tools(readOnly: Bool, disabled: Set<String>) -> [MCPTool] {
        all.filter { (!readOnly || Self.readOnlyNames.contains($0.name)) && !disabled.contains($0.name) }
    }

    static let allNames = ["check_stock", "update_stock", "create_order", "update_delivery_status",
                           "get_order", "list_orders", "list_products"]

    var all: [MCPTool] {
        let store = store
        return [
            MCPTool(
                name: "check_stock", title: "Check stock",
                description: "Look up one product: its name, unit price and how many units are in stock.",
                inputSchema: CheckStockCommand.inputSchema.json, outputSchema: Presentation.productSchema.json,
                annotations: .init(readOnly: true, destructive: false, idempotent: true)
            ) { arguments in
                await outcome(resolvingNamesIn: arguments, store: store) { arguments async throws(OrderError) in
                    let command = try CheckStockCommand(arguments: arguments)
                    return Presentation.product(try await store.product(command.productID))
                }
            },
            MCPTool(
                name: "update_stock", title: "Adjust stock",
                description: "Change a product's stock by a signed delta: positive to restock, negative to write off. "
                    + "Refused if stock would go below 0. Do not use it for orders: create_order already takes the stock.",
                inputSchema: UpdateStockCommand.inputSchema.json, outputSchema: Presentation.stockAdjustmentSchema.json,
                annotations: .init(readOnly: false, destructive: true, idempotent: false)
            ) { arguments in
                await outcome(resolvingNamesIn: arguments, store: store) { arguments async throws(OrderError) in
                    let command = try UpdateStockCommand(arguments: arguments)
                    return Presentation.stockAdjustment(
                        try await store.adjustStock(command.productID, by: command.delta, reason: command.reason))
                }
            },
            MCPTool(
                name: "create_order", title: "Create order",
                description: "Create an order and reserve its stock: all lines or none. Fails without changing anything if "
                    + "a product is unknown or short (the error says what is available). The new order is 'pending'. "
                    + "Pass an idempotency_key to make retries safe.",
                inputSchema: CreateOrderCommand.inputSchema.json, outputSchema: Presentation.placementSchema.json,
                annotations: .init(readOnly: false, destructive: false, idempotent: false)
            ) { arguments in
                await outcome(resolvingNamesIn: arguments, store: store) { arguments async throws(OrderError) in
                    let command = try CreateOrderCommand(arguments: arguments)
                    return Presentation.placement(try await store.placeOrder(command.draft))
                }
            },
            MCPTool(
                name: "update_delivery_status", title: "Update delivery status",
                description: "Move an order along pending → in_transit → delivered, or cancel a pending or in_transit "
                    + "order (its stock is returned). Setting the status it already has changes nothing.",
                inputSchema: UpdateDeliveryStatusCommand.inputSchema.json, outputSchema: Presentation.statusUpdateSchema.json,
                annotations: .init(readOnly: false, destructive: true, idempotent: true)
            ) { arguments in
                await outcome(suggestingFrom: store) { () async throws(OrderError) in
                    let command = try UpdateDeliveryStatusCommand(arguments: arguments)
                    return Presentation.statusUpdate(
                        try await store.changeStatus(of: command.orderID, to: command.status, note: command.note))
                }
            },
            MCPTool(
                name: "get_order", title: "Get order",
                description: "Look up one order by id: its lines, total, address, status and status history.",
                inputSchema: GetOrderCommand.inputSchema.json, outputSchema: Presentation.orderSchema.json,
                annotations: .init(readOnly: true, destructive: false, idempotent: true)
            ) { arguments in
                await outcome(suggestingFrom: store) { () async throws(OrderError) in
                    let command = try GetOrderCommand(arguments: arguments)
                    return Presentation.order(try await store.order(command.orderID))
                }
            },
            MCPTool(
                name: "list_orders", title: "List orders",
                description: "List orders, newest first, optionally only those with one status or to one delivery address. "
                    + "Use it to find an order id.",
                inputSchema: ListOrdersCommand.inputSchema.json, outputSchema: Presentation.orderListSchema.json,
                annotations: .init(readOnly: true, destructive: false, idempotent: true)
            ) { arguments in
                await outcome { () async throws(OrderError) in
                    let command = try ListOrdersCommand(arguments: arguments)
                    let orders = try await store.orders(status: command.status, address: command.address, limit: command.limit)
                    return ["orders": .array(orders.map { .object(Presentation.order($0)) }), "count": .int(Int64(orders.count))]
                }
            },
            MCPTool(
                name: "list_products", title: "List products",
                description: "List the catalogue by product id with prices and stock, optionally only products whose "
                    + "stock is below a threshold.",
                inputSchema: ListProductsCommand.inputSchema.json, outputSchema: Presentation.productListSchema.json,
                annotations: .init(readOnly: true, destructive: false, idempotent: true)
            ) { arguments in
                await outcome { () async throws(OrderError) in
                    let command = try ListProductsCommand(arguments: arguments)
                    let products = try await store.products(limit: command.limit, lowStockBelow: command.lowStockBelow)
                    return ["products": .array(products.map { .object(Presentation.product($0)) }),
                            "count": .int(Int64(products.count))]
                }
            },
        ]
    }
}

/// Business failures become `isError` results with the domain's message for the model.
private func outcome(_ body: () async throws(OrderError) -> JSONObject) async -> MCPTool.Outcome {
    do { return .success(try await body()) } catch { return .failure(error.message) }
}

/// As `outcome`, but an id that is not found gets a suggestion: a product id that is a product's
/// name gets that product's id ("By name: 'Headphones' is prod3 (Headphones)."), and an order id
/// "Did you mean …?" with the recent orders whose ids are a few typing slips away (an id typed by
/// hand, or misread by a model).
private func outcome(suggestingFrom store: any OrderStore,
                     _ body: () async throws(OrderError) -> JSONObject) async -> MCPTool.Outcome {
    do { return .success(try await body()) } catch { return .failure(await message(for: error, suggestingFrom: store)) }
}

/// As `outcome(suggestingFrom:)`, for the tools that take product ids: when a `product_id` is not
/// found but is the name of exactly one product ("Headphones", "headphones"), the call is made again
/// with that product's id. Clients (small models above all) write the name the user wrote; the
/// failed first try changed nothing (an unknown product fails a call before any write).
private func outcome(resolvingNamesIn arguments: JSONObject, store: any OrderStore,
                     _ body: (JSONObject) async throws(OrderError) -> JSONObject) async -> MCPTool.Outcome {
    let unknown: [ProductID]
    do { return .success(try await body(arguments)) } catch {
        switch error {
        case .productNotFound(let id): unknown = [id]
        case .productsNotFound(let ids): unknown = ids
        default: return .failure(await message(for: error, suggestingFrom: store))
        }
        guard let catalogue = try? await store.products(limit: Int(ListProductsCommand.maxLimit), lowStockBelow: nil) else {
            return .failure(error.message)
        }
        guard let resolved = ProductSuggestion.resolution(for: unknown, among: catalogue) else {
            // The catalogue just read gives the suggestion; no second read.
            let suggestion = ProductSuggestion.text(for: unknown, among: catalogue)
            if case .productNotFound(let id) = error { return .failure(OrderError.productNotFoundMessage(id, suggestion: suggestion)) }
            return .failure(OrderError.productsNotFoundMessage(unknown, suggestion: suggestion))
        }
        return await outcome(suggestingFrom: store) { () async throws(OrderError) in
            try await body(replacingProductIDs(in: .object(arguments), with: resolved).objectValue ?? arguments)
        }
    }
}

/// `arguments` with every `product_id` found in `resolved` replaced by the id it resolves to.
private func replacingProductIDs(in arguments: JSONValue, with resolved: [ProductID: ProductID]) -> JSONValue {
    switch arguments {
    case .object(let object):
        var out = JSONObject()
        for (key, value) in object {
            if key == "product_id", let typed = value.stringValue.flatMap(ProductID.init), let id = resolved[typed] {
                out[key] = .string(id.rawValue)
            } else {
                out[key] = replacingProductIDs(in: value, with: resolved)
            }
        }
        return .object(out)
    case .array(let elements): return .array(elements.map { replacingProductIDs(in: $0, with: resolved) })
    default: return arguments
    }
}

/// The error's message, with a suggestion when one is found (the store is read only then).
private func message(for error: OrderError, suggestingFrom store: any OrderStore) async -> String {
    switch error {
    case .orderNotFound(let id):
        guard let recent = try? await store.orders(status: nil, address: nil, limit: Int(ListOrdersCommand.maxLimit)),
              let suggestion = OrderSuggestion.text(near: id, among: recent) else { break }
        return OrderError.orderNotFoundMessage(id, suggestion: suggestion)
    case .productNotFound(let id):
        guard let suggestion = await productSuggestion(for: [id], from: store) else { break }
        return OrderError.productNotFoundMessage(id, suggestion: suggestion)
    case .productsNotFound(let ids):
        guard let suggestion = await productSuggestion(for: ids, from: store) else { break }
        return OrderError.productsNotFoundMessage(ids, suggestion: suggestion)
    default:
        break
    }
    return error.message
}

private func productSuggestion(for ids: [ProductID], from store: any OrderStore) async -> String? {
    guard let catalogue = try? await store.products(limit: Int(ListProductsCommand.maxLimit), lowStockBelow: nil) else { return nil }
    return ProductSuggestion.text(for: ids, among: catalogue)
}
