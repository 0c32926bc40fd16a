import JSON

/// A write whose values the user's request does not give is doubted (see `RequestGrounding`):
/// with a person at a terminal it waits for their yes; with nobody to ask it is refused, and the
/// model is told what the request does give. Small profile only: the check reads English words,
/// so it would stand between a capable model, or anyone writing in another language, and the work.
struct GroundedWrites: AgentPolicy {
    let name = "grounded-writes"
    let grounding: RequestGrounding
    /// The arguments of the instruction's earlier writes of a tool, oldest first (an earlier address
    /// of the request is offered in a refusal).
    let earlierAttempts: @Sendable (String) -> [JSONValue]

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard call.isWrite, let arguments = call.parsed else { return .allow }
        // A delta the host worked out from a level is as good as the level (see `StockChange`).
        let fromLevel = run.stockLevel.flatMap { level in run.delegated == CallKey(name: call.name, arguments: arguments) ? level : nil }
        let problem = if let fromLevel { grounding.violation(settingStockTo: fromLevel.quantity) }
            else { grounding.violation(tool: call.name, arguments: arguments, earlier: earlierAttempts(call.name)) }
        guard let problem else { return .allow }
        return run.canAskPerson ? .askPerson(reason: problem) : .refused(problem, failsWrite: true)
    }
}
