import JSON
import OrderDomain

/// One evaluation scenario: a catalogue, tool calls that set the scene, an instruction in plain
/// language, the end state a competent operator leaves behind, and a reference solution that shows
/// that end state is reachable with the tools. The file format is described in evals/README.md.
///
/// Strings may hold placeholders (`{order1}`, `{order1|typo}`) for order ids that only exist once
/// the set-up has run; see `Placeholders`.
public struct Scenario: Sendable, Hashable {
    public var id: String
    public var title: String
    public var catalogue: [Product]
    /// Run through the ToolServer before the instruction; each must succeed.
    public var setup: [ToolStep]
    public var instruction: String
    public var expectation: ScenarioExpectation
    public var reference: Reference
    /// The set it belongs to: the name of its directory ("scenarios", "held-out"), reported apart.
    public var set = ""

    public init(id: String, title: String, catalogue: [Product], setup: [ToolStep], instruction: String,
                expectation: ScenarioExpectation, reference: Reference) {
        self.id = id
        self.title = title
        self.catalogue = catalogue
        self.setup = setup
        self.instruction = instruction
        self.expectation = expectation
        self.reference = reference
    }
}

/// A tool call of the set-up or of the reference solution.
public struct ToolStep: Sendable, Hashable {
    public var tool: String
    /// The arguments; placeholders in their strings are filled in before the call.
    public var arguments: JSONValue
    /// The name under which the `order_id` of the result is known to later placeholders.
    public var bind: String?
    /// The call must fail (`isError`); only in a reference solution, to show a refusal is real.
    public var expectError: Bool

    public init(tool: String, arguments: JSONValue = [:], bind: String? = nil, expectError: Bool = false) {
        self.tool = tool
        self.arguments = arguments
        self.bind = bind
        self.expectError = expectError
    }
}

/// What must be true after the run.
public struct ScenarioExpectation: Sendable, Hashable {
    /// Every product's stock.
    public var stock: [String: Int64]
    /// Exactly the orders that must exist, set-up orders included.
    public var orders: [ExpectedOrder]
    /// Facts the final answer must state: each is a list of alternatives, one of which must appear
    /// (case-insensitively, as a whole word or number).
    public var answerFacts: [[String]]
    /// No write tool (update_stock, create_order, update_delivery_status) may succeed.
    public var noWrites: Bool

    public init(stock: [String: Int64], orders: [ExpectedOrder] = [], answerFacts: [[String]] = [], noWrites: Bool = false) {
        self.stock = stock
        self.orders = orders
        self.answerFacts = answerFacts
        self.noWrites = noWrites
    }
}

/// An order that must exist at the end.
public struct ExpectedOrder: Sendable, Hashable {
    /// The order's id, for orders of the set-up ("{order1}"); nil for orders the run creates.
    public var id: String?
    /// For an order the run creates: the name its actual id gets, for the answer facts ("{new1}").
    public var bind: String?
    /// Quantity by product id.
    public var items: [String: Int64]
    public var address: String
    public var status: OrderStatus

    public init(id: String? = nil, bind: String? = nil, items: [String: Int64], address: String, status: OrderStatus) {
        self.id = id
        self.bind = bind
        self.items = items
        self.address = address
        self.status = status
    }
}

/// How a competent operator does it with the tools: the calls (with the ids they bind) and an
/// answer that states the facts. `AgentEval --reference` runs it in place of the agents.
public struct Reference: Sendable, Hashable {
    public var calls: [ToolStep]
    public var answer: String

    public init(calls: [ToolStep], answer: String) {
        self.calls = calls
        self.answer = answer
    }
}

/// The tools of the ToolServer that change the database.
public enum ToolNames {
    public static let writes: Set<String> = ["update_stock", "create_order", "update_delivery_status"]
    public static let all: Set<String> = writes.union(["check_stock", "get_order", "list_orders", "list_products"])
}
