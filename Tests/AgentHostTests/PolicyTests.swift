@testable import Agents
import JSON
import LLMClient
import Testing

/// Each policy alone: what it allows, rewrites, refuses, holds or stops, given a call or a step and
/// the run so far. (How they act inside a run is in SmallModelGuardsTests, IdealModelTests and
/// ApprovalTests.)
@Suite struct PolicyTests {
    struct FakeTool: AgentTool {
        let definition: ToolDefinition
        let readOnly: Bool
        func call(_ arguments: JSONValue, caller: String) async throws(AgentFailure) -> ToolOutcome { .error("not called") }
    }

    static let listOrders = FakeTool(definition: ToolDefinition(name: "list_orders", description: "", parameters: [
        "type": "object", "properties": ["status": ["type": "string"], "delivery_address": ["type": "string"]],
        "additionalProperties": false,
    ]), readOnly: true)
    static let updateStock = FakeTool(definition: ToolDefinition(name: "update_stock", description: "", parameters: [
        "type": "object", "properties": ["product_id": ["type": "string"], "delta": ["type": "integer"]],
        "required": ["product_id", "delta"], "additionalProperties": false,
    ]), readOnly: false)
    static let updateStatus = FakeTool(definition: ToolDefinition(name: "update_delivery_status", description: "", parameters: [
        "type": "object", "properties": ["order_id": ["type": "string"], "status": ["type": "string"]],
        "required": ["order_id", "status"],
    ]), readOnly: false)

    static func call(_ tool: FakeTool?, name: String? = nil, _ arguments: JSONValue, earlier: [CallKey] = []) -> PendingCall {
        PendingCall(name: name ?? tool?.definition.name ?? "?", arguments: .success(arguments), tool: tool, earlierInMessage: earlier)
    }

    static func run(made: [ToolCallRecord] = [], writesAfter: Int = 0, writeCount: Int = 0, steps: [StepRecord] = [],
                    interventions: [String] = [], firstTool: String? = nil, delegated: CallKey? = nil,
                    canAskPerson: Bool = false) -> RunView {
        RunView(agent: "inventory#1", firstTool: firstTool, delegated: delegated, steps: steps,
                made: made.map { MadeCall(record: $0, writesAfter: writesAfter) }, writeCount: writeCount,
                interventions: interventions, canAskPerson: canAskPerson)
    }

    static func record(_ name: String, _ arguments: JSONValue, error: String? = nil, result: JSONValue = ["ok": true],
                       policy: String? = nil, alreadyDone: Bool = false) -> ToolCallRecord {
        var record = ToolCallRecord(id: "c", name: name, arguments: arguments, isError: error != nil,
                                    result: error.map { .string($0) } ?? result, durationMs: 1, rejected: false)
        record.policy = policy
        record.alreadyDone = alreadyDone
        return record
    }

    static func step(_ calls: [ToolCallRecord], content: String = "") -> StepRecord {
        StepRecord(step: 1, content: content, toolCalls: calls, usage: nil, durationMs: 1, finalAnswerRequest: false)
    }

    // MARK: - Calls

    @Test func schemaCheckNamesWhatToFix() {
        let check = SchemaCheck(toolNames: ["update_stock"], foreignTools: ["create_order": "it belongs to the orders agent"])
        #expect(check.check(Self.call(Self.updateStock, ["product_id": "prod1", "delta": 2]), in: Self.run()) == .allow)
        guard case .reject(let foreign) = check.check(Self.call(nil, name: "create_order", [:]), in: Self.run()) else {
            Issue.record("a foreign tool was allowed")
            return
        }
        #expect(foreign.message == "'create_order' is not one of your tools (it belongs to the orders agent). Nothing was called. Your tools: update_stock.")
        #expect(foreign.malformed)
        guard case .reject(let schema) = check.check(Self.call(Self.updateStock, ["product_id": "prod1"]), in: Self.run()) else {
            Issue.record("a call missing a required field was allowed")
            return
        }
        #expect(schema.message.hasPrefix("invalid arguments for update_stock:") && schema.message.contains("delta"))
        var bad = Self.call(Self.updateStock, [:])
        bad.arguments = .failure(ArgumentsError(detail: "not valid JSON (x)"))
        #expect(check.check(bad, in: Self.run()) == .malformed("invalid arguments for update_stock: not valid JSON (x). Send one JSON "
            + "object that matches the tool's schema. Nothing was called."))
    }

    @Test func emptyOptionalsAreLeftOut() {
        let policy = EmptyOptionalsLeftOut()
        #expect(policy.check(Self.call(Self.listOrders, ["delivery_address": "", "status": "pending"]), in: Self.run())
                == .rewrite(["status": "pending"], note: nil))
        #expect(policy.check(Self.call(Self.listOrders, ["status": "pending"]), in: Self.run()) == .allow)
        // A required field sent as "" is the schema's to refuse.
        #expect(policy.check(Self.call(Self.updateStatus, ["order_id": "", "status": "x"]), in: Self.run()) == .allow)
    }

    @Test func readFiltersTheRequestDoesNotGiveAreLeftOut() {
        let policy = UngroundedReadFiltersLeftOut(grounding: RequestGrounding("Which orders go to 5 Oak St?"))
        #expect(policy.check(Self.call(Self.listOrders, ["delivery_address": "5 Oak St"]), in: Self.run()) == .allow)
        guard case .rewrite(let arguments, let note) = policy.check(Self.call(Self.listOrders, ["delivery_address": "None"]), in: Self.run())
        else {
            Issue.record("an address of the model's own was kept")
            return
        }
        #expect(arguments == [:])
        #expect(note?.hasPrefix("(The delivery_address you gave is not in the user's request") == true)
    }

    @Test func aRepeatOfASuccessIsRefusedUntilSomethingIsWritten() {
        let policy = RepeatedSuccess()
        let made = [Self.record("list_orders", ["status": "pending"])]
        let again = Self.call(Self.listOrders, ["status": "pending"])
        guard case .reject(let refusal) = policy.check(again, in: Self.run(made: made)) else {
            Issue.record("a repeat was allowed")
            return
        }
        #expect(refusal.malformed && refusal.message.hasPrefix("you already made this exact list_orders call and it succeeded"))
        // A write since: the same read may answer otherwise.
        #expect(policy.check(again, in: Self.run(made: made, writesAfter: 0, writeCount: 1)) == .allow)
        // Twice in one message.
        #expect(policy.check(again, in: Self.run()) == .allow)
        #expect(policy.check(Self.call(Self.listOrders, ["status": "pending"],
                                       earlier: [CallKey(name: "list_orders", arguments: ["status": "pending"])]), in: Self.run()) != .allow)
    }

    @Test func aRepeatOfAFailureIsRefusedUnlessItSaidToRetry() {
        let policy = RepeatedFailure()
        let call = Self.call(Self.updateStock, ["product_id": "prod1", "delta": -50])
        let failed = Self.record("update_stock", ["product_id": "prod1", "delta": -50], error: "insufficient stock. Nothing was changed.")
        #expect(policy.check(call, in: Self.run(made: [failed])) == .malformed("you already made this exact update_stock call and it "
            + "failed: insufficient stock. Nothing was changed. It was not run again. Change the arguments, or finish with your "
            + "final answer and report the error."))
        let busy = Self.record("update_stock", ["product_id": "prod1", "delta": -50], error: "database busy: retry in a moment")
        #expect(policy.check(call, in: Self.run(made: [busy])) == .allow)
        // The manager's: refused only while nothing has been written since the failure.
        let manager = RepeatedFailure(onlyIfNothingWritten: true)
        #expect(manager.check(call, in: Self.run(made: [failed], writesAfter: 2, writeCount: 2)) != .allow)
        #expect(manager.check(call, in: Self.run(made: [failed], writesAfter: 2, writeCount: 3)) == .allow)
    }

    @Test func aLookupMakesNoWrite() {
        let policy = LookupOnly(lookup: "list_orders")
        #expect(policy.check(Self.call(Self.listOrders, [:]), in: Self.run()) == .allow)
        guard case .reject(let refusal) = policy.check(Self.call(Self.updateStock, ["product_id": "p", "delta": 1]), in: Self.run())
        else {
            Issue.record("a lookup wrote")
            return
        }
        #expect(refusal.message.hasPrefix("not made: you were sent to look something up with list_orders") && !refusal.malformed)
    }

    @Test func aDoubtedWriteWaitsForAPersonOrIsRefusedWhenNobodyCanBeAsked() {
        let policy = GroundedWrites(grounding: RequestGrounding("Write off 2 damaged Monitors (prod4)."), earlierAttempts: { _ in [] })
        let grounded = Self.call(Self.updateStock, ["product_id": "prod4", "delta": -2])
        let doubted = Self.call(Self.updateStock, ["product_id": "prod4", "delta": -1])
        #expect(policy.check(grounded, in: Self.run()) == .allow)
        guard case .reject(let refusal) = policy.check(doubted, in: Self.run(canAskPerson: false)) else {
            Issue.record("a doubted write was allowed with nobody to ask")
            return
        }
        #expect(refusal.failsWrite && refusal.message.hasPrefix("cannot change stock by -1"))
        guard case .askPerson(let reason) = policy.check(doubted, in: Self.run(canAskPerson: true)) else {
            Issue.record("a doubted write was not put to the person at the terminal")
            return
        }
        #expect(reason.hasPrefix("cannot change stock by -1"))
    }

    @Test func approvalHoldsTheWritesItsModeCovers() {
        let cancel = Self.call(Self.updateStatus, ["order_id": "ord_a", "status": "cancelled"])
        let ship = Self.call(Self.updateStatus, ["order_id": "ord_a", "status": "in_transit"])
        let writeOff = Self.call(Self.updateStock, ["product_id": "prod1", "delta": -1])
        let restock = Self.call(Self.updateStock, ["product_id": "prod1", "delta": 5])
        let read = Self.call(Self.listOrders, [:])
        func held(_ mode: ApprovalMode) -> [Bool] {
            [cancel, ship, writeOff, restock, read].map {
                if case .askPerson = WriteApproval(mode: mode).check($0, in: Self.run()) { true } else { false }
            }
        }
        #expect(held(.never) == [false, false, false, false, false])
        #expect(held(.destructive) == [true, false, true, false, false])
        #expect(held(.writes) == [true, true, true, true, false])
    }

    @Test func aSmallManagersDelegationStartsWithTheToolItsTaskNames() {
        let policy = DelegationStart()
        let delegate = FakeTool(definition: ToolDefinition(name: "orders", description: "", parameters: [:]), readOnly: false)
        func decide(_ tool: String, _ task: String) -> PolicyOutcome {
            policy.check(Self.call(delegate, ["tool": .string(tool), "task": .string(task)]), in: Self.run())
        }
        #expect(decide("create_order", "Order 2 prod1 to 9 Pine St.") == .allow)
        #expect(decide("get_order", "list_orders for 9 Pine St") == .rewrite(["tool": "list_orders", "task": "list_orders for 9 Pine St"], note: nil))
        #expect(decide("list_orders", " ") == .rewrite(["tool": "list_orders", "task": "list_orders"], note: nil))
        guard case .reject = decide("create_order", "get_order, list_orders") else {
            Issue.record("a task naming two other tools was allowed")
            return
        }
    }

    // MARK: - Steps

    @Test func anEmptyReplyIsAskedAgainOnceThenEndsTheRunIncomplete() {
        let policy = EmptyReply()
        let empty = StepView(content: "  ", calls: [])
        #expect(policy.review(empty, in: Self.run()) == .refused("Your reply was empty. Give your final answer now."))
        #expect(policy.review(empty, in: Self.run(interventions: ["empty-reply"]))
                == .stop(.incomplete(note: "no final answer: the model's reply was empty twice")))
        #expect(policy.review(StepView(content: "Done.", calls: []), in: Self.run()) == .allow)
        // On a final_answer server, an empty reply after a success is the model choosing to stop.
        let made = [Self.record("check_stock", ["product_id": "prod1"], result: ["stock": 10])]
        #expect(EmptyReply(resultsCanAnswer: true).review(empty, in: Self.run(made: made)) == .stop(.answer("check_stock: {stock: 10}")))
    }

    @Test func anAnswerRightAfterAFixableErrorIsSentBackOnce() {
        let policy = FixableErrorSendBack()
        let failed = Self.record("create_order", [:], error: "product not found: 'Headphones'. By name: 'Headphones' is prod3.")
        let steps = [Self.step([failed]), Self.step([], content: "Not found.")]
        let answer = StepView(content: "Not found.", calls: [])
        #expect(policy.review(answer, in: Self.run(steps: steps)) == .refused("The error of your last call says how to fix it. "
            + "Make the corrected create_order call now; answer only if it cannot be done."))
        #expect(policy.review(answer, in: Self.run(steps: steps, interventions: ["fixable-error-send-back"])) == .allow)
        let plain = [Self.step([Self.record("create_order", [:], error: "insufficient stock.")]), Self.step([])]
        #expect(policy.review(answer, in: Self.run(steps: plain)) == .allow)
    }

    @Test func aSmallSubAgentIsDoneWhenItsNamedCallSucceeds() {
        let policy = FirstCallDone()
        let made = Self.record("update_stock", ["product_id": "prod1", "delta": 5], result: ["product_id": "prod1", "stock": 15])
        #expect(policy.review(StepView(content: "", calls: [made]), in: Self.run(firstTool: "update_stock"))
                == .stop(.answer("update_stock: {product_id: prod1, stock: 15}")))
        #expect(policy.review(StepView(content: "", calls: [made]), in: Self.run(firstTool: "check_stock")) == .allow)
        let already = Self.record("update_stock", [:], alreadyDone: true)
        #expect(policy.review(StepView(content: "", calls: [already]), in: Self.run(firstTool: "update_stock")) == .allow)
    }

    @Test func twoStepsOfOnlyRepeatsAskForTheAnswer() {
        let policy = RepeatOnlySteps()
        let repeated = Self.record("list_orders", [:], error: "you already made this exact call", policy: "repeated-success")
        let fresh = Self.record("list_orders", ["status": "pending"])
        let twice = [Self.step([repeated]), Self.step([repeated])]
        guard case .stop(.askForAnswer(let prompt)) = policy.review(StepView(content: "", calls: [repeated]), in: Self.run(steps: twice))
        else {
            Issue.record("two steps of repeats went on")
            return
        }
        #expect(prompt.hasPrefix("You already have those results"))
        #expect(policy.review(StepView(content: "", calls: [repeated]), in: Self.run(steps: [Self.step([fresh]), Self.step([repeated])])) == .allow)
    }

    @Test func theGoalReachedAsksForTheAnswer() {
        let step = StepView(content: "", calls: [Self.record("orders", [:])])
        guard case .stop(.askForAnswer) = GoalReached(isReached: { true }).review(step, in: Self.run()) else {
            Issue.record("a capable model is asked for its answer"); return
        }
        #expect(GoalReached(isReached: { true }, hostAnswers: true).review(step, in: Self.run()) == .stop(.answer(GoalReached.hostAnswer)))
        #expect(GoalReached(isReached: { false }).review(StepView(content: "", calls: [Self.record("orders", [:])]), in: Self.run()) == .allow)
    }

    /// A write of the tool the manager named keeps the values the manager gave; only ids may differ.
    @Test func delegatedValuesAreKeptButIdsMayChange() {
        let policy = DelegatedValuesKept()
        let delegated = CallKey(name: "update_delivery_status", arguments: ["order_id": "ord_nope", "status": "in_transit"])
        let run = Self.run(firstTool: "update_delivery_status", delegated: delegated)
        #expect(policy.check(Self.call(Self.updateStatus, ["order_id": "ord_nope", "status": "in_transit"]), in: run) == .allow)
        #expect(policy.check(Self.call(Self.updateStatus, ["order_id": "ord_found", "status": "in_transit"]), in: run) == .allow)
        guard case .reject(let refusal) = policy.check(Self.call(Self.updateStatus, ["order_id": "ord_found", "status": "delivered"]),
                                                       in: run) else {
            Issue.record("a changed status was allowed")
            return
        }
        #expect(refusal.message.contains("the manager's call gave status \"in_transit\""))
        #expect(!refusal.malformed)
        // Reads, other tools and runs without a delegated call are not its business.
        #expect(policy.check(Self.call(Self.listOrders, ["status": "pending"]), in: run) == .allow)
        #expect(policy.check(Self.call(Self.updateStatus, ["order_id": "a", "status": "cancelled"]), in: Self.run()) == .allow)
        // An address is compared as a person reads it; a quantity in an order's lines is a value too.
        let createOrder = FakeTool(definition: ToolDefinition(name: "create_order", description: "", parameters: [
            "type": "object", "required": ["delivery_address", "items"],
            "properties": ["delivery_address": ["type": "string"], "idempotency_key": ["type": "string"],
                           "items": ["type": "array", "items": ["type": "object", "required": ["product_id", "quantity"],
                                                                "properties": ["product_id": ["type": "string"],
                                                                               "quantity": ["type": "integer"]]]]],
        ]), readOnly: false)
        let order = CallKey(name: "create_order", arguments: ["delivery_address": "9 Pine St.",
                                                              "items": [["product_id": "Laptop1", "quantity": 2]]])
        let orderRun = Self.run(firstTool: "create_order", delegated: order)
        #expect(policy.check(Self.call(createOrder, ["delivery_address": "9 pine st", "idempotency_key": "k",
                                                     "items": [["product_id": "prod1", "quantity": 2]]]), in: orderRun) == .allow)
        #expect(policy.check(Self.call(createOrder, ["delivery_address": "9 Pine St.",
                                                     "items": [["product_id": "prod1", "quantity": 9]]]), in: orderRun) != .allow)
        #expect(policy.check(Self.call(createOrder, ["delivery_address": "9 Pine St.",
                                                     "items": [["product_id": "prod1", "quantity": 2], ["product_id": "prod3", "quantity": 1]]]),
                             in: orderRun) != .allow)
    }

    /// The manager's call settles the delegation unless the agent can fix an id: a success or a
    /// refusal ends the run; "not found" and a schema refusal go to the agent's model.
    @Test func theDelegatedCallSettlesUnlessAnIdWasNotFound() {
        let policy = DelegatedCallSettles()
        let delegated = CallKey(name: "update_stock", arguments: ["product_id": "prod1", "delta": -3])
        func outcome(_ record: ToolCallRecord, delegatedCall: Bool = true) -> PolicyOutcome {
            let step = Self.step([record])
            return policy.review(StepView(content: "", calls: [record]), in: Self.run(steps: [step], firstTool: "update_stock",
                                                                                       delegated: delegatedCall ? delegated : nil))
        }
        guard case .stop(.answer(let done)) = outcome(Self.record("update_stock", delegated.arguments, result: ["stock": 7])) else {
            Issue.record("a success did not end the run")
            return
        }
        #expect(done.hasPrefix("update_stock:") && done.contains("7"))
        #expect(outcome(Self.record("update_stock", delegated.arguments, error: "cannot change the stock of 'prod1' by -3: it has 2"))
                == .stop(.answer("update_stock failed: cannot change the stock of 'prod1' by -3: it has 2")))
        #expect(outcome(Self.record("update_stock", delegated.arguments, error: "product not found: 'prod9'.")) == .allow)
        var malformed = Self.record("update_stock", delegated.arguments, error: "invalid arguments for update_stock: …")
        malformed.rejected = true
        #expect(outcome(malformed) == .allow)
        // Without a delegated call it has nothing to say.
        #expect(outcome(Self.record("update_stock", delegated.arguments), delegatedCall: false) == .allow)
        // After "not found", a step that only sends the failed call again ends the run with its error.
        let notFound = Self.record("update_stock", ["product_id": "prd1", "delta": -3], error: "product not found: 'prd1'.")
        let repeated = Self.record("update_stock", notFound.arguments, error: "you already made this exact call",
                                   policy: RepeatedFailure().name)
        let later = Self.run(made: [notFound], steps: [Self.step([notFound]), Self.step([repeated])], firstTool: "update_stock",
                             delegated: delegated)
        #expect(policy.review(StepView(content: "", calls: [repeated]), in: later)
                == .stop(.answer("update_stock failed: product not found: 'prd1'.")))
    }

    /// Where the grammar holds the shape, the manager reads each call as a short signature.
    @Test func aTypedDelegationShowsSignatures() {
        let createOrder = ToolDefinition(name: "create_order", description: "", parameters: [
            "type": "object", "required": ["delivery_address", "items"],
            "properties": ["delivery_address": ["type": "string"], "idempotency_key": ["type": "string"],
                           "items": ["type": "array", "items": ["type": "object", "required": ["quantity", "product_id"],
                                                                "properties": ["quantity": ["type": "integer"],
                                                                               "product_id": ["type": "string"]]]]],
        ])
        let listOrders = ToolDefinition(name: "list_orders", description: "", parameters: Self.listOrders.definition.parameters)
        #expect(DelegateTool.signature(of: createOrder) == "create_order(delivery_address, items: [{quantity, product_id}])")
        #expect(DelegateTool.signature(of: listOrders) == "list_orders(status?, delivery_address?)")
    }

    // MARK: - Profiles

    /// In `capable`, nothing reads the request's words: no grounding, no read filters left out, no
    /// guessed delegation start, no forced first call. Both keep the schema check, lookups that
    /// write nothing, and approvals.
    @Test func theProfilesChooseThePolicies() {
        let grounding = RequestGrounding("Order 2 prod1 to 9 Pine St.")
        func names(_ profile: AgentProfile) -> [String] {
            profile.subAgentPolicies(role: .orders, grounding: grounding, lookup: "list_orders", approval: .destructive,
                                     ledger: WriteLedger(), resultsCanAnswer: false).map(\.name)
        }
        #expect(names(.capable) == ["schema-check", "lookup-only", "write-approval", "empty-reply"])
        #expect(names(.small) == ["empty-optionals-left-out", "ungrounded-read-filters-left-out", "schema-check", "repeated-success",
                                  "repeated-failure", "lookup-only", "delegated-values-kept",
                                  "delegated-call-settles", "grounded-writes", "one-stock-change-per-product", "write-approval", "empty-reply",
                                  "fixable-error-send-back", "first-call-done", "repeat-only-steps"])
        #expect(AgentProfile.capable.managerPolicies(delegates: ["orders"], goal: nil).map(\.name) == ["schema-check", "empty-reply"])
        #expect(AgentProfile.small.managerPolicies(delegates: ["orders"], goal: { false }).map(\.name)
                == ["schema-check", "repeated-success", "repeated-failure", "delegation-start", "empty-reply", "repeat-only-steps",
                    "goal-reached"])
        #expect(AgentProfile.small.managerPolicies(delegates: ["orders"], goal: nil, typedDelegations: true).map(\.name)
                == ["schema-check", "unresolved-order", "repeated-success", "repeated-failure", "empty-reply", "repeat-only-steps"])
        #expect(AgentProfile.small.managerPolicies(delegates: ["orders"], goal: nil, typedDelegations: true, createdOrders: { [] })
                .map(\.name).prefix(3) == ["schema-check", "created-order-reference", "unresolved-order"])
        #expect(!AgentProfile.capable.forcesFirstTool && AgentProfile.small.forcesFirstTool)
        #expect(AgentProfile.forCompat("llama-cpp") == .small && AgentProfile.forCompat("openai") == .capable)
    }
}
