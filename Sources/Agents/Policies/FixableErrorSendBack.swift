/// A final answer right after an error that says how to fix the call is sent back once, with
/// "make the corrected call": a small model gives up where the error already names the fix.
/// Small profile, sub-agents.
struct FixableErrorSendBack: AgentPolicy {
    let name = "fixable-error-send-back"
    /// How an error says how to fix the call: the ToolServer's "By name: 'Headphones' is prod3",
    /// and the host's and the server's "Did you mean …?".
    static let fixMarkers = ["By name:", "Did you mean"]

    func review(_ step: StepView, in run: RunView) -> PolicyOutcome {
        guard step.isAnswer, !run.interventions.contains(name), let failed = run.steps.dropLast().last?.toolCalls.last, failed.isError,
              Self.fixMarkers.contains(where: (failed.result.stringValue ?? "").contains) else { return .allow }
        return .refused("The error of your last call says how to fix it. Make the corrected \(failed.name) call now; answer "
            + "only if it cannot be done.")
    }
}
