import JSON

/// A write whose values the user's request does not give is doubted (see `RequestGrounding`): a
/// small model ordered to "Our warehouse", wrote off 1 Monitor of the two named, and shipped an
/// order for a write-off. With a person at a terminal, the write waits for their yes; with nobody
/// to ask, it is refused, and the model is told what the request does give. Small profile only:
/// the check reads English words, so it would stand in the way of a capable model and of anyone
/// writing in another language.
struct GroundedWrites: AgentPolicy {
    let name = "grounded-writes"
    let grounding: RequestGrounding
    /// The arguments of the instruction's earlier writes of a tool, oldest first (an earlier address
    /// of the request is offered in a refusal).
    let earlierAttempts: @Sendable (String) -> [JSONValue]

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard call.isWrite, let arguments = call.parsed,
              let problem = grounding.violation(tool: call.name, arguments: arguments, earlier: earlierAttempts(call.name))
        else { return .allow }
        return run.canAskPerson ? .askPerson(reason: problem) : .refused(problem, failsWrite: true)
    }
}
