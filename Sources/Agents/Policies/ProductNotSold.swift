/// A typed delegation that names `ProductChoice.notSold` as a product is not run: the manager
/// reads that the shop does not sell it, with the catalogue, and answers or picks the product the
/// user meant. With typed delegations (any profile), on the manager's delegations.
struct ProductNotSold: AgentPolicy {
    let name = "product-not-sold"
    let choice: ProductChoice

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard let arguments = call.parsed?["arguments"], ProductChoice.namesNotSold(arguments) else { return .allow }
        return .refused("The shop does not sell that product: it sells \(choice.listing). Nothing was done. If the user "
            + "meant one of these, delegate again with its id; otherwise tell the user it is not sold.")
    }
}
