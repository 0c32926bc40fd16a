import Foundation
import JSON
import LLMClient

/// Per-agent limits.
public struct AgentLimits: Sendable {
    /// Model calls before the agent is asked for a final answer and marked incomplete.
    public var maxSteps: Int
    /// Consecutive steps whose calls were all refused by the host (bad JSON, unknown tool, schema)
    /// before the agent is stopped the same way.
    public var maxMalformedSteps: Int
    /// Tool calls of one message run at once (1: in order).
    public var maxConcurrentTools: Int

    public init(maxSteps: Int, maxMalformedSteps: Int = 3, maxConcurrentTools: Int = 1) {
        self.maxSteps = maxSteps
        self.maxMalformedSteps = maxMalformedSteps
        self.maxConcurrentTools = maxConcurrentTools
    }
}

/// One LLM tool-calling loop: it asks the model, runs the tool calls it returns (checking their
/// arguments against each tool's schema first), passes the results back with their
/// `tool_call_id`, and stops at a final answer or at its limits.
struct AgentLoop: Sendable {
    let id: String
    let role: String
    let systemPrompt: String
    let tools: [any AgentTool]
    let limits: AgentLimits
    let llm: any ChatCompleting
    let tracer: Tracer
    let log: RunLog
    /// Tools of other agents, by name, with whose they are: a call to one is refused with that.
    var foreignTools: [String: String] = [:]
    /// An empty reply after a successful tool call ends the run, with those results as its
    /// answer: for sub-agents on a server that can only answer through `final_answer`, where an
    /// empty reply is the model choosing to stop and the manager reads the results anyway.
    var resultsCanAnswer = false
    /// The goal of the run is reached (checked after every step): the agent is asked for its
    /// final answer at once rather than left to decide, which a small model does not always do.
    var goalReached: (@Sendable () -> Bool)?
    /// A call identical to one that failed earlier in this run is refused, unless its error said
    /// to retry: for sub-agents, whose tools answer the same call the same way within a run (a
    /// small model sent one short-stock create_order six times). Not for the manager: between
    /// two equal delegations another agent may have changed what the first one lacked.
    var refusesFailedRepeats = false
    /// The run ends as soon as a call of its `firstTool` succeeds, with that result as its answer:
    /// for sub-agents, whose delegation named the one call it is for (a small model given the
    /// user's request went on to do all of it).
    var doneWhenFirstToolSucceeds = false
    /// A final answer right after an error that says how to fix the call is sent back once, with
    /// "make the corrected call": for sub-agents (a small orders agent told "By name: 'Headphones'
    /// is prod3" answered that the products were not found).
    var retriesSuggestedFixes = false
    /// How an error says how to fix the call: the ToolServer's "By name: 'Headphones' is prod3",
    /// and the host's and the server's "Did you mean …?".
    static let fixMarkers = ["By name:", "Did you mean"]
    /// How many writes the instruction has made so far (its ledger's count): a call identical to
    /// one that succeeded is a repeat only if nothing was written since (the manager checked the
    /// stock before a cancellation, then had the same check refused after it).
    var writeCount: (@Sendable () -> Int)?

    private struct State {
        var messages: [ChatMessage]
        var steps: [StepRecord] = []
        /// The calls that reached their tool, in order, each with `writeCount` after it.
        var made: [Made] = []
        var answer: String?
        var status: RunStatus = .completed
        var note: String?
    }

    /// `firstTool`: the tool the first step must call (the manager names it when it delegates).
    func run(task: String, firstTool: String? = nil) async throws(AgentFailure) -> AgentRecord {
        let started = ContinuousClock.now
        tracer.emit(TraceEvent(kind: .agentStarted, agent: id, message: task))
        var state = State(messages: [.system(systemPrompt), .user(task)])
        func record(_ status: RunStatus) -> AgentRecord {
            AgentRecord(id: id, role: role, task: task, status: status, answer: state.answer ?? "", steps: state.steps,
                        note: state.note, durationMs: (ContinuousClock.now - started).milliseconds)
        }
        do {
            try await loop(&state, firstTool: firstTool.flatMap { name in tools.contains { $0.definition.name == name } ? name : nil })
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

    private func loop(_ state: inout State, firstTool: String?) async throws(AgentFailure) {
        var malformedSteps = 0
        var repeatSteps = 0
        var nudged = false
        var sentBackToFix = false
        var foundAlreadyDone = false
        var step = 0
        while state.answer == nil {
            if step > 0, goalReached?() == true {
                tracer.emit(TraceEvent(kind: .warning, agent: id, message: "the instruction is done: asking for the final answer"))
                // One sentence: the host adds the writes' ids and statuses itself, and the local model
                // spent 11 to 13 s on an 80 to 130-token summary here.
                state.answer = try await askForFinalAnswer(&state, step: step + 1, prompt: "That completes the instruction. Do not "
                    + "call tools. Give your final answer now, in one short sentence: what was done, with the ids and statuses.")
                return
            }
            if step >= limits.maxSteps {
                state.note = "step limit (\(limits.maxSteps)) reached"
                break
            }
            if malformedSteps >= limits.maxMalformedSteps {
                state.note = "\(malformedSteps) steps in a row with only malformed tool calls"
                break
            }
            step += 1
            let succeeded = state.made.map(\.record).filter { !$0.isError }
            let resultsAnswer = resultsCanAnswer && !succeeded.isEmpty
            let choice: ToolChoice = if step == 1, let firstTool { .function(firstTool) } else { .auto }
            let response: ChatResponse
            let ms: Int
            do {
                (response, ms) = try await ask(state.messages, choice: choice, step: step, answerRequired: !resultsAnswer)
            } catch {
                // The conversation outgrew the model's context (n_ctx 4096 locally, after some 20
                // delegations): stop, and ask for the answer with the task and the last exchange only.
                guard case .llm(_, let failure) = error, failure.isContextFull, let shorter = Self.compacted(state.messages) else {
                    throw error
                }
                state.messages = shorter
                state.note = "the conversation no longer fits the model's context"
                break
            }
            if response.toolCalls.isEmpty {
                state.steps.append(StepRecord(step: step, content: response.content, toolCalls: [], usage: response.usage,
                                              durationMs: ms, finalAnswerRequest: false))
                if response.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    if resultsAnswer {
                        state.answer = Self.answer(from: succeeded)
                        return
                    }
                    if !nudged {
                        // Some servers return "" instead of an answer: ask once more, plainly.
                        nudged = true
                        state.messages.append(response.message)
                        state.messages.append(.user("Your reply was empty. Give your final answer now."))
                        continue
                    }
                    // Empty again: there is no answer to report as done.
                    state.status = .incomplete
                    state.note = "no final answer: the model's reply was empty twice"
                    state.answer = "(\(state.note ?? ""))"
                    tracer.emit(TraceEvent(kind: .warning, agent: id, step: step, message: state.note))
                    return
                }
                if retriesSuggestedFixes, !sentBackToFix, let failed = state.steps.dropLast().last?.toolCalls.last,
                   failed.isError, Self.fixMarkers.contains(where: (failed.result.stringValue ?? "").contains) {
                    sentBackToFix = true
                    state.messages.append(response.message)
                    state.messages.append(.user("The error of your last call says how to fix it. Make the corrected "
                        + "\(failed.name) call now; answer only if it cannot be done."))
                    tracer.emit(TraceEvent(kind: .warning, agent: id, step: step,
                                           message: "answered after an error that says how to fix the call: asking for the corrected call"))
                    continue
                }
                state.answer = response.content
                return
            }
            state.messages.append(response.message)
            let records = try await execute(response.toolCalls, step: step, made: state.made)
            let writes = writeCount?() ?? 0
            state.made += records.filter { !$0.record.rejected }.map { Made(record: $0.record, writesAfter: writes) }
            for (call, record) in zip(response.toolCalls, records) {
                state.messages.append(.tool(callID: call.id, name: call.name, content: record.content))
            }
            malformedSteps = records.allSatisfy(\.record.rejected) ? malformedSteps + 1 : 0
            state.steps.append(StepRecord(step: step, content: response.content, toolCalls: records.map(\.record),
                                          usage: response.usage, durationMs: ms, finalAnswerRequest: false))
            if doneWhenFirstToolSucceeds, let firstTool,
               records.contains(where: { $0.record.name == firstTool && !$0.record.isError && !$0.alreadyDone }) {
                // (A call the host refused is an error too. A write another agent had already made
                // is not this agent's part done: given the whole request, a small inventory agent
                // told "prod5 5" made the request's first restock, of prod3, again.)
                state.answer = Self.answer(from: records.map(\.record).filter { !$0.isError })
                return
            }
            repeatSteps = records.allSatisfy(\.repeatsSuccess) ? repeatSteps + 1 : 0
            if foundAlreadyDone, repeatSteps > 0 {
                // Nothing new after its call was found already done: the earlier result is its answer.
                state.answer = Self.answer(from: state.made.map(\.record).filter { !$0.isError })
                return
            }
            foundAlreadyDone = foundAlreadyDone || records.contains(where: \.alreadyDone)
            if repeatSteps >= 2 {
                // Twice in a row only calls it has already made, with their results in hand: the model
                // has nothing new to do (a small model repeated a read three times rather than answer).
                tracer.emit(TraceEvent(kind: .warning, agent: id, step: step,
                                       message: "only repeats of calls that succeeded: asking for the final answer"))
                state.answer = try await askForFinalAnswer(&state, step: step + 1, prompt: "You already have those results "
                    + "(above). Do not call tools. Give your final answer now, stating the results.")
                return
            }
        }
        // A limit was reached: ask once for a final answer with what it has.
        state.status = .incomplete
        tracer.emit(TraceEvent(kind: .warning, agent: id, message: "\(state.note ?? "limit reached"): asking for a final answer"))
        let answer = try await askForFinalAnswer(&state, step: step + 1, prompt: "Stop: \(state.note ?? "limit reached"). "
            + "Do not call tools. Give your final answer now with what you have: what was done and what was not.")
        state.answer = answer.isEmpty ? "(no final answer: \(state.note ?? "limit reached"))" : answer
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
                                  parallelToolCalls: limits.maxConcurrentTools > 1, answerRequired: answerRequired)
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

    private struct Executed: Sendable {
        var record: ToolCallRecord
        var content: String
        /// Refused as identical to a call that succeeded earlier.
        var repeatsSuccess = false
        /// Not made: the same write already succeeded for this request, in another agent.
        var alreadyDone = false
    }

    /// A call made earlier in the run, and the instruction's write count after it.
    private struct Made {
        let record: ToolCallRecord
        let writesAfter: Int
    }

    /// Runs one message's calls, given the calls `made` earlier in the run. A call identical to
    /// one that already succeeded with nothing written since (or to an earlier one in the same
    /// message) is refused: a model that repeats itself would otherwise place the same order
    /// again and again. So is one identical to a call that failed, with `refusesFailedRepeats`.
    private func execute(_ calls: [ToolCall], step: Int, made: [Made]) async throws(AgentFailure) -> [Executed] {
        let writes = writeCount?() ?? 0
        var inMessage: [Repeat] = []
        let jobs = calls.map { call -> Job in
            var parsed = ToolArguments.parse(call.arguments)
            let sent = parsed.value
            var note: String?
            if let arguments = parsed.value, let tool = tools.first(where: { $0.definition.name == call.name }) {
                let prepared = tool.prepared(Self.droppingEmptyOptionals(arguments, schema: tool.definition.parameters))
                (parsed, note) = (.valid(prepared.arguments), prepared.note)
            }
            guard let arguments = parsed.value else { return Job(call: call, parsed: parsed, earlier: nil) }
            let key = Repeat(name: call.name, arguments: arguments)
            defer { inMessage.append(key) }
            let previous = made.last { Repeat(name: $0.record.name, arguments: $0.record.arguments) == key }
            let earlier: Job.Earlier? = if inMessage.contains(key) || (previous?.record.isError == false && previous?.writesAfter == writes) {
                .succeeded
            } else if let previous, refusesFailedRepeats, !Self.saysRetry(previous.record.result) {
                .failed(previous.record.result)
            } else {
                nil
            }
            return Job(call: call, parsed: parsed, earlier: earlier, note: note, sent: sent == arguments ? nil : sent)
        }
        return try await boundedMap(jobs, limit: limits.maxConcurrentTools) { job async throws(AgentFailure) -> Executed in
            try await execute(job, step: step)
        }
    }

    /// The arguments without optional ones sent as "": a small model filled an optional filter it
    /// had no value for with "" (`list_orders` with `delivery_address: ""`), which the schema
    /// refuses, and gave up; left out, the call is the one it meant.
    static func droppingEmptyOptionals(_ arguments: JSONValue, schema: JSONValue) -> JSONValue {
        guard case .object(var object) = arguments else { return arguments }
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        for key in object.keys where object[key] == .string("") && !required.contains(key) { object[key] = nil }
        return .object(object)
    }

    /// The system prompt and the task, then the last exchange (the model's last calls and their
    /// results); nil when there is nothing to leave out.
    static func compacted(_ messages: [ChatMessage]) -> [ChatMessage]? {
        guard let last = messages.lastIndex(where: { if case .assistant = $0 { true } else { false } }), last > 2 else {
            return nil
        }
        return Array(messages.prefix(2)) + messages[last...]
    }

    /// An answer made by the host from successful calls, for a run that ends without the model's:
    /// each call with its result when that is short ("check_stock: {product_id: prod5, …, stock:
    /// 17}"). A small manager copied such answers into its own; a bare "Done: check_stock
    /// succeeded" left its final answer without the number asked for.
    static func answer(from calls: [ToolCallRecord]) -> String {
        calls.map { call in
            let result = PlainText.render(call.result)
            if result.count <= answerResultLimit { return "\(call.name): \(result)" }
            if let list = ResultDigest.listLine(call.result, limit: answerListLimit) { return "\(call.name): \(list)" }
            let own = PlainText.render(ResultDigest.ownFields(ResultDigest.compact(call.result)))
            if own.count <= answerResultLimit { return "\(call.name): \(own)" }
            return "\(call.name) succeeded (its result is below)"
        }.joined(separator: "; ")
    }

    /// Characters of a result quoted in a host-made answer.
    static let answerResultLimit = 240
    /// Characters of a list quoted in a host-made answer, each element with its own fields.
    static let answerListLimit = 900

    /// Whether a tool's error asks for the same call again (the database was busy or away).
    static func saysRetry(_ result: JSONValue) -> Bool {
        (result.stringValue ?? JSONWriter.string(result)).lowercased().contains("retry")
    }

    private struct Repeat: Equatable {
        let name: String
        let arguments: JSONValue
    }

    private struct Job: Sendable {
        /// How an identical call made earlier went (nil: none, or one whose repeat may be made).
        enum Earlier: Sendable {
            case succeeded
            case failed(JSONValue)
        }

        let call: ToolCall
        let parsed: ToolArguments
        let earlier: Earlier?
        /// What the tool's `prepared(_:)` changed, for the model.
        var note: String?
        /// The arguments as the model sent them, when the host left something out (for the trace).
        var sent: JSONValue?
    }

    private func execute(_ job: Job, step: Int) async throws(AgentFailure) -> Executed {
        let started = ContinuousClock.now
        let (call, parsed) = (job.call, job.parsed)
        // The trace shows what the model sent; what the tool got is in the run report.
        tracer.emit(TraceEvent(kind: .toolCall, agent: id, step: step, tool: call.name, callID: call.id,
                               arguments: job.sent ?? parsed.value ?? .string(call.arguments)))
        var outcome: ToolOutcome
        var rejected = false
        var repeatsSuccess = false
        if let earlier = job.earlier {
            switch earlier {
            case .succeeded:
                repeatsSuccess = true
                outcome = .error("you already made this exact \(call.name) call and it succeeded (its result is above). "
                    + "It was not run again. If more is needed, make a different call (another id); otherwise give your final answer.")
            case .failed(let error):
                let text = error.stringValue ?? JSONWriter.string(error)
                outcome = .error("you already made this exact \(call.name) call and it failed: \(text.prefix(300)) "
                    + "It was not run again. Change the arguments, or finish with your final answer and report the error.")
            }
            rejected = true
        } else if let refusal = refusal(for: call, parsed: parsed) {
            outcome = .error(refusal)
            rejected = true
        } else if let tool = tools.first(where: { $0.definition.name == call.name }), let arguments = parsed.value {
            outcome = try await tool.call(arguments, caller: id)
        } else {
            outcome = .error("unknown tool '\(call.name)'")
            rejected = true
        }
        if let note = job.note { outcome.content = note + " " + outcome.content }
        let ms = (ContinuousClock.now - started).milliseconds
        tracer.emit(TraceEvent(kind: .toolResult, agent: id, step: step, tool: call.name, callID: call.id,
                               result: outcome.record, isError: outcome.isError, durationMs: ms,
                               message: [rejected ? "refused by the host" : nil, job.note].compactMap { $0 }.first))
        let record = ToolCallRecord(id: call.id, name: call.name, arguments: parsed.value ?? .string(call.arguments),
                                    isError: outcome.isError, result: outcome.record, durationMs: ms, rejected: rejected)
        return Executed(record: record, content: outcome.content, repeatsSuccess: repeatsSuccess, alreadyDone: outcome.alreadyDone)
    }

    /// Why the host refuses a call without running it, phrased so the model can fix it.
    private func refusal(for call: ToolCall, parsed: ToolArguments) -> String? {
        guard let tool = tools.first(where: { $0.definition.name == call.name }) else {
            let names = tools.map(\.definition.name).joined(separator: ", ")
            if let owner = foreignTools[call.name] {
                return "'\(call.name)' is not one of your tools (\(owner)). Nothing was called. Your tools: \(names)."
            }
            return "unknown tool '\(call.name)'. Your tools: \(names)."
        }
        switch parsed {
        case .invalid(let detail):
            return "invalid arguments for \(call.name): \(detail). Send one JSON object that matches the tool's schema. "
                + "Nothing was called."
        case .valid(let arguments):
            if let violation = SchemaDocument(tool.definition.parameters).validate(arguments) {
                return "invalid arguments for \(call.name): \(violation). " + (tool.hint(forInvalid: arguments).map { $0 + " " } ?? "")
                    + "Fix the call to match the tool's schema. Nothing was called."
            }
            return nil
        }
    }
}

/// A tool call's arguments text, parsed.
enum ToolArguments {
    case valid(JSONValue)
    case invalid(String)

    static func parse(_ text: String) -> ToolArguments {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .valid([:]) }
        do {
            let value = try JSONParser.parse(text)
            guard case .object = value else { return .invalid("arguments must be a JSON object, got \(value.typeName)") }
            return .valid(value)
        } catch {
            return .invalid("not valid JSON (\(error))")
        }
    }

    var value: JSONValue? { if case .valid(let value) = self { value } else { nil } }
}

extension Duration {
    var milliseconds: Int { Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000) }
}
