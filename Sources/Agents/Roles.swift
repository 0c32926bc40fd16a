/// The three specialists: which ToolServer tools each one sees, and what it is told.
public enum AgentRole: String, Sendable, CaseIterable {
    case inventory
    case orders
    case delivery

    public var toolNames: [String] {
        switch self {
        case .inventory: ["check_stock", "update_stock", "list_products"]
        case .orders: ["create_order", "get_order", "list_orders", "list_products"]
        case .delivery: ["update_delivery_status", "get_order", "list_orders"]
        }
    }

    /// Whether the agent reads the writes already made for the request: the orders agent, so that
    /// it does not create an order twice, and the delivery agent, which ships the order just
    /// created. Not the inventory agent: told "Already done: update_stock prod3 stock 40", a
    /// small one wrote to prod3 again.
    var readsDone: Bool { self != .inventory }

    /// The manager's description of the delegate tool.
    var delegateDescription: String {
        switch self {
        case .inventory: "Inventory agent: check_stock, list_products, update_stock (restocks and write-offs only)."
        case .orders: "Orders agent: create_order (reserves the stock itself), get_order, list_orders (to find order ids), "
            + "list_products (to find product ids)."
        case .delivery: "Delivery agent: update_delivery_status (in_transit to ship, delivered once the customer has it, "
            + "or cancelled, which returns the stock), get_order, list_orders."
        }
    }

    private var duties: String {
        switch self {
        case .inventory:
            "update_stock is only for restocks and write-offs, never for an order: create_order takes the stock itself, "
                + "and cancelling an order returns it."
        case .orders:
            "create_order reserves the stock itself: never change stock. Create each requested order exactly once. "
                + "If create_order fails (unknown product, short stock), report its error; do not change the order."
        case .delivery:
            "To ship an order, set in_transit; set delivered only once the customer has it; a pending or in_transit "
                + "order can be cancelled. "
                + "Use exact order ids; find unknown ones with list_orders."
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
    static func system(finalAnswerTool: Bool, profile: AgentProfile = .small, typedDelegations: Bool = false) -> String {
        let finish = finalAnswerTool ? "call final_answer with" : "reply with"
        // A small agent makes the one call it is named; a capable one may look up what it needs first.
        let delegation = typedDelegations
            ? "one call per delegation: its tool and arguments, with the exact values of the instruction (product "
                + "ids, quantities, addresses, order ids). An order the instruction names without its id: give order_id as "
                + "its address or product, as the tools say. To find a product id you do not have, delegate list_products first."
            : profile == .small
            ? "one product, order or change per task: an agent makes the one call you name. Give each task exact product "
                + "ids, quantities, addresses and order ids."
            : "one product, order or change per task, naming the call it is for: a read tool to look something up, "
                + "the write tool to make a change (the agent may look up what it needs first). Give each task exact "
                + "product ids, quantities, addresses and order ids."
        return """
            You are the manager of an order-management team. You have no database access: delegate to your agents, \
            inventory, orders and delivery, \(delegation) An agent returns its answer \
            and its tool results: use them, do not ask again. \(UntrustedData.rule) Change only what the instruction \
            asks for: never ship, deliver or cancel an order, and never change stock, unless it says so. If an agent \
            reports an error (unknown id, short stock), fix and retry when you can, otherwise stop and say why. Your \
            agents can only check and change stock, create and look up orders, and ship, deliver or cancel orders: \
            for anything else, delegate nothing and say you cannot. When done, \(finish) a short final answer that \
            states the results: order ids and statuses, the numbers asked for, and any failure with its reason.
            """
    }
}
