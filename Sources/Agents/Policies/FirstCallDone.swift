/// A sub-agent's run ends as soon as the call its delegation named succeeds, with that result as
/// its answer, so that a small model given the whole request does not go on to do all of it. A
/// write another agent had already made is not this agent's part done. Small profile, sub-agents;
/// a capable one goes on while its task needs more.
struct FirstCallDone: AgentPolicy {
    let name = "first-call-done"

    func review(_ step: StepView, in run: RunView) -> PolicyOutcome {
        guard let firstTool = run.firstTool,
              step.calls.contains(where: { $0.name == firstTool && !$0.isError && !$0.alreadyDone }) else { return .allow }
        return .stop(.answer(HostAnswer.from(step.calls.filter { !$0.isError })))
    }
}
