import JSON

/// A read's filters that the user's request does not give are left out, with a note: a small
/// model filled `list_orders`' `delivery_address` with "None", an order id or an address of its
/// own, and `list_products`' `low_stock_below` with 1 for "How many Keyboards do we have?", and
/// reported nothing found. A read without the filter only shows more. Small profile.
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
