/// When the instruction's goal is reached (`process-orders` knows it: its order created and in
/// transit), the agent is asked for its final answer at once, in one sentence: the host adds the
/// writes' ids and statuses itself. Every profile, when the command gives a goal.
struct GoalReached: AgentPolicy {
    let name = "goal-reached"
    let isReached: @Sendable () -> Bool

    func review(_ step: StepView, in run: RunView) -> PolicyOutcome {
        guard !step.isAnswer, isReached() else { return .allow }
        return .stop(.askForAnswer(prompt: "That completes the instruction. Do not call tools. Give your final answer now, in "
            + "one short sentence: what was done, with the ids and statuses."))
    }
}
