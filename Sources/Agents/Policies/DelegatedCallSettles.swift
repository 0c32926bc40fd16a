/// When the manager gave the call itself (see `DelegateTool.calls`), its outcome settles the
/// delegation unless the agent can fix it: a success (or a write already made for the request)
/// ends the run with its result, and so does a refusal the agent could only get round by changing
/// the manager's values (short stock, a status the order cannot take, a write the request does not
/// give), which `DelegatedValuesKept` forbids: the manager reads the error and decides. The agent's
/// model is asked only after an id that was not found, or arguments that failed the schema, and
/// is stopped when it only sends the failed call again. A small orders agent told "insufficient
/// stock" sent the same call twice more (11 s); a delivery agent told "Did you mean
/// 'ord_…khe3…'?" sent the misspelt id twice more. Small profile.
struct DelegatedCallSettles: AgentPolicy {
    let name = "delegated-call-settles"

    func review(_ step: StepView, in run: RunView) -> PolicyOutcome {
        guard let delegated = run.delegated else { return .allow }
        if run.steps.count > 1, !step.calls.isEmpty, step.calls.allSatisfy({ $0.policy == RepeatedFailure().name }),
           let failed = run.made.first(where: { $0.record.name == delegated.name && $0.record.isError })?.record {
            return .stop(.answer("\(failed.name) failed: \(failed.result.stringValue ?? "")"))
        }
        guard run.steps.count == 1, let call = step.calls.first(where: { $0.name == delegated.name }) else { return .allow }
        if !call.isError { return .stop(.answer(HostAnswer.from([call]))) }
        let error = call.result.stringValue ?? ""
        guard !call.rejected, !error.contains("not found") else { return .allow }
        return .stop(.answer("\(call.name) failed: \(error)"))
    }
}
