import JSON

/// The one dispatch path every transport shares: a message, read and checked, becomes an answer
/// now, a tool call to run, or a batch. `version` is the protocol version the message is under
/// (the session's on stdio, the request header's over HTTP); `negotiated` is told the version an
/// `initialize` chose, which only a stateful transport keeps.
extension MCPServer {
    enum Step {
        /// Answered at once (nil: nothing to send, as for notifications).
        case reply(JSONValue?)
        case call(id: RequestID, tool: MCPTool, arguments: JSONObject)
        case batch([JSONValue])
    }

    func prepare(_ event: InputEvent, version: ProtocolVersion,
                 negotiated: (ProtocolVersion) -> Void) -> Step {
        switch event {
        case .oversized(let bytes):
            logger.warning("request.too_large", ["bytes": String(bytes), "limit": String(maxLineBytes)])
            return .reply(RPCResponse.error(id: nil, .invalidRequest(
                "message of \(bytes) bytes exceeds the limit of \(maxLineBytes) bytes (--max-message-bytes); it was skipped")))
        case .line(let bytes):
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                return .reply(RPCResponse.error(id: nil, .parseError(error.description)))
            }
            if case .array(let batch) = value {
                guard version.allowsBatches else {
                    return .reply(RPCResponse.error(id: nil, .invalidRequest(
                        "JSON-RPC batches are not supported in MCP \(version.rawValue); send one message per line")))
                }
                guard !batch.isEmpty else { return .reply(RPCResponse.error(id: nil, .invalidRequest("empty batch"))) }
                return .batch(batch)
            }
            return step(for: IncomingMessage(value), version: version, negotiated: negotiated)
        }
    }

    func step(for message: IncomingMessage, version: ProtocolVersion,
              negotiated: (ProtocolVersion) -> Void) -> Step {
        switch message {
        case .invalid(let id, let error):
            return .reply(RPCResponse.error(id: id, error))
        case .response:
            return .reply(nil)
        case .notification(let method, _):
            logger.debug("notification", ["method": method])
            return .reply(nil)
        case .request(let id, let method, let params):
            switch method {
            case "initialize":
                do {
                    let (result, chosen) = try initialize(params)
                    negotiated(chosen)
                    return .reply(RPCResponse.result(id: id, result))
                } catch {
                    return .reply(RPCResponse.error(id: id, error))
                }
            case "ping": return .reply(RPCResponse.result(id: id, [:]))
            case "tools/list": return .reply(respond(id) { () throws(RPCError) in try listTools(params, version: version) })
            case "tools/call":
                do {
                    let (tool, arguments) = try resolveCall(params)
                    return .call(id: id, tool: tool, arguments: arguments)
                } catch {
                    return .reply(RPCResponse.error(id: id, error))
                }
            default:
                return .reply(RPCResponse.error(id: id, .methodNotFound(method)))
            }
        }
    }

    private func respond(_ id: RequestID, _ body: () throws(RPCError) -> JSONValue) -> JSONValue {
        do { return RPCResponse.result(id: id, try body()) } catch { return RPCResponse.error(id: id, error) }
    }

    /// A JSON-RPC batch (MCP 2025-03-26 only): its members are handled in order and answered
    /// together in one array.
    func handleBatch(_ batch: [JSONValue], version: ProtocolVersion,
                     negotiated: (ProtocolVersion) -> Void) async -> JSONValue? {
        var responses: [JSONValue] = []
        for element in batch {
            if case .array = element {
                responses.append(RPCResponse.error(id: nil, .invalidRequest("nested batch")))
                continue
            }
            switch step(for: IncomingMessage(element), version: version, negotiated: negotiated) {
            case .reply(let response): if let response { responses.append(response) }
            case .call(let id, let tool, let arguments):
                responses.append(await call(tool, arguments: arguments, id: id, version: version))
            case .batch: responses.append(RPCResponse.error(id: nil, .invalidRequest("nested batch")))
            }
        }
        return responses.isEmpty ? nil : .array(responses)
    }
}
