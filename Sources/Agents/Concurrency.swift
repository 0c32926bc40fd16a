/// Runs `body` on every item with at most `limit` running at once and returns the results in
/// the items' order. The first failure cancels the others and is rethrown.
func boundedMap<Item: Sendable, Output: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async throws(AgentFailure) -> Output
) async throws(AgentFailure) -> [Output] {
    if items.count <= 1 || limit <= 1 {
        var out: [Output] = []
        for item in items { out.append(try await body(item)) }
        return out
    }
    let outcome = await withTaskGroup(of: (Int, Result<Output, AgentFailure>).self) { group -> Result<[Output], AgentFailure> in
        var results = [Output?](repeating: nil, count: items.count)
        var failure: AgentFailure?
        var next = 0
        func start() {
            let index = next
            let item = items[index]
            next += 1
            group.addTask {
                do throws(AgentFailure) { return (index, .success(try await body(item))) } catch { return (index, .failure(error)) }
            }
        }
        while next < min(limit, items.count) { start() }
        while let (index, result) = await group.next() {
            switch result {
            case .success(let value):
                results[index] = value
                if failure == nil, next < items.count { start() }
            case .failure(let error):
                // Keep the first real cause, not the cancellations it triggers.
                if failure == nil || failure.map({ if case .cancelled = $0 { true } else { false } }) == true {
                    failure = error
                }
                group.cancelAll()
            }
        }
        if let failure { return .failure(failure) }
        return .success(results.compactMap { $0 })
    }
    return try outcome.get()
}
