/// An empty reply is not an answer: the model is asked once more, plainly, and empty again the run
/// is incomplete. On a server that can only answer through `final_answer` (`resultsCanAnswer`), an
/// empty reply after a successful call is the model choosing to stop, and those results are the
/// answer. Every profile.
struct EmptyReply: AgentPolicy {
    let name = "empty-reply"
    var resultsCanAnswer = false

    func review(_ step: StepView, in run: RunView) -> PolicyOutcome {
        guard step.isAnswer, step.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .allow }
        if resultsCanAnswer, !run.succeeded.isEmpty { return .stop(.answer(HostAnswer.from(run.succeeded))) }
        if !run.interventions.contains(name) { return .refused("Your reply was empty. Give your final answer now.") }
        return .stop(.incomplete(note: "no final answer: the model's reply was empty twice"))
    }
}
