import Hummingbird

/// Reads a request body whole, refusing it as soon as it passes the size limit and when it has not
/// all arrived by its deadline, so that neither a large nor a slow body holds memory or a task.
enum BodyReader {
    static func collect(_ body: RequestBody, limit: Int, deadlines: BodyDeadlines) async throws(Refusal) -> [UInt8] {
        guard let outcome = await deadlines.run({ await read(body, limit: limit) }) else { throw .bodyTimeout }
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
