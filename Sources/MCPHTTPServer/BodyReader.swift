import Hummingbird
import NIOCore

/// Reads a request body whole, refusing it as soon as it passes the size limit and when it has not
/// all arrived by its deadline, so that neither a large nor a slow body holds memory or a task.
enum BodyReader {
    /// `channel`'s input is closed if the body is not in by its deadline, which ends the read.
    static func collect(_ body: RequestBody, limit: Int, deadlines: BodyDeadlines,
                        channel: any Channel) async throws(Refusal) -> [UInt8] {
        let outcome = await deadlines.run(expire: { channel.close(mode: .input, promise: nil) }) {
            await read(body, limit: limit)
        }
        guard let outcome else { throw .bodyTimeout }
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
