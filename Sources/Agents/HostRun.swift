import Foundation
import JSON
import LLMClient
import MCPClient

/// Settings of a run that are not about the model endpoint or the server.
public struct HostSettings: Sendable {
    public var managerMaxSteps: Int
    public var subAgentMaxSteps: Int
    /// Steps in a row with only malformed calls before an agent is stopped.
    public var maxMalformedSteps: Int
    /// Sub-agents the manager may run at once when it delegates several tasks in one message.
    public var maxParallelDelegations: Int
    /// Prompts say "call final_answer" (for servers that cannot answer in plain text).
    public var finalAnswerTool: Bool
    /// How tool results and other stored text are shown to the models.
    public var data: UntrustedData
    public var model: String?
    /// Which policies the agents go through (see `AgentProfile`).
    public var profile: AgentProfile
    /// Which writes wait for a person's yes, and who gives it.
    public var approval: ApprovalMode
    public var approver: any Approver
    /// The manager's delegations are calls (`orders(tool: "create_order", arguments: {…})`) held to
    /// the tool's schema, rather than tasks in words (see `DelegateTool.calls`). For a small model
    /// on a server that holds replies to a schema: AgentHost and AgentEval turn it on with the
    /// small profile and `--compat llama-server`.
    public var typedDelegations = false

    public init(managerMaxSteps: Int = 20, subAgentMaxSteps: Int = 12, maxMalformedSteps: Int = 3,
                maxParallelDelegations: Int = 3, finalAnswerTool: Bool = false, data: UntrustedData = .json, model: String? = nil,
                profile: AgentProfile = .capable, approval: ApprovalMode = .never, approver: any Approver = NobodyToAsk()) {
        self.managerMaxSteps = managerMaxSteps
        self.subAgentMaxSteps = subAgentMaxSteps
        self.maxMalformedSteps = maxMalformedSteps
        self.maxParallelDelegations = maxParallelDelegations
        self.finalAnswerTool = finalAnswerTool
        self.data = data
        self.model = model
        self.profile = profile
        self.approval = approval
        self.approver = approver
    }
}

/// One run of the host: the manager gets the instruction and delegates to the sub-agents, which
/// use the ToolServer's tools over the shared MCP connection.
public enum HostRun {
    public static func run(instruction: String, models: AgentModels, server: MCPClient, settings: HostSettings,
                           tracer: Tracer) async -> RunReport {
        await run(instructions: [instruction], models: models, server: server, settings: settings, tracer: tracer)
    }

    /// Several instructions, one manager each, in turn (`process-orders` gives one per order, so
    /// that a manager's conversation holds one order and the next starts from the same cached
    /// prompt). Stops at the first that fails; the answers are numbered when there are several.
    /// `goal`: given an instruction's successful writes, whether it is done (`process-orders`
    /// knows: its order created and in transit); the manager is then asked for its answer.
    /// `context`: what the manager is told before the instruction (a conversation's earlier turns);
    /// the sub-agents read the instruction alone.
    /// `plan`: the steps of a command whose calls are known, which a small manager's plan is held
    /// to (typed delegations only; see `KnownPlan`).
    public static func run(instructions: [String], models: AgentModels, server: MCPClient, settings: HostSettings,
                           tracer: Tracer, goal: RunGoal? = nil, plan: KnownPlan? = nil, context: String? = nil) async -> RunReport {
        let started = ContinuousClock.now
        let log = RunLog()
        let instruction = instructions.joined(separator: "\n")
        tracer.emit(TraceEvent(kind: .runStarted, agent: "host", message: instruction))
        var answers: [String] = []
        var failure: String?
        var writes: [Write] = []
        var current: (ledger: WriteLedger, since: Int)?
        do {
            let serverTools = try await listTools(server)
            warnAboutMissingTools(serverTools, tracer: tracer)
            let catalogue = await productIDs(server)
            let counter = AgentCounter()
            for (index, task) in instructions.enumerated() {
                let id = instructions.count == 1 ? "manager" : "manager#\(index + 1)"
                // One per instruction: two equal orders of a process-orders file are two orders.
                let ledger = WriteLedger()
                var isDone: (@Sendable () -> Bool)?
                if let goal { isDone = { goal(ledger.done) } }
                let loop = manager(id: id, models: models, server: server, serverTools: serverTools, settings: settings,
                                   tracer: tracer, log: log, counter: counter, ledger: ledger,
                                   seen: OrderIDsSeen(text: (context ?? "") + "\n" + task), instruction: task,
                                   catalogue: catalogue, goal: isDone, plan: plan)
                current = (ledger, log.all.count)
                var answer = try await loop.run(task: context.map { "\($0)\n\nThe request now: \(task)" } ?? task).answer
                let lines = HostAnswer.lines(records: Array(log.all.dropFirst(current?.since ?? 0)),
                                             readTools: Set(serverTools.filter(\.readOnly).map(\.name)), ledger: ledger)
                for line in lines {
                    answer += (instructions.count == 1 ? "\n" : " ") + line  // one line per order when several
                }
                answers.append(instructions.count == 1 ? answer : "\(index + 1). \(answer)")
                writes += ledger.done
                current = nil
            }
        } catch {
            failure = error.description
            // What the stopped instruction had written stays written: the answer says so.
            if let (ledger, _) = current {
                writes += ledger.done
                let lines = [HostAnswer.changeLine(ledger.done), HostAnswer.failureLine(ledger.unresolved)].compactMap { $0 }
                answers.append((["Stopped before the end: \(error)."] + lines).joined(separator: "\n"))
            }
        }
        let records = log.all
        let managerRecords = records.filter { $0.role == "manager" }
        let status: RunStatus = failure != nil ? .failed
            : records.contains { $0.status != .completed } ? .incomplete : .completed
        var report = RunReport(instruction: instruction, status: status, finalAnswer: answers.joined(separator: "\n"), error: failure,
                               agents: managerRecords + records.filter { $0.role != "manager" },
                               wallTimeMs: (ContinuousClock.now - started).milliseconds, model: settings.model)
        report.writes = writes
        if let failure { tracer.emit(TraceEvent(kind: .error, agent: "host", message: failure)) }
        tracer.emit(TraceEvent(kind: .runFinished, agent: "host", isError: status != .completed,
                               durationMs: report.wallTimeMs, usage: report.usage, message: "run \(status.rawValue)"))
        return report
    }

    /// The catalogue's product ids, read once per run, so that the manager can be told which
    /// products of a request no order has yet (see `DelegateTool.progress`). Empty when the
    /// server has no `list_products` or it fails: then nothing is told.
    private static func productIDs(_ server: MCPClient) async -> [String] {
        guard let result = try? await server.callTool("list_products", arguments: ["limit": 500]), !result.isError,
              let products = (result.structured ?? (try? JSONParser.parse(result.text)))?["products"]?.arrayValue else { return [] }
        return products.compactMap { $0["product_id"]?.stringValue }
    }

    private static func listTools(_ server: MCPClient) async throws(AgentFailure) -> [MCPToolInfo] {
        do { return try await server.listTools() } catch { throw .toolServer(error) }
    }

    private static func warnAboutMissingTools(_ serverTools: [MCPToolInfo], tracer: Tracer) {
        for role in AgentRole.allCases {
            let missing = role.toolNames.filter { name in !serverTools.contains { $0.name == name } }
            if !missing.isEmpty {
                tracer.emit(TraceEvent(kind: .warning, agent: "host",
                                       message: "the server does not offer \(missing.joined(separator: ", ")) (for \(role.rawValue))"))
            }
        }
    }

    /// A manager whose delegate tools start sub-agents numbered by `counter`. `goal`: whether the
    /// instruction is done (see `GoalReached`).
    static func manager(id: String = "manager", models: AgentModels, server: MCPClient,
                        serverTools: [MCPToolInfo], settings: HostSettings, tracer: Tracer, log: RunLog,
                        counter: AgentCounter = AgentCounter(), ledger: WriteLedger = WriteLedger(),
                        seen: OrderIDsSeen = OrderIDsSeen(), instruction: String? = nil, catalogue: [String] = [],
                        goal: (@Sendable () -> Bool)? = nil, plan: KnownPlan? = nil) -> AgentLoop {
        // Once: every sub-agent checks against it. Only the small profile reads the request's words.
        let grounding = settings.profile == .small ? instruction.map { RequestGrounding($0, catalogue: catalogue) } : nil
        let makeAgent: @Sendable (AgentRole, String) -> AgentLoop = { role, firstTool in
            let lookup = serverTools.first { $0.name == firstTool }?.readOnly == true ? firstTool : nil
            return subAgent(role, id: "\(role.rawValue)#\(counter.next(role))", models: models, server: server,
                            serverTools: serverTools, settings: settings, tracer: tracer, log: log, ledger: ledger,
                            seen: seen, grounding: grounding, lookup: lookup)
        }
        let knownOrderIDs: (@Sendable () -> [String])? = settings.typedDelegations ? { @Sendable in seen.all } : nil
        let delegates: [DelegateTool] = AgentRole.allCases.map { role in
            DelegateTool(role: role, makeAgent: makeAgent, data: settings.data, instruction: instruction, ledger: ledger,
                         grounding: grounding, toolDescription: settings.profile.toolFieldDescription,
                         namedCallMustSucceed: settings.profile == .small,
                         calls: settings.typedDelegations ? role.toolNames.compactMap { name in
                             serverTools.first { $0.name == name }.map(ServerTool.definition(of:))
                         } : nil,
                         knownOrderIDs: knownOrderIDs)
        }
        var loop = AgentLoop(id: id, role: "manager",
                             systemPrompt: ManagerPrompt.system(finalAnswerTool: settings.finalAnswerTool, profile: settings.profile,
                                                                typedDelegations: settings.typedDelegations),
                             tools: delegates,
                             limits: settings.profile.managerLimits(maxSteps: settings.managerMaxSteps,
                                                                    maxMalformedSteps: settings.maxMalformedSteps,
                                                                    maxParallel: settings.maxParallelDelegations),
                             llm: models.model(for: "manager"), tracer: tracer, log: log)
        // A known plan's steps, when every one is a typed delegation this server's tools allow.
        var planShape: [ToolDefinition]?
        if let plan, settings.profile == .small {
            let steps: [ToolDefinition] = plan.steps.compactMap { step in
                delegates.first { $0.role == step.role }?.planStep(step.tool, fixed: step.fixed)
            }
            if steps.count == plan.steps.count { planShape = steps }
        }
        let createdOrders: (@Sendable () -> [String])? = planShape == nil ? nil : { @Sendable in ledger.createdOrders }
        loop.policies = settings.profile.managerPolicies(delegates: AgentRole.allCases.map(\.rawValue), goal: goal,
                                                         typedDelegations: settings.typedDelegations, createdOrders: createdOrders)
        loop.plansFirst = settings.profile == .small && goal != nil
        loop.planShape = planShape
        loop.callsFirst = settings.profile == .small
        loop.ledger = ledger
        return loop
    }

    /// `grounding`: the user's request (small profile; see `RequestGrounding`). `lookup`: the read
    /// tool the delegation named, when it is a lookup; the agent then makes no write. Its tools
    /// are offered all the same, so that its prompt stays the one a local server has cached.
    static func subAgent(_ role: AgentRole, id: String, models: AgentModels, server: MCPClient, serverTools: [MCPToolInfo],
                         settings: HostSettings, tracer: Tracer, log: RunLog, ledger: WriteLedger = WriteLedger(),
                         seen: OrderIDsSeen? = nil, grounding: RequestGrounding? = nil, lookup: String? = nil) -> AgentLoop {
        let tools: [any AgentTool] = role.toolNames.compactMap { name in
            serverTools.first { $0.name == name }.map { ServerTool(info: $0, client: server, data: settings.data, ledger: ledger, seen: seen) }
        }
        var loop = AgentLoop(id: id, role: role.rawValue, systemPrompt: role.systemPrompt(finalAnswerTool: settings.finalAnswerTool),
                             tools: tools,
                             limits: AgentLimits(maxSteps: settings.subAgentMaxSteps, maxMalformedSteps: settings.maxMalformedSteps),
                             llm: models.model(for: role.rawValue), tracer: tracer, log: log)
        loop.policies = settings.profile.subAgentPolicies(role: role, grounding: grounding, lookup: lookup, approval: settings.approval,
                                                          ledger: ledger, resultsCanAnswer: settings.finalAnswerTool)
        loop.forcesFirstTool = settings.profile.forcesFirstTool
        loop.resultsCanAnswer = settings.finalAnswerTool
        loop.ledger = ledger
        loop.approvals = ApprovalGate(approver: settings.approver, server: server)
        return loop
    }

    /// Sends every agent's (or, with `agents`, those ids') system prompt and tools to its endpoint once, with a placeholder task
    /// and an answer asked for at once, so that a local server that keeps the last prompt it read
    /// starts each agent's first real step from there. Calls no tool; `progress` hears of each
    /// agent and its time as it is done.
    public static func warmUp(models: AgentModels, server: MCPClient, settings: HostSettings, tracer: Tracer,
                              agents: Set<String>? = nil,
                              progress: (_ agent: String, _ milliseconds: Int) -> Void = { _, _ in }) async throws(AgentFailure) {
        let serverTools = try await listTools(server)
        let log = RunLog()
        var loops = [manager(models: models, server: server, serverTools: serverTools, settings: settings, tracer: tracer, log: log)]
        loops += AgentRole.allCases.map {
            subAgent($0, id: $0.rawValue, models: models, server: server, serverTools: serverTools, settings: settings,
                     tracer: tracer, log: log)
        }
        for loop in loops where agents?.contains(loop.id) ?? true {
            let started = ContinuousClock.now
            try await loop.warmUp()
            progress(loop.id, (ContinuousClock.now - started).milliseconds)
        }
    }

    /// Whose the tools an agent does not have are (`role` nil: the manager's view), so that a
    /// call to one is refused with where it belongs rather than as unknown.
    static func foreignTools(for role: AgentRole?) -> [String: String] {
        var out: [String: String] = [:]
        for name in AgentRole.allCases.flatMap(\.toolNames) where !(role?.toolNames.contains(name) ?? false) {
            let owners = AgentRole.allCases.filter { $0.toolNames.contains(name) }.map(\.rawValue)
            var text = "it belongs to the \(owners.joined(separator: " and ")) agent\(owners.count > 1 ? "s" : "")"
            if role == nil { text += ": delegate with " + owners.map { "\($0)(tool: \(name), task)" }.joined(separator: " or ") }
            out[name] = text
        }
        if role != nil {
            for other in AgentRole.allCases { out[other.rawValue] = "it belongs to the manager" }
        }
        return out
    }
}
