import Hummingbird

/// Reads a request body whole, refusing it as soon as it passes the size limit and when it has not
/// all arrived by the deadline, so that neither a large nor a slow body holds memory or a task.
enum BodyReader {
    static func collect(_ body: RequestBody, limit: Int, timeout: Duration) async throws(Refusal) -> [UInt8] {
        let outcome = await withTaskGroup(of: Result<[UInt8], Refusal>.self) { group in
            group.addTask { await read(body, limit: limit) }
            group.addTask {
                // Cancelled when the body is complete first; either way the race is over.
                try? await Task.sleep(for: timeout)
                return .failure(.bodyTimeout)
            }
            let first = await group.next() ?? .failure(.bodyTimeout)
            group.cancelAll()
            return first
        }
        return try outcome.get()
    }

    private static func read(_ body: RequestBody, limit: Int) async -> Result<[UInt8], Refusal> {
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                guard bytes.count + chunk.readableBytes <= limit else { return .failure(.tooLarge(limit: limit)) }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch {
            // The connection failed or was cancelled mid-body: nothing usable arrived in time.
            return .failure(.bodyTimeout)
        }
        return .success(bytes)
    }
}
