import JSON

/// A sub-agent's call identical to one that failed earlier in its run is not made again, unless
/// the error said to retry: within a run its tools answer the same call the same way. For the
/// manager (`onlyIfNothingWritten`), a delegation identical to one that failed, with nothing
/// written since: between the two another agent may have changed what the first lacked, but
/// without a write nothing did (a small manager sent the same refused cancellation ten times, to
/// the end of its context). Small profile.
struct RepeatedFailure: AgentPolicy {
    let name = "repeated-failure"
    var onlyIfNothingWritten = false

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard let arguments = call.parsed else { return .allow }
        let key = CallKey(name: call.name, arguments: arguments)
        guard let previous = run.made.last(where: { CallKey(name: $0.record.name, arguments: $0.record.arguments) == key }),
              previous.record.isError, !Self.saysRetry(previous.record.result),
              !onlyIfNothingWritten || previous.writesAfter == run.writeCount else { return .allow }
        let text = previous.record.result.stringValue ?? JSONWriter.string(previous.record.result)
        return .malformed("you already made this exact \(call.name) call and it failed: \(text.prefix(300)) It was not run "
            + "again. Change the arguments, or finish with your final answer and report the error.")
    }

    /// Whether a tool's error asks for the same call again (the database was busy or away).
    static func saysRetry(_ result: JSONValue) -> Bool {
        (result.stringValue ?? JSONWriter.string(result)).lowercased().contains("retry")
    }
}
