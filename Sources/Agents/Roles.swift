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
        case .inventory: "Inventory agent: checks stock, lists products, restocks or writes off stock."
        case .orders: "Orders agent: creates orders (this reserves their stock), looks up and lists orders."
        case .delivery: "Delivery agent: moves orders pending → in_transit → delivered, or cancels them."
        }
    }

    private var duties: String {
        switch self {
        case .inventory:
            "update_stock is only for restocks and write-offs: never use it for an order (create_order already takes the stock)."
        case .orders:
            "create_order reserves the stock itself: never change stock. Create each requested order exactly once. "
                + "If create_order fails (unknown product, short stock), report its error; do not change the order unless told."
        case .delivery:
            "Statuses go pending → in_transit → delivered; pending or in_transit orders can be cancelled. Use exact order ids."
        }
    }

    public func systemPrompt(finalAnswerTool: Bool) -> String {
        let finish = finalAnswerTool
            ? "When done, call final_answer with a short answer: the ids, quantities and statuses involved, and any error."
            : "When done, reply with a short answer: the ids, quantities and statuses involved, and any error."
        return """
            You are the \(rawValue) agent of an order-management system. Tools: \(toolNames.joined(separator: ", ")).
            Do only the task you are given. \(duties)
            If a tool returns an error, read it and correct the call; never repeat a failing call unchanged. Never invent ids.
            \(finish)
            """
    }
}

/// The manager's prompt: it plans and delegates; it has no database tools.
enum ManagerPrompt {
    static func system(finalAnswerTool: Bool) -> String {
        let finish = finalAnswerTool ? "call final_answer with" : "reply with"
        return """
            You are the manager of an order-management team. You cannot use the database yourself: delegate \
            with the tools inventory(task), orders(task) and delivery(task). Give each agent one clear task with \
            exact product ids, quantities, addresses and order ids. create_order reserves stock itself: never ask \
            for stock to be subtracted for an order. Independent tasks may go in the same message; they run in parallel. \
            Each agent returns its answer and its tool results (order ids, stock): use them, do not ask again. \
            If an agent reports an error (unknown id, short stock), correct and retry when you can, otherwise stop \
            and explain. When everything is done, \(finish) a short final answer: what was done (order ids, \
            statuses) and what failed and why.
            """
    }
}
