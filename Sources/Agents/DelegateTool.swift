import JSON
import LLMClient
import Synchronization

/// One of the manager's tools: `inventory(tool, task)`, `orders(tool, task)`, `delivery(tool, task)`,
/// or with typed calls (`calls`) `orders(tool, arguments)`, …: the call itself, held to the tool's
/// schema. A call runs a fresh sub-agent loop on the task, starting with the named tool, and
/// returns its answer with the results of its tool calls, so the manager does not have to ask again.
///
/// The tool it names says what the delegation is for: a read tool sends the agent to look
/// something up (it writes nothing, see `LookupOnly`); a write tool, to make that change. A small
/// agent's first call is forced to it (see `AgentProfile.forcesFirstTool`).
struct DelegateTool: AgentTool {
    let role: AgentRole
    /// A fresh sub-agent of the role, for a delegation that starts with the named tool.
    let makeAgent: @Sendable (AgentRole, String) -> AgentLoop
    let data: UntrustedData
    /// The user's instruction the manager is working on, and what its sub-agents have written so
    /// far: a sub-agent reads both beside its task (see `brief(task:instruction:done:)`).
    var instruction: String?
    var ledger: WriteLedger?
    /// The instruction's values and the statuses it asks for (see `progress`): small profile only.
    var grounding: RequestGrounding?
    /// What `tool` means, in the manager's words (see `AgentProfile.toolFieldDescription`).
    var toolDescription = "The tool the agent starts with."
    /// The delegation failed unless the call it named succeeded, even when the agent answered
    /// (small profile: an agent whose create_order was refused answered "not enough stock", and a
    /// plan must not go on to ship). A capable agent may reach its goal with other calls.
    var namedCallMustSucceed = false
    /// The agent's tools, when a delegation is the call to make rather than a task in words
    /// (`HostSettings.typedDelegations`): a small manager's notes garbled the request's values
    /// ("2 Laptops … 9 Pine St" became "prod1, 9, Pine St."), or ran on as lists of tool names. The
    /// call is held to the tool's own schema (a grammar, with `--compat llama-server`), made by the
    /// host as the agent's first step, and the agent's later writes keep its values (see
    /// `DelegatedValuesKept`).
    var calls: [ToolDefinition]?
    /// With typed calls: the order ids the instruction has given so far, the only ones a call's
    /// `order_id` may be; otherwise it names the order by what the request says of it, and the
    /// host finds it (see `OrderReference`).
    var knownOrderIDs: (@Sendable () -> [String])?

    var definition: ToolDefinition {
        if let calls { return typedDefinition(calls) }
        return ToolDefinition(
            name: role.rawValue, description: role.delegateDescription + " Returns its answer and tool results.",
            parameters: ["type": "object",
                         "properties": [
                             "tool": ["type": "string", "enum": .array(role.toolNames.map { .string($0) }),
                                      "description": .string(toolDescription)],
                             "task": ["type": "string",
                                      "description": .string("What the \(role.rawValue) agent must do, with exact ids, quantities and addresses.")],
                         ],
                         "required": ["tool", "task"], "additionalProperties": false])
    }

    /// `{"tool", "arguments"}`, one shape per tool (`anyOf`, which a server that holds replies to a
    /// schema turns into a grammar), each with the tool's own parameters (see `requiredOnly`).
    private func typedDefinition(_ calls: [ToolDefinition]) -> ToolDefinition {
        // update_stock in the manager's words (see `StockChange`); every other tool as its schema says.
        let shapes = calls.flatMap { $0.name == StockChange.tool ? StockChange.shapes(of: $0) : [shape(of: $0)] }
        let signatures = calls.map { $0.name == StockChange.tool ? StockChange.signature : Self.signature(of: $0) }
        let plain: JSONObject = ["type": "object",
                                 "properties": ["tool": ["type": "string", "enum": .array(calls.map { .string($0.name) })],
                                                "arguments": ["type": "object"]],
                                 "required": ["tool", "arguments"], "additionalProperties": false]
        var typed = plain
        typed["anyOf"] = .array(shapes)
        return ToolDefinition(
            name: role.rawValue,
            description: role.delegateDescription + " Give the call the agent makes: the tool and its arguments, "
                + signatures.joined(separator: ", ") + " (? optional)."
                + (knownOrderIDs != nil && calls.contains { Self.takesOrderID($0) } ? " " + Self.orderIDRule : "")
                + (calls.contains { $0.name == StockChange.tool } ? " " + StockChange.rule : "")
                + " Returns the agent's answer and tool results.",
            parameters: .object(typed), promptParameters: .object(plain))
    }

    /// One typed delegation: the tool, and its arguments held to its schema (its required fields),
    /// the `fixed` ones to their values.
    private func shape(of call: ToolDefinition, fixed: JSONObject = [:]) -> JSONValue {
        var arguments = Self.requiredOnly(call.parameters).objectValue ?? [:]
        var properties = arguments["properties"]?.objectValue ?? [:]
        if let knownOrderIDs, Self.takesOrderID(call) { properties["order_id"] = OrderReference.orderIDSchema(known: knownOrderIDs()) }
        for (name, value) in fixed { properties[name] = ["const": value] }
        arguments["properties"] = .object(properties)
        return ["type": "object", "properties": ["tool": ["const": .string(call.name)], "arguments": .object(arguments)],
                "required": ["tool", "arguments"], "additionalProperties": false]
    }

    /// This delegate held to one call of `tool`, some of its arguments fixed: a step of a
    /// `KnownPlan`. Nil without typed calls or without that tool.
    func planStep(_ tool: String, fixed: JSONObject) -> ToolDefinition? {
        guard let call = calls?.first(where: { $0.name == tool }) else { return nil }
        return ToolDefinition(name: role.rawValue, description: definition.description, parameters: shape(of: call, fixed: fixed))
    }

    /// Whether a tool's call must name an order (get_order, update_delivery_status).
    static func takesOrderID(_ tool: ToolDefinition) -> Bool {
        tool.parameters["required"]?.arrayValue?.contains("order_id") == true
    }

    /// How a typed call names an order, as the manager reads it.
    static let orderIDRule = "order_id is an order id the request or a result gave; for an order the request names "
        + "otherwise, by its address or by what is in it, give {\"\(OrderReference.key)\": the request's own words for it}, "
        + "and the host finds it."

    /// A tool's call as the manager reads it where the grammar holds the shape:
    /// `create_order(delivery_address, items: [{quantity, product_id}])`, `list_orders(status?, …)`.
    static func signature(of tool: ToolDefinition) -> String {
        func fields(_ schema: JSONValue) -> String {
            let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            return (schema["properties"]?.objectValue ?? [:]).map { name, property in
                var field = required.contains(name) ? name : name + "?"
                if let items = property["items"], items["properties"] != nil { field += ": [{\(fields(items))}]" }
                return field
            }.joined(separator: ", ")
        }
        return "\(tool.name)(\(fields(requiredOnly(tool.parameters))))"
    }

    /// A tool's parameters without its optional ones when it has required ones: a small manager
    /// filled every field it was offered (an order's note "Tracking number: 1234567890", an
    /// idempotency key "unique_key"). A tool whose fields are all optional (list_orders' filters)
    /// keeps them.
    static func requiredOnly(_ schema: JSONValue) -> JSONValue {
        guard case .object(var object) = schema, let required = object["required"]?.arrayValue?.compactMap(\.stringValue),
              !required.isEmpty, let properties = object["properties"]?.objectValue else { return schema }
        var kept = JSONObject()
        for (name, property) in properties where required.contains(name) { kept[name] = property }
        object["properties"] = .object(kept)
        return .object(object)
    }

    var readOnly: Bool { false }

    /// Runs a fresh sub-agent on the task (see `DelegationStart` for how a small manager's
    /// delegation is read first).
    func call(_ arguments: JSONValue, caller: String) async throws(AgentFailure) -> ToolOutcome {
        let tool = arguments["tool"]?.stringValue ?? ""
        var delegated = calls != nil ? arguments["arguments"].map { CallKey(name: tool, arguments: $0) } : nil
        var found: String?
        if let call = delegated, let reference = OrderReference(call.arguments["order_id"]) {
            switch try await find(reference, status: call.arguments["status"]?.stringValue) {
            case .failure(let unresolved):
                return ToolOutcome(isError: true, content: unresolved.message, record: [OrderReference.unresolvedKey: .string(unresolved.message)])
            case .success(let id):
                var resolved = call.arguments.objectValue ?? [:]
                resolved["order_id"] = .string(id)
                delegated = CallKey(name: tool, arguments: .object(resolved))
                found = "order_id \(JSONWriter.string(call.arguments["order_id"] ?? .null)) is \(id), the one order \(reference.described)."
            }
        }
        var level: StockChange?
        if let call = delegated, let change = StockChange(call) {
            switch try await toolCall(for: change) {
            case .answered(let outcome):
                return outcome
            case .make(let call, let note):
                delegated = call
                if let note { (level, found) = (change, note) }
            }
        }
        if let call = delegated, StatusWalk.mayApply(to: call), role.toolNames.contains("get_order"),
           grounding.map({ !$0.asksOnlyQuestions && $0.deliveryIsOnlyFor(call.arguments["order_id"]?.stringValue) }) ?? true,
           let walk = try await statusWalk(before: call) {
            let step = try await run(walk.call)
            guard step.toolResults.contains(where: { $0.name == walk.call.name && !$0.isError }) else {
                return ToolOutcome(isError: true, content: data.wrap(Self.report(step, brief: true)), record: Self.report(step))
            }
            found = (found.map { $0 + " " } ?? "") + "\(walk.orderID) was pending: set in_transit first, the only way to delivered."
        }
        let record = try await run(delegated, tool: tool, task: arguments["task"]?.stringValue ?? "", level: level)
        var content = (found.map { $0 + " " } ?? "") + data.wrap(Self.report(record, brief: true))
        if let instruction { content += "\n" + Self.progress(instruction: instruction, done: ledger?.done ?? [], grounding: grounding) }
        let namedCallFailed = namedCallMustSucceed && !record.toolResults.contains { $0.name == tool && !$0.isError }
        return ToolOutcome(isError: record.status != .completed || namedCallFailed, content: content, record: Self.report(record))
    }

    /// What a stock change in words comes to (see `StockChange`).
    private enum StockCall {
        /// The ToolServer's call; for a level, with a note on how it was worked out.
        case make(CallKey, note: String?)
        /// Nothing to make: the level is reached, or the stock could not be read.
        case answered(ToolOutcome)
    }

    /// The ToolServer's call for `change`: an addition or a removal as it is; for a level, from the
    /// stock a lookup by a sub-agent of this role reads.
    private func toolCall(for change: StockChange) async throws(AgentFailure) -> StockCall {
        if let call = change.call { return .make(call, note: nil) }
        let lookup = try await lookUp(change.lookup)
        guard let product = lookup.toolResults.first(where: { $0.name == change.lookup.name && !$0.isError })?.result else {
            return .answered(ToolOutcome(isError: true, content: data.wrap(Self.report(lookup, brief: true)), record: Self.report(lookup)))
        }
        let stock = product["stock"].map(JSONWriter.string) ?? "?"
        guard let call = change.call(reachingLevelFrom: product) else {
            return .answered(ToolOutcome(isError: false, content: "\(change.productID) has \(stock) in stock, the level asked: nothing "
                + "to change. " + data.wrap(Self.report(lookup, brief: true)), record: Self.report(lookup)))
        }
        return .make(call, note: "\(change.productID) had \(stock) in stock: set to \(change.quantity) by delta "
            + "\(call.arguments["delta"].map(JSONWriter.string) ?? "?").")
    }

    /// A fresh sub-agent of this role on `call` (the host makes it as the agent's first step), or on
    /// the manager's task in words when there is no call.
    /// `level`: the stock level `call`'s delta was worked out from (see `StockChange`).
    private func run(_ call: CallKey?, tool: String? = nil, task: String = "", level: StockChange? = nil) async throws(AgentFailure) -> AgentRecord {
        let note = call.map { "\($0.name) \(JSONWriter.string($0.arguments))" } ?? task
        let brief = Self.brief(task: note, instruction: instruction, done: role.readsDone ? ledger?.done ?? [] : [])
        let first = call?.name ?? tool ?? ""
        return try await makeAgent(role, first).run(task: brief, firstTool: first, delegated: call, level: level)
    }

    /// The step `call` needs first (see `StatusWalk`), from the order's status as a lookup by a
    /// sub-agent of this role reads it; nil when none is needed or the order could not be read
    /// (then the delegated call is made as it is, and the ToolServer says what is wrong).
    private func statusWalk(before call: CallKey) async throws(AgentFailure) -> StatusWalk? {
        let lookup = StatusWalk.lookup(of: call)
        guard let status = Self.result(of: lookup, in: try await lookUp(lookup))?["status"]?.stringValue else { return nil }
        return StatusWalk.step(before: call, current: status)
    }

    /// The result of `call` as a sub-agent made it (its arguments not rewritten by a policy) and it
    /// succeeded; nil otherwise.
    private static func result(of call: CallKey, in record: AgentRecord) -> JSONValue? {
        record.toolResults.first { $0.name == call.name && !$0.isError && $0.arguments == call.arguments }?.result
    }

    /// A read the host makes through a fresh sub-agent of this role (so it passes the agent's
    /// policies and is in the trace), with the call as its only task.
    private func lookUp(_ lookup: CallKey) async throws(AgentFailure) -> AgentRecord {
        try await makeAgent(role, lookup.name).run(task: "\(lookup.name) \(JSONWriter.string(lookup.arguments))",
                                                   firstTool: lookup.name, delegated: lookup)
    }

    /// The id of the one order `reference` names, looked up by sub-agents of this role (the host
    /// makes their calls): among the orders to the address its words are, if there are any; else
    /// among the newest orders, by what `OrderReference.matches(in:)` finds. `status`: the one the
    /// call sets, if it sets one. Or why there is none to act on.
    private func find(_ reference: OrderReference, status: String?) async throws(AgentFailure) -> Result<String, OrderReference.Unresolved> {
        let byAddress = try await lookUp(reference.byAddress)
        if let result = Self.result(of: reference.byAddress, in: byAddress), result["orders"]?.arrayValue?.isEmpty == false {
            return reference.resolve(result, filtered: true, status: status)
        }
        // A policy that left out the address (one the request does not give) made the second lookup already.
        if let result = Self.result(of: OrderReference.newest, in: byAddress) {
            return reference.resolve(result, filtered: false, status: status)
        }
        let newest = try await lookUp(OrderReference.newest)
        if let result = newest.toolResults.first(where: { $0.name == OrderReference.newest.name && !$0.isError })?.result {
            return reference.resolve(result, filtered: false, status: status)
        }
        return .failure(.init(message: "The order \(reference.described) was not looked up: \(newest.answer). Nothing was changed. "
            + "Which order is it (its id)?"))
    }

    /// What a sub-agent is given: the user's own words, from which it takes the values (a small
    /// manager's notes lost them: "2 Laptops (prod1) to 9 Pine St" became "prod1, 9, Pine St.";
    /// "two Monitors (prod4) … written off" became "write_off, prod4", and the inventory agent
    /// wrote off 10), the writes made so far for the instruction (an order id created earlier; see
    /// `AgentRole.readsDone`), and last the manager's task, which says which part is this
    /// agent's. Last because a small model follows what it read last: with the task first and the
    /// request after it, given "ord_B" it looked up the request's first order, ord_A, and given
    /// "prod5 5" it restocked the request's first product (7 of 10 calls right with the task
    /// last, 3 of 10 with it first). It makes the one call the manager named, so it does not go
    /// on to do the rest of the request.
    static func brief(task: String, instruction: String?, done: [Write]) -> String {
        let changes = HostAnswer.changes(done)
        guard changes != nil || (instruction != nil && instruction != task) else { return task }
        var lines: [String] = []
        if let instruction, instruction != task { lines.append("The user's request: \(instruction)") }
        if let changes { lines.append("Already done: \(changes)") }
        lines.append("\(yourPart) \(task)")
        return lines.joined(separator: "\n")
    }

    /// Heads the manager's task in a brief; tool results refer to it.
    static let yourPart = "Your part of it (the manager's note; do only this):"

    /// Read by the manager after each delegation: the request again and what is written so far,
    /// so that it stops when that is all (a small manager went on to ship orders nobody asked it
    /// to ship) and goes on when it is not. With the request's `grounding`, also what it asks that
    /// is not done: the products it names that no order made has (a small manager sent two orders
    /// as one task, and its orders agent made the first), and the statuses it tells us to set on
    /// the orders it names that none has (a small manager looked up the orders it was told to ship
    /// or cancel, and answered).
    static func progress(instruction: String, done: [Write], grounding: RequestGrounding? = nil) -> String {
        var text = "The request: \(instruction)\nWritten so far: \(HostAnswer.changes(done) ?? "nothing.")"
        let productsInNoOrder = grounding?.productsInNoOrder(done: done) ?? []
        if !productsInNoOrder.isEmpty {
            text += "\nThe request names " + productsInNoOrder.joined(separator: " and ") + ", which no order made so far has: if "
                + "the request orders \(productsInNoOrder.count == 1 ? "it" : "them"), delegate that order (orders agent, create_order)."
        }
        if let grounding, case let statuses = grounding.statusesNotSet(done: done), !statuses.isEmpty {
            text += "\nThe request asks to set " + statuses.joined(separator: " and ") + " (delivery agent, update_delivery_status)"
                + " for the orders it " + (grounding.orders.isEmpty ? "made" : "names") + " ("
                + grounding.ordersToSet(done: done).joined(separator: ", ") + "), and none has been set to it yet."
        }
        return text + "\nIf that is all the request asks (or it cannot be done), give your final answer now; otherwise delegate "
            + "the next step."
    }

    /// Characters of one tool result the manager reads; past that, less of it (see `brief(_:)`).
    /// It bounds what one delegation adds to the manager's context (n_ctx 4096 locally).
    static let resultLimit = 1200

    /// A result as the manager needs it: whole when it is short (an order with its lines, to
    /// answer "what is in it"); else with the elements of its lists cut to their own fields (a
    /// list of orders without their lines), if that is short; else only its own fields.
    static func brief(_ result: JSONValue) -> JSONValue {
        let size = JSONWriter.string(result).utf8.count
        if size <= resultLimit { return result }
        guard case .object(let object) = result else { return .string("(\(size) characters, left out: see the answer)") }
        var shallow = JSONObject()
        for (key, value) in object {
            if case .array(let elements) = value {
                shallow[key] = .array(elements.map(ResultDigest.ownFields))
            } else {
                shallow[key] = ResultDigest.ownFields(value)
            }
        }
        if JSONWriter.string(.object(shallow)).utf8.count <= resultLimit { return .object(shallow) }
        var own = JSONObject()
        for (key, value) in object {
            switch value {
            case .object, .array: own[key] = .string("(left out)")
            default: own[key] = value
            }
        }
        return .object(own)
    }

    /// What the manager reads: status, answer, and each tool call's result or error.
    /// `brief`: results as the manager reads them (`brief(_:)`); otherwise whole, for the report.
    static func report(_ record: AgentRecord, brief: Bool = false) -> JSONValue {
        let results: [JSONValue] = record.toolResults.map { call in
            var entry: JSONObject = ["tool": .string(call.name), "ok": .bool(!call.isError)]
            if call.isError {
                entry["arguments"] = call.arguments
                entry["error"] = call.result
            } else {
                entry["result"] = brief ? Self.brief(call.result) : call.result
            }
            return .object(entry)
        }
        var out: JSONObject = ["agent": .string(record.id), "status": .string(record.status.rawValue),
                               "answer": .string(record.answer), "results": .array(results)]
        if let note = record.note { out["note"] = .string(note) }
        return .object(out)
    }
}

/// Numbers the sub-agent runs per role: orders#1, orders#2, …
final class AgentCounter: Sendable {
    private let counts = Mutex<[AgentRole: Int]>([:])
    func next(_ role: AgentRole) -> Int {
        counts.withLock { counts in
            counts[role, default: 0] += 1
            return counts[role, default: 1]
        }
    }
}
