import JSON
import LLMClient

/// A stock to reach, in place of a change: a typed `update_stock` delegation may give
/// `{"product_id": "prod5", "set_to": 22}` ("the stocktake counted 22", "top them up to 40", 0 to
/// write off all that is left). The host reads the product's stock (a `check_stock` through the
/// inventory agent, in the trace) and makes the change that reaches the level; a level already
/// reached changes nothing. Given only a delta, a 1.5B manager wrote the level itself as the
/// change (+22 for "there are really 22") and −1 for "write all of them off".
struct StockLevel: Sendable, Equatable {
    let productID: String
    /// The stock to reach.
    let target: Int64

    /// The argument that holds the level.
    static let field = "set_to"

    /// Nil unless `call` is an `update_stock` with a level (and no delta) for a product.
    init?(_ call: CallKey) {
        guard call.name == "update_stock", call.arguments["delta"] == nil,
              let id = call.arguments["product_id"]?.stringValue,
              let target = call.arguments[Self.field]?.integerValue, target >= 0 else { return nil }
        productID = id
        self.target = target
    }

    /// How the host reads the stock first.
    var lookup: CallKey {
        CallKey(name: "check_stock", arguments: ["product_id": .string(productID)])
    }

    /// The `update_stock` call that takes the product of a `check_stock` result (whose id is the
    /// catalogue's, also when the level named the product by its name) to the level; nil when its
    /// stock is the level already, or the result has no stock.
    func change(from product: JSONValue) -> CallKey? {
        guard let stock = product["stock"]?.integerValue, stock != target else { return nil }
        let id = product["product_id"]?.stringValue ?? productID
        return CallKey(name: "update_stock", arguments: ["product_id": .string(id), "delta": .int(target - stock),
                                                         "reason": .string("stock set to \(target) (was \(stock))")])
    }

    /// The typed delegation's shape for a level: `update_stock` with the tool's own `product_id`
    /// and `set_to` in place of `delta`.
    static func shape(of updateStock: ToolDefinition) -> JSONValue {
        let productID = updateStock.parameters["properties"]?["product_id"] ?? ["type": "string"]
        let level: JSONValue = ["type": "integer", "minimum": 0, "maximum": 1_000_000]
        let arguments: JSONValue = ["type": "object", "properties": ["product_id": productID, field: level],
                                    "required": ["product_id", .string(field)], "additionalProperties": false]
        return ["type": "object", "properties": ["tool": ["const": "update_stock"], "arguments": arguments],
                "required": ["tool", "arguments"], "additionalProperties": false]
    }

    /// How the manager reads it, after the tool's signature.
    static let rule = "update_stock takes set_to in place of delta for a stock the request asks to reach (a count, "
        + "\"up to 40\", 0 for all that is left): the host works out the change."
}
