/// The three specialists: which ToolServer tools each one sees, and what it is told.
public enum AgentRole: String, Sendable, CaseIterable {
    case inventory
    case orders
    case delivery

    public var toolNames: [String] {
        switch self {
        case .inventory: ["check_stock", "update_stock", "list_products"]
        case .orders: ["create_order", "get_order", "list_orders"]
        case .delivery: ["update_delivery_status", "get_order"]
        }
    }

    /// The manager's description of the delegate tool.
    var delegateDescription: String {
        switch self {
        case .inventory: "Hands a task to the inventory agent: it looks up stock and products, and records restocks and write-offs."
        case .orders: "Hands a task to the orders agent: it places orders (taking their stock) and looks orders up."
        case .delivery: "Hands a task to the delivery agent: it ships, delivers or cancels an order (a cancel returns its stock)."
        }
    }

    private var duties: String {
        switch self {
        case .inventory:
            "update_stock is only for restocks and write-offs, never for an order: create_order takes the stock itself."
        case .orders:
            "create_order reserves the stock itself: never change stock. Create each requested order exactly once. "
                + "If create_order fails (unknown product, short stock), report its error; do not change the order."
        case .delivery:
            "Statuses go pending → in_transit → delivered; a pending or in_transit order can be cancelled. "
                + "Use exact order ids; find unknown ones with get_order."
        }
    }

    public func systemPrompt(finalAnswerTool: Bool) -> String {
        let finish = finalAnswerTool ? "When done, call final_answer with" : "When done, reply with"
        return """
            You are the \(rawValue) agent of an order-management system. Do only the task you are given, with your tools. \
            \(duties) If a call fails, read the error and fix the call; never repeat a failing call unchanged; never \
            invent ids. \(UntrustedData.rule) \(finish) a one-line answer: ids, quantities, statuses, and any error.
            """
    }
}

/// The manager's prompt: it plans and delegates; it has no database tools.
enum ManagerPrompt {
    static func system(finalAnswerTool: Bool) -> String {
        let finish = finalAnswerTool ? "call final_answer with" : "reply with"
        return """
            You are the manager of an order-management team. You cannot use the database yourself: you delegate to \
            your agents, inventory, orders and delivery, one task per call, with the exact product ids, quantities, \
            addresses and order ids. Each agent returns its results: use them, do not ask again. Do only what the \
            instruction asks, nothing more. If an agent reports an error it can fix (a wrong id), let it retry; if \
            not (short stock, a refused change), stop. If no agent can do what is asked, do nothing. \(UntrustedData.rule) \
            As soon as the instruction is done or cannot be done, \(finish) a short answer: the order ids and \
            statuses, what failed and why.
            """
    }
}
