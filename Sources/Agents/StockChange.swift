import JSON
import LLMClient

/// How a typed delegation gives a stock change: `update_stock` with `{"product_id", "change":
/// "add" | "remove", "quantity"}`, or `"change": "set"` with the stock to reach ("the stocktake
/// counted 22", "top them up to 40"). The host turns it into the ToolServer's signed `delta`; for
/// a level it reads the product's stock first (a `check_stock` through the inventory agent, in
/// the trace), and a level already reached changes nothing. A small model picks a word and copies
/// a number far better than it writes a signed difference (docs/agent-host.md has the figures).
struct StockChange: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case add, remove, set
    }

    let productID: String
    let kind: Kind
    /// Units to add or remove, or the stock to reach.
    let quantity: Int64

    static let tool = "update_stock"

    /// Nil unless `call` is an `update_stock` in this form.
    init?(_ call: CallKey) {
        guard call.name == Self.tool, let id = call.arguments["product_id"]?.stringValue,
              let kind = call.arguments["change"]?.stringValue.flatMap(Kind.init(rawValue:)),
              let quantity = call.arguments["quantity"]?.integerValue, quantity >= (kind == .set ? 0 : 1) else { return nil }
        productID = id
        self.kind = kind
        self.quantity = quantity
    }

    /// The ToolServer's call for an addition or a removal (nil for a level, which needs the stock).
    var call: CallKey? {
        switch kind {
        case .add: Self.update(productID, delta: quantity)
        case .remove: Self.update(productID, delta: -quantity)
        case .set: nil
        }
    }

    /// How the host reads the stock for a level.
    var lookup: CallKey {
        CallKey(name: "check_stock", arguments: ["product_id": .string(productID)])
    }

    /// The call that takes the product of a `check_stock` result (whose id is the catalogue's, also
    /// when the level named the product by its name) to the level; nil when its stock is the level
    /// already, or the result has no stock.
    func call(reachingLevelFrom product: JSONValue) -> CallKey? {
        guard let stock = product["stock"]?.integerValue, stock != quantity else { return nil }
        return Self.update(product["product_id"]?.stringValue ?? productID, delta: quantity - stock,
                           reason: "stock set to \(quantity) (was \(stock))")
    }

    private static func update(_ productID: String, delta: Int64, reason: String? = nil) -> CallKey {
        var arguments: JSONObject = ["product_id": .string(productID), "delta": .int(delta)]
        if let reason { arguments["reason"] = .string(reason) }
        return CallKey(name: tool, arguments: .object(arguments))
    }

    /// The typed delegation's shapes for `update_stock`, with the tool's own `product_id`: an
    /// addition or a removal of at least 1, or a level of at least 0.
    static func shapes(of updateStock: ToolDefinition) -> [JSONValue] {
        let productID = updateStock.parameters["properties"]?["product_id"] ?? ["type": "string"]
        func shape(_ kinds: [Kind], minimum: Int64) -> JSONValue {
            let arguments: JSONValue = [
                "type": "object",
                "properties": ["product_id": productID, "change": ["type": "string", "enum": .array(kinds.map { .string($0.rawValue) })],
                               "quantity": ["type": "integer", "minimum": .int(minimum), "maximum": 1_000_000]],
                "required": ["product_id", "change", "quantity"], "additionalProperties": false,
            ]
            return ["type": "object", "properties": ["tool": ["const": .string(tool)], "arguments": arguments],
                    "required": ["tool", "arguments"], "additionalProperties": false]
        }
        return [shape([.add, .remove], minimum: 1), shape([.set], minimum: 0)]
    }

    /// How the manager reads it.
    static let signature = "update_stock(product_id, change, quantity)"
    static let rule = "change: add (received), remove (written off), set (the stock to reach: a count, \"up to 40\")."
}
