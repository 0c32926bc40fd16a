import JSON

/// A call identical to one that succeeded with nothing written since, or to an earlier one of the
/// same message, is not made again: its result is already in hand, and a looping model would
/// otherwise repeat a write. Small profile (identical writes are made once in every profile by the
/// `WriteLedger`).
struct RepeatedSuccess: AgentPolicy {
    let name = "repeated-success"

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard let arguments = call.parsed else { return .allow }
        let key = CallKey(name: call.name, arguments: arguments)
        let previous = run.made.last { CallKey(name: $0.record.name, arguments: $0.record.arguments) == key }
        guard call.earlierInMessage.contains(key) || (previous?.record.isError == false && previous?.writesAfter == run.writeCount)
        else { return .allow }
        return .malformed("you already made this exact \(call.name) call and it succeeded (its result is above). It was not run "
            + "again. If more is needed, make a different call (another id); otherwise give your final answer.")
    }
}
