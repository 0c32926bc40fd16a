import JSON

/// In a typed delegation, `order_id: "created"` stands for the order made earlier for this
/// request: the manager's plan cannot know the id its create_order step will return, and the
/// host fills it in once that order exists (exactly one; otherwise the call goes as written and
/// fails "not found"). A small manager planning create-then-ship wrote
/// `"order_id_from_create_order"`, and the delivery agent then spent two model calls finding the
/// order. Small profile, typed delegations, on the manager's delegations.
struct CreatedOrderReference: AgentPolicy {
    let name = "created-order-reference"
    static let placeholder = "created"
    /// The ids of the orders made so far for the request.
    let createdOrders: @Sendable () -> [String]

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard case .object(var delegation)? = call.parsed, case .object(var arguments)? = delegation["arguments"],
              arguments["order_id"]?.stringValue == Self.placeholder else { return .allow }
        let created = createdOrders()
        guard created.count == 1 else { return .allow }
        arguments["order_id"] = .string(created[0])
        delegation["arguments"] = .object(arguments)
        return .rewrite(.object(delegation), note: nil)
    }
}
