import JSON

/// The status an order must pass through before the one a typed call sets: the domain moves a
/// pending order to delivered only by way of in_transit, and the ToolServer refuses the jump.
/// Told "it reached the customer" about a pending order, a small manager delegated `delivered`
/// alone, read the refusal and answered; so the host makes the step on the way (a call of its own,
/// through the delivery agent's policies, in the trace) before the delegated one.
///
/// Not for a request that only asks questions ("Has it been delivered yet?"), nor for one that names
/// another order too ("Ship ord_a; ord_b was delivered": a small manager delegated ord_a's
/// delivery): there the refusal of the jump is what keeps a misreading from writing.
struct StatusWalk: Equatable {
    let orderID: String
    /// The status to set first.
    let step: String

    /// The step before `call`, given the order's current status (nil: none is needed).
    static func step(before call: CallKey, current: String) -> StatusWalk? {
        guard call.name == "update_delivery_status", call.arguments["status"]?.stringValue == "delivered",
              current == "pending", let id = call.arguments["order_id"]?.stringValue else { return nil }
        return StatusWalk(orderID: id, step: "in_transit")
    }

    /// Whether `call` could need a step first: a delivery of an order named by id.
    static func mayApply(to call: CallKey) -> Bool {
        call.name == "update_delivery_status" && call.arguments["status"]?.stringValue == "delivered"
            && call.arguments["order_id"]?.stringValue != nil
    }

    /// How the host reads the order's status first.
    static func lookup(of call: CallKey) -> CallKey {
        CallKey(name: "get_order", arguments: ["order_id": call.arguments["order_id"] ?? .null])
    }

    /// The call that makes the step.
    var call: CallKey {
        CallKey(name: "update_delivery_status", arguments: ["order_id": .string(orderID), "status": .string(step)])
    }
}
