import JSON

/// The delegations of a command whose steps are known, in order, for a small manager's plan
/// (`AgentLoop.plansFirst`, typed delegations): its reply is held to exactly these calls, with the
/// values the command fixes written in, so the model writes only what it takes from the request.
/// Told in words that the second step names the order the first creates, a 1.5B manager changed
/// its plans (stock checks, decrements); as a fixed value it cannot (see `CreatedOrderReference`).
public struct KnownPlan: Sendable {
    struct Step: Sendable {
        let role: AgentRole
        let tool: String
        /// The arguments the command fixes.
        let fixed: JSONObject
    }

    let steps: [Step]

    /// `process-orders`: the order, then in_transit for the order that call creates.
    public static let createThenShip = KnownPlan(steps: [
        Step(role: .orders, tool: "create_order", fixed: [:]),
        Step(role: .delivery, tool: "update_delivery_status",
             fixed: ["order_id": .string(CreatedOrderReference.placeholder), "status": "in_transit"]),
    ])
}
