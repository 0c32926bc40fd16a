import JSON

/// A read's filters that the user's request does not give are left out, with a note: a filter of
/// the model's own hides what the user asked about, and a read without it only shows more. Small
/// profile (it reads the request's words).
struct UngroundedReadFiltersLeftOut: AgentPolicy {
    let name = "ungrounded-read-filters-left-out"
    let grounding: RequestGrounding

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard call.tool?.readOnly == true, let arguments = call.parsed,
              let (grounded, note) = grounding.readWithoutUngroundedFilters(tool: call.name, arguments: arguments)
        else { return .allow }
        return .rewrite(grounded, note: note)
    }
}
