import JSON

/// What one message posted over HTTP comes to; the HTTP layer maps it to a status.
public enum MessageAnswer: Sendable, Equatable {
    /// A notification or a response of the client's: nothing to answer (HTTP 202).
    case accepted
    /// A JSON-RPC response: a result, or an error about a request the server could read (HTTP 200).
    case response(JSONValue)
    /// The message could not be read at all (bad JSON, not a JSON-RPC message): an error
    /// response with a null id (HTTP 400).
    case unreadable(JSONValue)
}

extension MCPServer {
    /// Answers one message received as a whole (an HTTP request body), under `version` (the
    /// request's `MCP-Protocol-Version`). Stateless: an `initialize` is answered but remembers
    /// nothing, as every request states its version.
    public func answer(_ body: [UInt8], version: ProtocolVersion) async -> MessageAnswer {
        switch prepare(.line(body), version: version, negotiated: { _ in }) {
        case .reply(nil):
            return .accepted
        case .reply(let response?):
            return response["id"] == .null ? .unreadable(response) : .response(response)
        case .call(let id, let tool, let arguments):
            return .response(await call(tool, arguments: arguments, id: id, version: version))
        case .batch(let batch):
            guard let responses = await handleBatch(batch, version: version, negotiated: { _ in }) else { return .accepted }
            return .response(responses)
        }
    }
}
