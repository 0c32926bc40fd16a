import JSON

/// A delegation whose `order_id` is `placeholder` (which `KnownPlan` fixes where a step names the
/// order an earlier step creates, an id nobody can know when planning) gets the id of the order
/// the instruction's last successful create_order made; with none, it is refused. Manager, with
/// a known plan.
struct CreatedOrderReference: AgentPolicy {
    static let placeholder = "the_order_created_above"
    let name = "created-order-reference"
    /// The ids of the orders created so far for the instruction, oldest first.
    let createdOrders: @Sendable () -> [String]

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard case .object(var delegation)? = call.parsed, case .object(var arguments)? = delegation["arguments"],
              arguments["order_id"]?.stringValue == Self.placeholder else { return .allow }
        guard let id = createdOrders().last else {
            return .refused("No order has been created for this request yet, so there is no order for this step. Nothing was called.")
        }
        arguments["order_id"] = .string(id)
        delegation["arguments"] = .object(arguments)
        return .rewrite(.object(delegation), note: "order_id \(id): the order created above")
    }
}
