/// A typed delegation whose order the host did not find as the request described it (none, or
/// several: see `OrderReference`) ends the request with what was found, for the person to say
/// which: shown several orders, a 1.5B manager shipped the first one listed. Manager, typed
/// delegations.
struct UnresolvedOrderEnds: AgentPolicy {
    let name = "unresolved-order"

    func review(_ step: StepView, in run: RunView) -> PolicyOutcome {
        guard let why = step.calls.lazy.compactMap({ $0.result[OrderReference.unresolvedKey]?.stringValue }).first else {
            return .allow
        }
        return .stop(.answer(why))
    }
}
