import JSON

/// Which policies a run's agents go through. `capable` is for models that make their own calls
/// right (GPT-4-class, 7B-70B through Ollama or vLLM), in any language: nothing judges the
/// request's words. `small` adds the guards that keep a 1.5B local model on track, some of which
/// read the request's English words; there a write they doubt waits for a person, or is refused
/// when nobody can be asked. docs/agent-host.md has the table of policies and profiles.
public enum AgentProfile: String, Sendable, CaseIterable {
    case capable
    case small

    /// The profile for a model behind the `--compat` preset: `small` for the bundled local model's
    /// servers (llama-cpp, llama-server), `capable` otherwise.
    public static func forCompat(_ preset: String) -> AgentProfile { ["llama-cpp", "llama-server"].contains(preset) ? .small : .capable }

    /// A sub-agent's first step must call the tool its delegation named: a small model given only
    /// a task often answered it without any call, inventing "prod1 has 10 units in stock". A
    /// capable one may read before it writes.
    var forcesFirstTool: Bool { self == .small }

    /// What the delegate tools' `tool` field means, as the manager reads it.
    var toolFieldDescription: String {
        switch self {
        case .small: "The tool the agent starts with."
        case .capable: "The call this delegation is for. A read tool sends the agent to look something up: it changes "
            + "nothing. A write tool lets it look up what it needs first, then make that change."
        }
    }

    /// The manager's limits. A small manager's delegations run one at a time (a plan's in order,
    /// see `AgentLoop.plansFirst`: for a command whose steps are known, `process-orders`; asked to
    /// plan any request, a 1.5B model planned shipments nobody asked for and was both slower and no
    /// more often right). A capable manager's run side by side, up to `maxParallel`.
    func managerLimits(maxSteps: Int, maxMalformedSteps: Int, maxParallel: Int) -> AgentLimits {
        AgentLimits(maxSteps: maxSteps, maxMalformedSteps: maxMalformedSteps, maxConcurrentTools: self == .small ? 1 : maxParallel)
    }

    /// The manager's policies. `goal`: whether the instruction is done (`process-orders`).
    /// `typedDelegations`: its delegations are calls, not tasks in words (nothing to read a tool from).
    /// `createdOrders`: with a `KnownPlan`, the orders the instruction has created, for the steps
    /// that name one.
    func managerPolicies(delegates: [String], goal: (@Sendable () -> Bool)?, typedDelegations: Bool = false,
                         createdOrders: (@Sendable () -> [String])? = nil) -> [any AgentPolicy] {
        var policies: [any AgentPolicy] = [SchemaCheck(toolNames: delegates, foreignTools: HostRun.foreignTools(for: nil))]
        if let createdOrders { policies.append(CreatedOrderReference(createdOrders: createdOrders)) }
        if typedDelegations { policies.append(UnresolvedOrderEnds()) }
        if self == .small { policies += [RepeatedSuccess(), RepeatedFailure(onlyIfNothingWritten: true)] as [any AgentPolicy] }
        if self == .small, !typedDelegations { policies.append(DelegationStart()) }
        policies.append(EmptyReply())
        if self == .small { policies.append(RepeatOnlySteps()) }
        if let goal { policies.append(GoalReached(isReached: goal, hostAnswers: self == .small)) }
        return policies
    }

    /// A sub-agent's policies. `grounding`: the user's request (small profile); `lookup`: the read
    /// tool its delegation named, when it was sent to look something up.
    func subAgentPolicies(role: AgentRole, grounding: RequestGrounding?, lookup: String?, approval: ApprovalMode,
                          ledger: WriteLedger, resultsCanAnswer: Bool) -> [any AgentPolicy] {
        let small = self == .small
        var policies: [any AgentPolicy] = []
        if small {
            policies.append(EmptyOptionalsLeftOut())
            if let grounding { policies.append(UngroundedReadFiltersLeftOut(grounding: grounding)) }
        }
        var hint: (@Sendable (JSONValue) -> String?)?
        if small, let grounding { hint = { grounding.hint(forInvalid: $0) } }
        policies.append(SchemaCheck(toolNames: role.toolNames, foreignTools: HostRun.foreignTools(for: role), hint: hint))
        if small { policies += [RepeatedSuccess(), RepeatedFailure()] as [any AgentPolicy] }
        if let lookup { policies.append(LookupOnly(lookup: lookup)) }
        if small { policies += [DelegatedValuesKept(), DelegatedCallSettles()] as [any AgentPolicy] }
        if small, let grounding {
            policies.append(GroundedWrites(grounding: grounding, earlierAttempts: { ledger.attempts(of: $0) }))
        }
        if small { policies.append(OneStockChangePerProduct(done: { ledger.done })) }
        policies.append(WriteApproval(mode: approval))
        policies.append(EmptyReply(resultsCanAnswer: resultsCanAnswer))
        if small { policies += [FixableErrorSendBack(), FirstCallDone(), RepeatOnlySteps()] as [any AgentPolicy] }
        return policies
    }
}
