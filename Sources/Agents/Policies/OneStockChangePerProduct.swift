import JSON

/// A second `update_stock` of a product whose stock the request's writes already changed waits for
/// a person's yes, or is refused when nobody can be asked: a small manager that has restocked and
/// ordered may add the order's quantity to stock as well, with a number and a word of the request
/// that the word checks pass. A request for two changes of one product is rare and can be put to a
/// person. Structure, not words: it reads the writes made so far. Small profile.
struct OneStockChangePerProduct: AgentPolicy {
    let name = "one-stock-change-per-product"
    /// The request's writes so far, all agents (see `WriteLedger`).
    let done: @Sendable () -> [Write]

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard call.name == "update_stock", call.isWrite, let product = call.parsed?["product_id"]?.stringValue,
              let earlier = done().last(where: { $0.tool == "update_stock" && ProductNaming.names($0.result, product) })
        else { return .allow }
        let id = earlier.result["product_id"]?.stringValue ?? product
        let stock = earlier.result["stock"].map(JSONWriter.string) ?? "?"
        let problem = "cannot change \(id)'s stock again: this request already changed it (update_stock \(id) stock \(stock)), "
            + "and one change per product is all a request makes. If the request asks for another, say so in your final answer. "
            + "Nothing was changed."
        return run.canAskPerson ? .askPerson(reason: problem) : .refused(problem, failsWrite: true)
    }
}
