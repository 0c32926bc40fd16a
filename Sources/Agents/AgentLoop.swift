import Foundation
import JSON
import LLMClient

/// Per-agent limits.
public struct AgentLimits: Sendable {
    /// Model calls before the agent is asked for a final answer and marked incomplete.
    public var maxSteps: Int
    /// Consecutive steps whose calls were all refused as malformed or repeats before the agent is
    /// stopped the same way.
    public var maxMalformedSteps: Int
    /// Tool calls of one message run at once (1: in order).
    public var maxConcurrentTools: Int

    public init(maxSteps: Int, maxMalformedSteps: Int = 3, maxConcurrentTools: Int = 1) {
        self.maxSteps = maxSteps
        self.maxMalformedSteps = maxMalformedSteps
        self.maxConcurrentTools = maxConcurrentTools
    }
}

/// One LLM tool-calling loop: ask the model; put each call it returns through the policies, then
/// to its tool; pass the results back with their `tool_call_id`; put the step through the
/// policies; stop at a final answer, a policy's stop, or a limit. Every rule that refuses,
/// rewrites, holds or stops a step is one of `policies` (see `AgentPolicy`), named in the trace.
struct AgentLoop: Sendable {
    let id: String
    let role: String
    let systemPrompt: String
    let tools: [any AgentTool]
    let limits: AgentLimits
    let llm: any ChatCompleting
    let tracer: Tracer
    let log: RunLog
    /// The rules this agent's calls and steps go through, in order (see `AgentProfile`).
    var policies: [any AgentPolicy] = []
    /// The first step must call the tool the delegation named (see `AgentProfile.forcesFirstTool`).
    var forcesFirstTool = false
    /// The first step must call tools, as a list where the server holds replies to a schema: a
    /// small manager's plan for a command whose steps are known (`process-orders`: create, then
    /// ship). Asked for after the task, so that the cached prompt before it stays the same.
    var plansFirst = false
    /// The plan's exact calls, when the command's steps are known (see `KnownPlan`): the first
    /// reply is held to them rather than to any list of calls.
    var planShape: [ToolDefinition]?
    /// The first step must call a tool, not answer: a small manager answered requests at once
    /// ("cancel order …": "Order … has been cancelled.") without delegating anything.
    var callsFirst = false
    /// Compact JSON: a small model otherwise indents its plan, and every newline and indent is a
    /// token it writes (a quarter of a plan's tokens).
    static let planRequest = "Reply with the list of every delegation this needs, in order: they run one after another, "
        + "and each agent is told what the ones before it wrote (a new order's id). Write it as compact JSON on one line."

    /// On a server that answers only through `final_answer`, the model need not answer once a call
    /// succeeded (see `EmptyReply`).
    var resultsCanAnswer = false
    /// The instruction's writes: repeats are judged by its count, and writes refused here go to
    /// the answer's `Failed:` line.
    var ledger: WriteLedger?
    /// Who decides about calls a policy holds for a person.
    var approvals = ApprovalGate(approver: NobodyToAsk(), server: nil)

    private struct State {
        var messages: [ChatMessage]
        var steps: [StepRecord] = []
        var made: [MadeCall] = []
        var interventions: [String] = []
        var answer: String?
        var status: RunStatus = .completed
        var note: String?

        /// Keeps a step: its calls' results for the model, the calls that reached their tool, the record.
        mutating func record(_ response: ChatResponse, _ executed: [Executed], step: Int, durationMs: Int, writesAfter: Int,
                             byModel: Bool) {
            for (call, result) in zip(response.toolCalls, executed) {
                messages.append(.tool(callID: call.id, name: call.name, content: result.content))
            }
            made += executed.map(\.record).filter { !$0.rejected }.map { MadeCall(record: $0, writesAfter: writesAfter) }
            steps.append(StepRecord(step: step, content: response.content, toolCalls: executed.map(\.record),
                                    usage: response.usage, durationMs: durationMs, finalAnswerRequest: false, byModel: byModel))
        }
    }

    /// `firstTool`: the tool the delegation named, which the agent starts with. `delegated`: the
    /// call itself, when the manager gave it (see `DelegateTool.calls`): the host makes it as the
    /// first step, through the same policies, and the model takes over only if more is needed.
    /// `level`: the stock level the host worked the delegated call's delta out from (see `StockChange`).
    func run(task: String, firstTool: String? = nil, delegated: CallKey? = nil,
             level: StockChange? = nil) async throws(AgentFailure) -> AgentRecord {
        let started = ContinuousClock.now
        tracer.emit(TraceEvent(kind: .agentStarted, agent: id, message: task))
        var state = State(messages: [.system(systemPrompt), .user(plansFirst ? task + "\n" + Self.planRequest : task)])
        func record(_ status: RunStatus) -> AgentRecord {
            AgentRecord(id: id, role: role, task: task, status: status, answer: state.answer ?? "", steps: state.steps,
                        note: state.note, durationMs: (ContinuousClock.now - started).milliseconds)
        }
        do {
            let firstTool = firstTool.flatMap { name in tools.contains { $0.definition.name == name } ? name : nil }
            try await loop(&state, firstTool: firstTool, delegated: firstTool == nil ? nil : delegated, level: level)
        } catch {
            let failed = record(.failed)
            log.add(failed)
            tracer.emit(TraceEvent(kind: .agentFinished, agent: id, isError: true, durationMs: failed.durationMs,
                                   message: "failed: \(error)"))
            throw error
        }
        let done = record(state.status)
        log.add(done)
        tracer.emit(TraceEvent(kind: .agentFinished, agent: id, result: .string(done.answer),
                               isError: done.status != .completed, durationMs: done.durationMs,
                               message: done.status == .completed ? "done" : "incomplete: \(state.note ?? "")"))
        return done
    }

    /// The first request of a run up to the task, with a placeholder task and an answer asked for
    /// at once (see `HostRun.warmUp`).
    func warmUp() async throws(AgentFailure) {
        _ = try await ask([.system(systemPrompt), .user("(warm-up: answer 'ready')")], choice: .none, step: 0)
    }

    private func loop(_ state: inout State, firstTool: String?, delegated: CallKey?, level: StockChange?) async throws(AgentFailure) {
        var malformedSteps = 0
        func runView(_ state: State) -> RunView { view(state, firstTool, delegated, level) }
        while state.answer == nil {
            if state.steps.count >= limits.maxSteps {
                state.note = "step limit (\(limits.maxSteps)) reached"
                break
            }
            if malformedSteps >= limits.maxMalformedSteps {
                state.note = "\(malformedSteps) steps in a row with only malformed tool calls"
                break
            }
            let step = state.steps.count + 1
            // The model (or, first, the manager's call).
            let fromManager = step == 1 ? delegated : nil
            let reply = if let fromManager { (Self.reply(making: fromManager), 0) }
                else { try await next(&state, step: step, firstTool: firstTool) }
            guard let (response, ms) = reply else { break }
            state.messages.append(response.message)
            // Its calls: through the policies, then to the tools.
            let executed = try await execute(response.toolCalls, step: step, run: runView(state))
            state.record(response, executed, step: step, durationMs: ms, writesAfter: ledger?.count ?? 0, byModel: fromManager == nil)
            if !executed.isEmpty { malformedSteps = executed.allSatisfy(\.record.rejected) ? malformedSteps + 1 : 0 }
            // The step: through the policies.
            let stepView = StepView(content: response.content, calls: executed.map(\.record))
            guard let (policy, outcome) = firstDecision({ $0.review(stepView, in: runView(state)) }) else {
                if stepView.isAnswer { state.answer = response.content }
                continue
            }
            state.interventions.append(policy)
            switch outcome {
            case .reject(let refusal):
                tracer.emit(TraceEvent(kind: .warning, agent: id, step: step, message: "\(policy): \(refusal.message)",
                                       policy: policy))
                state.messages.append(.user(refusal.message))
            case .stop(let stop):
                try await finish(&state, stop, policy: policy, step: step)
            case .allow, .rewrite, .askPerson:
                break  // (not a step's outcome)
            }
        }
        guard state.answer == nil else { return }
        // A limit was reached: ask once for a final answer with what it has.
        state.status = .incomplete
        tracer.emit(TraceEvent(kind: .warning, agent: id, message: "\(state.note ?? "limit reached"): asking for a final answer"))
        let answer = try await askForFinalAnswer(&state, step: state.steps.count + 1, prompt: "Stop: \(state.note ?? "limit reached"). "
            + "Do not call tools. Give your final answer now with what you have: what was done and what was not.")
        state.answer = answer.isEmpty ? "(no final answer: \(state.note ?? "limit reached"))" : answer
    }

    /// The model's next reply (its first forced to the delegation's tool, if the profile says so);
    /// nil when the conversation outgrew the model's context (n_ctx 4096 locally, after some 20
    /// delegations): the run then stops, and asks for its answer with the task and the last exchange only.
    private func next(_ state: inout State, step: Int, firstTool: String?) async throws(AgentFailure) -> (ChatResponse, Int)? {
        let resultsAnswer = resultsCanAnswer && state.made.contains { !$0.record.isError }
        let choice: ToolChoice = if step == 1, forcesFirstTool, let firstTool { .function(firstTool) }
            else if step == 1, plansFirst, let planShape { .sequence(planShape) }
            else if step == 1, plansFirst || callsFirst { .required } else { .auto }
        do {
            return try await ask(state.messages, choice: choice, step: step, answerRequired: !resultsAnswer)
        } catch {
            guard case .llm(_, let failure) = error, failure.isContextFull, let shorter = Self.compacted(state.messages) else {
                throw error
            }
            state.messages = shorter
            state.note = "the conversation no longer fits the model's context"
            return nil
        }
    }

    /// The first policy that does not allow, and what it decided (nil: all allow).
    private func firstDecision(_ decide: (any AgentPolicy) -> PolicyOutcome) -> (String, PolicyOutcome)? {
        for policy in policies {
            let outcome = decide(policy)
            if outcome != .allow { return (policy.name, outcome) }
        }
        return nil
    }

    private func view(_ state: State, _ firstTool: String?, _ delegated: CallKey?, _ level: StockChange?) -> RunView {
        RunView(agent: id, firstTool: firstTool, delegated: delegated, stockLevel: level, steps: state.steps, made: state.made,
                writeCount: ledger?.count ?? 0, interventions: state.interventions, canAskPerson: approvals.approver.isInteractive)
    }

    /// The manager's call as if the model had made it, so that the model reads it as its own
    /// first step when it must go on (a retry after "order not found").
    static func reply(making call: CallKey) -> ChatResponse {
        ChatResponse(content: "", toolCalls: [ToolCall(id: "manager_call", name: call.name, arguments: JSONWriter.string(call.arguments))])
    }

    /// Ends the run as a policy said.
    private func finish(_ state: inout State, _ stop: Stop, policy: String, step: Int) async throws(AgentFailure) {
        switch stop {
        case .answer(let answer):
            tracer.emit(TraceEvent(kind: .warning, agent: id, step: step, message: "\(policy): the run ends with the results as its answer",
                                   policy: policy))
            state.answer = answer
        case .askForAnswer(let prompt):
            tracer.emit(TraceEvent(kind: .warning, agent: id, step: step, message: "\(policy): asking for the final answer",
                                   policy: policy))
            state.answer = try await askForFinalAnswer(&state, step: step + 1, prompt: prompt)
        case .incomplete(let note):
            tracer.emit(TraceEvent(kind: .warning, agent: id, step: step, message: "\(policy): \(note)", policy: policy))
            state.status = .incomplete
            state.note = note
            state.answer = "(\(note))"
        }
    }

    /// Tells the model to answer now (`prompt`) and asks with no tool allowed; records the step.
    private func askForFinalAnswer(_ state: inout State, step: Int, prompt: String) async throws(AgentFailure) -> String {
        state.messages.append(.user(prompt))
        let response: ChatResponse
        let ms: Int
        do {
            (response, ms) = try await ask(state.messages, choice: .none, step: step)
        } catch {
            // The request for the answer no longer fits the context (a manager at its step limit
            // after ten delegations): ask again with the task and the last exchange only.
            guard case .llm(_, let failure) = error, failure.isContextFull,
                  let shorter = Self.compacted(Array(state.messages.dropLast())) else { throw error }
            state.messages = shorter + [.user(prompt)]
            state.note = state.note ?? "the conversation no longer fits the model's context"
            (response, ms) = try await ask(state.messages, choice: .none, step: step)
        }
        state.steps.append(StepRecord(step: step, content: response.content, toolCalls: [], usage: response.usage,
                                      durationMs: ms, finalAnswerRequest: true))
        return response.content
    }

    private func ask(_ messages: [ChatMessage], choice: ToolChoice, step: Int,
                     answerRequired: Bool = true) async throws(AgentFailure) -> (ChatResponse, Int) {
        let request = ChatRequest(messages: messages, tools: tools.map(\.definition), toolChoice: choice,
                                  parallelToolCalls: limits.maxConcurrentTools > 1 || plansFirst, answerRequired: answerRequired)
        let started = ContinuousClock.now
        let response: ChatResponse
        do { response = try await llm.complete(request) } catch {
            if case .cancelled = error { throw .cancelled }
            throw .llm(agent: id, error)
        }
        let ms = (ContinuousClock.now - started).milliseconds
        tracer.emit(TraceEvent(kind: .modelReplied, agent: id, step: step, durationMs: ms, usage: response.usage,
                               message: response.content))
        if response.toolCallsFromText {
            tracer.emit(TraceEvent(kind: .warning, agent: id, step: step, message: "tool call(s) read from the message text"))
        }
        return (response, ms)
    }

    /// The system prompt and the task, then the last exchange (the model's last calls and their
    /// results); nil when there is nothing to leave out.
    static func compacted(_ messages: [ChatMessage]) -> [ChatMessage]? {
        guard let last = messages.lastIndex(where: { if case .assistant = $0 { true } else { false } }), last > 2 else {
            return nil
        }
        return Array(messages.prefix(2)) + messages[last...]
    }

    // MARK: - Calls

    /// A call after the policies' checks: what to do with it.
    private struct Checked: Sendable {
        let call: ToolCall
        /// The arguments as the model sent them, when a policy rewrote them (for the trace).
        var sent: JSONValue?
        var arguments: JSONValue?
        var notes: [String] = []
        var decision: Decision = .run
        /// The policy that refused, held or rewrote it.
        var policy: String?

        enum Decision: Sendable {
            case run
            case refuse(Refusal)
            case hold(reasons: [String])
        }
    }

    private struct Executed: Sendable {
        var record: ToolCallRecord
        var content: String
    }

    /// Puts one message's calls through the policies' checks, in order (a call is checked against
    /// the ones before it in the message), then runs them, at most `maxConcurrentTools` at once.
    private func execute(_ calls: [ToolCall], step: Int, run: RunView) async throws(AgentFailure) -> [Executed] {
        if calls.count > 1, limits.maxConcurrentTools == 1 {
            let steps = calls.enumerated().map { index, call in
                let tool = (try? ToolArguments.parse(call.arguments).get())?["tool"]?.stringValue
                return "\(index + 1). \(call.name)" + (tool.map { " \($0)" } ?? "")
            }
            tracer.emit(TraceEvent(kind: .plan, agent: id, step: step, message: steps.joined(separator: "  ")))
        }
        var earlier: [CallKey] = []
        func checkInTurn(_ call: ToolCall) -> Checked {
            let result = check(call, earlier: earlier, run: run)
            if let arguments = result.arguments { earlier.append(CallKey(name: call.name, arguments: arguments)) }
            return result
        }
        guard plansFirst, calls.count > 1 else {
            let checked = calls.map(checkInTurn)
            return try await boundedMap(checked, limit: limits.maxConcurrentTools) { checked async throws(AgentFailure) -> Executed in
                try await execute(checked, step: step)
            }
        }
        // A plan's steps are checked as each comes up (after what the steps before it made), and
        // the plan stops at its first failed step: the steps after it may need what it was to make
        // (a shipment of the order a failed create_order was to create), and the model replans.
        var executed: [Executed] = []
        for call in calls {
            var next = checkInTurn(call)
            if let failed = executed.firstIndex(where: { $0.record.isError && !$0.record.rejected }) {
                next.decision = .refuse(Refusal("Not run: step \(failed + 1) of your plan (\(calls[failed].name)) failed "
                    + "first, so the steps after it were not run. Nothing was called."))
                next.policy = "plan-stops-at-failure"
            }
            executed.append(try await execute(next, step: step))
        }
        return executed
    }

    private func check(_ call: ToolCall, earlier: [CallKey], run: RunView) -> Checked {
        let arguments = ToolArguments.parse(call.arguments)
        var pending = PendingCall(name: call.name, arguments: arguments, tool: tools.first { $0.definition.name == call.name },
                                  earlierInMessage: earlier)
        var checked = Checked(call: call, arguments: pending.parsed)
        var holds: [String] = []
        for policy in policies {
            switch policy.check(pending, in: run) {
            case .allow, .stop:
                continue
            case .rewrite(let rewritten, let note):
                checked.sent = checked.sent ?? pending.parsed
                pending.arguments = .success(rewritten)
                checked.arguments = rewritten
                if let note { checked.notes.append(note) }
                checked.policy = policy.name
            case .reject(let refusal):
                checked.decision = .refuse(refusal)
                checked.policy = policy.name
                return checked
            case .askPerson(let reason):
                holds.append(reason)
                checked.policy = policy.name
            }
        }
        if !holds.isEmpty { checked.decision = .hold(reasons: holds) }
        if checked.sent == checked.arguments { checked.sent = nil }
        return checked
    }

    private func execute(_ checked: Checked, step: Int) async throws(AgentFailure) -> Executed {
        let started = ContinuousClock.now
        let call = checked.call
        let arguments = checked.arguments ?? .string(call.arguments)
        // The trace shows what the model sent; what the tool got is in the run report.
        tracer.emit(TraceEvent(kind: .toolCall, agent: id, step: step, tool: call.name, callID: call.id,
                               arguments: checked.sent ?? arguments))
        var outcome: ToolOutcome
        var rejected = false
        var decision = checked.decision
        if case .hold(let reasons) = decision {
            tracer.emit(TraceEvent(kind: .warning, agent: id, step: step, tool: call.name,
                                   message: "\(checked.policy ?? "policy"): waiting for a person's approval", policy: checked.policy))
            switch await approvals.decide(agent: id, tool: call.name, arguments: arguments, reasons: reasons) {
            case .approved: decision = .run
            case .declined(let message): decision = .refuse(Refusal(message, failsWrite: true))
            }
        }
        switch decision {
        case .refuse(let refusal):
            outcome = .error(refusal.message)
            rejected = refusal.malformed
            if refusal.failsWrite { ledger?.refuse(call.name, arguments, agent: id, error: refusal.message) }
        case .run, .hold:
            if let tool = tools.first(where: { $0.definition.name == call.name }), checked.arguments != nil {
                outcome = try await tool.call(arguments, caller: id)
            } else {
                outcome = .error("unknown tool '\(call.name)'")
                rejected = true
            }
        }
        let note = checked.notes.isEmpty ? nil : checked.notes.joined(separator: " ")
        if let note { outcome.content = note + " " + outcome.content }
        let ms = (ContinuousClock.now - started).milliseconds
        let refusedBy: String? = if case .refuse = decision { checked.policy } else { nil }
        tracer.emit(TraceEvent(kind: .toolResult, agent: id, step: step, tool: call.name, callID: call.id,
                               result: outcome.record, isError: outcome.isError, durationMs: ms,
                               message: refusedBy.map { "refused by \($0)" } ?? note, policy: checked.policy))
        var record = ToolCallRecord(id: call.id, name: call.name, arguments: arguments, isError: outcome.isError,
                                    result: outcome.record, durationMs: ms, rejected: rejected)
        record.policy = checked.policy
        record.alreadyDone = outcome.alreadyDone
        return Executed(record: record, content: outcome.content)
    }
}

enum ToolArguments {
    /// A tool call's arguments text as a JSON object ("" is `{}`).
    static func parse(_ text: String) -> Result<JSONValue, ArgumentsError> {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .success([:]) }
        do {
            let value = try JSONParser.parse(text)
            guard case .object = value else { return .failure(ArgumentsError(detail: "arguments must be a JSON object, got \(value.typeName)")) }
            return .success(value)
        } catch {
            return .failure(ArgumentsError(detail: "not valid JSON (\(error))"))
        }
    }
}

extension Duration {
    var milliseconds: Int { Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000) }
}
