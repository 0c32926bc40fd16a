import Agents
import Foundation
import JSON

/// One entry of a `process-orders` file.
struct OrderRequest: Decodable, Equatable {
    struct Item: Decodable, Equatable {
        let productID: String
        let quantity: Int

        enum CodingKeys: String, CodingKey {
            case productID = "product_id"
            case quantity
        }
    }

    let items: [Item]
    let address: String

    enum CodingKeys: String, CodingKey {
        case items, address
        case deliveryAddress = "delivery_address"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        items = try container.decode([Item].self, forKey: .items)
        if let address = try container.decodeIfPresent(String.self, forKey: .deliveryAddress) {
            self.address = address
        } else {
            address = try container.decode(String.self, forKey: .address)
        }
    }

    /// Decodes the list, with an error that says which entry is wrong.
    static func decodeList(_ data: Data) throws -> [OrderRequest] {
        let orders: [OrderRequest]
        do { orders = try JSONDecoder().decode([OrderRequest].self, from: data) } catch let error as DecodingError {
            throw OrderFileError(describe(error))
        }
        guard !orders.isEmpty else { throw OrderFileError("the list of orders is empty") }
        for (index, order) in orders.enumerated() where order.items.isEmpty {
            throw OrderFileError("order \(index + 1) has no items")
        }
        return orders
    }

    private static func describe(_ error: DecodingError) -> String {
        let expected = "expected a list of {\"items\": [{\"product_id\", \"quantity\"}], \"address\"}"
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context)) is missing '\(key.stringValue)'; \(expected)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context)): \(context.debugDescription); \(expected)"
        case .dataCorrupted(let context):
            return "not valid JSON: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return parts.isEmpty ? "the file" : "orders\(parts)"
    }

    /// The manager's instruction for one order of the file (the demo's process_order use); the
    /// host gives each order its own manager, in turn. The order is the file's data, so it goes
    /// in as a data block, not as sentences of the instruction, and last, so that every order's
    /// instruction starts with the same words (a local server reuses what it has read).
    func instruction(data: UntrustedData) -> String {
        let value: JSONValue = [
            "items": .array(items.map { ["product_id": .string($0.productID), "quantity": .int(Int64($0.quantity))] }),
            "delivery_address": .string(address),
        ]
        return "Process this order: have it created, then have it set in_transit with the order id that was returned. "
            + "If it cannot be created, do not ship it and say why.\nOrder: " + data.wrap(value)
    }
}

extension OrderRequest {
    /// An order's goal, from its instruction's successful writes: created, then set in_transit.
    @Sendable static func isShipped(_ writes: [Write]) -> Bool {
        let created = Set(writes.filter { $0.tool == "create_order" }.compactMap { $0.result["order_id"]?.stringValue })
        return writes.contains { write in
            write.tool == "update_delivery_status" && write.result["status"]?.stringValue == "in_transit"
                && created.contains(write.result["order_id"]?.stringValue ?? "")
        }
    }
}

struct OrderFileError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
