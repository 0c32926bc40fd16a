/// When the instruction's goal is reached (`process-orders` knows it: its order created and in
/// transit), the run ends at once. A capable model is asked for its final answer in one sentence;
/// in the small profile the host answers itself, since its lines below the answer state every id
/// and status anyway, and a local model's answer costs a call over its whole context (about 10 s
/// on two cores). Every profile, when the command gives a goal.
struct GoalReached: AgentPolicy {
    let name = "goal-reached"
    let isReached: @Sendable () -> Bool
    /// The host writes the answer instead of asking the model for one.
    var hostAnswers = false

    static let hostAnswer = "Done: that completes the instruction."

    func review(_ step: StepView, in run: RunView) -> PolicyOutcome {
        guard !step.isAnswer, isReached() else { return .allow }
        if hostAnswers { return .stop(.answer(Self.hostAnswer)) }
        return .stop(.askForAnswer(prompt: "That completes the instruction. Do not call tools. Give your final answer now, in "
            + "one short sentence: what was done, with the ids and statuses."))
    }
}
