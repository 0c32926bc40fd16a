import JSON

/// The answers and answer lines the host makes from the tools' own results, so that what a person
/// reads states every id, status, number and failure whatever the model wrote. Every profile.
enum HostAnswer {
    /// An answer from successful calls, for a run that ends without the model's: each call with
    /// its result when that is short ("check_stock: {product_id: prod5, …, stock: 17}"). A small
    /// manager copied such answers into its own; a bare "Done: check_stock succeeded" left its
    /// final answer without the number asked for.
    static func from(_ calls: [ToolCallRecord]) -> String {
        calls.map { call in
            let result = PlainText.render(call.result)
            if result.count <= resultLimit { return "\(call.name): \(result)" }
            if let list = ResultDigest.listLine(call.result, limit: listLimit) { return "\(call.name): \(list)" }
            let own = PlainText.render(ResultDigest.ownFields(ResultDigest.compact(call.result)))
            if own.count <= resultLimit { return "\(call.name): \(own)" }
            return "\(call.name) succeeded (its result is below)"
        }.joined(separator: "; ")
    }

    /// Characters of a result quoted in a host-made answer.
    static let resultLimit = 240
    /// Characters of a list quoted in a host-made answer, each element with its own fields.
    static let listLimit = 900

    /// The lines added under the manager's answer: what the sub-agents found, what was written,
    /// and what was refused and not made good.
    static func lines(records: [AgentRecord], readTools: Set<String>, ledger: WriteLedger) -> [String] {
        let done = ledger.done
        return [foundLine(records, readTools: readTools, written: done), changeLine(done), failureLine(ledger.unresolved)]
            .compactMap { $0 }
    }

    /// What the sub-agents looked up, from the tools' results: "Found: check_stock: {product_id:
    /// prod5, …, stock: 17}." (nil: nothing). A small manager answered "No further action
    /// required." when its agent had found the products asked for. The last `foundLimit` distinct
    /// lookups, each once; not an order read (`get_order`) that a write of the run then changed,
    /// whose status there is no longer the order's, nor a stock read (`check_stock`) followed by a
    /// stock change of its product (the Changes line gives both).
    static func foundLine(_ records: [AgentRecord], readTools: Set<String>, written: [Write] = []) -> String? {
        let changedOrders = Set(written.compactMap { $0.result["order_id"]?.stringValue })
        let calls = records.filter({ $0.role != "manager" }).flatMap(\.toolResults)
        var reads: [ToolCallRecord] = []
        for (index, call) in calls.enumerated()
        where readTools.contains(call.name) && !call.isError
            && !(call.name == "get_order" && changedOrders.contains(call.result["order_id"]?.stringValue ?? ""))
            && !(call.name == "check_stock" && calls[(index + 1)...].contains { Self.changesStock(of: call.result, $0) }) {
            reads.removeAll { $0.name == call.name && $0.arguments == call.arguments }
            reads.append(call)
        }
        guard !reads.isEmpty else { return nil }
        return "Found: " + from(Array(reads.suffix(foundLimit))) + "."
    }

    static let foundLimit = 3

    /// Whether `call` is a stock change that succeeded for `product`'s product.
    private static func changesStock(of product: JSONValue, _ call: ToolCallRecord) -> Bool {
        call.name == "update_stock" && !call.isError && call.result["product_id"] == product["product_id"]
    }

    /// What the run wrote: "Changes: create_order ord_… pending; …".
    static func changeLine(_ writes: [Write]) -> String? {
        changes(writes).map { "Changes: \($0)" }
    }

    /// The writes refused and not made good, each with the first sentence of its error (the rest
    /// tells a model what to do next): "Failed: create_order prod1: insufficient stock: …" (nil: none).
    static func failureLine(_ failures: [FailedWrite]) -> String? {
        guard !failures.isEmpty else { return nil }
        return "Failed: " + failures.map { failure in
            var sentence = failure.error.range(of: ". ").map { String(failure.error[..<$0.lowerBound]) } ?? failure.error
            if sentence.hasSuffix(".") { sentence.removeLast() }
            return [failure.tool, failure.subject].filter { !$0.isEmpty }.joined(separator: " ") + ": " + sentence
        }.joined(separator: "; ") + "."
    }

    /// The writes, "create_order ord_… pending; update_stock prod1 stock 12." (nil: none).
    static func changes(_ writes: [Write]) -> String? {
        guard !writes.isEmpty else { return nil }
        let parts = writes.map { write -> String in
            let subject = write.result["order_id"]?.stringValue ?? write.result["product_id"]?.stringValue
            var state: String?
            if let status = write.result["status"]?.stringValue {
                state = status
            } else if let stock = write.result["stock"]?.integerValue {
                state = "stock \(stock)"
            }
            return [write.tool, subject, state].compactMap { $0 }.joined(separator: " ")
        }
        return parts.joined(separator: "; ") + "."
    }
}
