/// A model with nothing new to do is stopped: two steps in a row of only calls it already made
/// with success ask it for its answer; a repeat after its write was found already made by another
/// agent ends it with the results it has. Small profile.
struct RepeatOnlySteps: AgentPolicy {
    let name = "repeat-only-steps"

    func review(_ step: StepView, in run: RunView) -> PolicyOutcome {
        guard !step.isAnswer, Self.onlyRepeats(step.calls) else { return .allow }
        if run.steps.dropLast().contains(where: { $0.toolCalls.contains(where: \.alreadyDone) }) {
            return .stop(.answer(HostAnswer.from(run.succeeded)))
        }
        guard let previous = run.steps.dropLast().last, Self.onlyRepeats(previous.toolCalls) else { return .allow }
        return .stop(.askForAnswer(prompt: "You already have those results (above). Do not call tools. Give your final answer "
            + "now, stating the results."))
    }

    static func onlyRepeats(_ calls: [ToolCallRecord]) -> Bool {
        !calls.isEmpty && calls.allSatisfy { $0.policy == RepeatedSuccess().name }
    }
}
