/// An agent the manager sent to look something up (its delegation named a read tool) makes no
/// write: the manager decides what to change, with a delegation that names the write. Every
/// profile.
struct LookupOnly: AgentPolicy {
    let name = "lookup-only"
    /// The read tool the delegation named.
    let lookup: String

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard call.isWrite else { return .allow }
        return .refused("not made: you were sent to look something up with \(lookup), not to change anything. Report what "
            + "you found (or that nothing was found) as your final answer; the manager decides what to change. Nothing was changed.")
    }
}
