import JSON
import LLMClient
import MCPClient

/// A ToolServer tool offered to a sub-agent, called over the shared MCP connection.
struct ServerTool: AgentTool {
    let info: MCPToolInfo
    let client: MCPClient
    let data: UntrustedData
    /// The run's writes so far (tools not marked read-only by the server).
    let ledger: WriteLedger
    /// The instruction's order ids so far, which each result adds to (see `OrderIDsSeen`).
    let seen: OrderIDsSeen?

    var definition: ToolDefinition { Self.definition(of: info) }

    /// A server tool as the model is offered it (also in a manager's typed delegations).
    static func definition(of info: MCPToolInfo) -> ToolDefinition {
        ToolDefinition(name: info.name, description: info.description, parameters: info.inputSchema)
    }

    var readOnly: Bool { info.readOnly }

    /// Reads go straight to the server. A write goes through the ledger, which makes each identical
    /// write of an instruction once, whichever agent asks (every profile).
    func call(_ arguments: JSONValue, caller: String) async throws(AgentFailure) -> ToolOutcome {
        guard !info.readOnly else { return try await send(arguments) }
        let arguments = Self.scoped(arguments, scope: ledger.scope)
        switch ledger.claim(info.name, arguments, agent: caller) {
        case .done(let done):
            // Reported as a success, the earlier one's: a small model told "error" here tried the
            // same call again until its step limit. But it may have copied the earlier call from
            // the request instead of making its own part, so it is told to make that.
            return ToolOutcome(isError: false, content: "already done: this exact \(info.name) call succeeded earlier for this "
                + "request (\(done.agent)), so it was not made again. Its result: \(data.wrap(done.result)). Do not repeat it. "
                + "If your part (the manager's note) is a different call, make that one now.",
                record: Self.noted(done.result, "not repeated: \(info.name) already succeeded in \(done.agent)"), alreadyDone: true)
        case .inFlight(let agent):
            return .error("\(agent) is making this exact \(info.name) call right now, so it was not made twice.")
        case .claimed:
            var succeeded: JSONValue?  // (not `nil` in a JSONValue context: that is JSON null)
            var refused: String?
            defer { ledger.finish(info.name, arguments, agent: caller, result: succeeded, error: refused) }
            let outcome = try await sendOnceStarted(arguments)
            if outcome.isError { refused = outcome.content } else { succeeded = outcome.record }
            return outcome
        }
    }

    /// The arguments with their `idempotency_key` (if any) scoped to the instruction: a retry
    /// within it keeps its key, but two instructions never share one. Small models wrote the same
    /// "unique_key" for both orders of a file, and the second was refused as a conflict.
    static func scoped(_ arguments: JSONValue, scope: String) -> JSONValue {
        guard case .object(var object) = arguments, let key = object["idempotency_key"]?.stringValue else { return arguments }
        object["idempotency_key"] = .string(scope + ":" + key.prefix(64 - scope.count - 1))
        return .object(object)
    }

    /// The earlier result with a `note` (so that whoever reads the record still has its ids).
    static func noted(_ result: JSONValue, _ note: String) -> JSONValue {
        guard case .object(var object) = result else { return .string(note) }
        object["note"] = .string(note)
        return .object(object)
    }

    /// A write is not given up once sent: the server makes it whether or not the host waits, so a
    /// run stopped meanwhile (Ctrl-C) still waits for its answer (within the call's timeout) and
    /// reports the change instead of leaving it out. Stopped before it is sent, it is not sent.
    private func sendOnceStarted(_ arguments: JSONValue) async throws(AgentFailure) -> ToolOutcome {
        if Task.isCancelled { throw .cancelled }
        let call = Task { () async -> Result<ToolOutcome, AgentFailure> in
            do throws(AgentFailure) { return .success(try await send(arguments)) } catch { return .failure(error) }
        }
        return try await call.value.get()
    }

    private func send(_ arguments: JSONValue) async throws(AgentFailure) -> ToolOutcome {
        do {
            let result = try await client.callTool(info.name, arguments: arguments)
            if result.isError {
                seen?.note(text: result.text)  // "Did you mean 'ord_…'?"
                return .error(result.text)
            }
            let value = result.structured ?? (try? JSONParser.parse(result.text)) ?? .string(result.text)
            seen?.note(value)
            let digest = ResultDigest.compact(value)
            return ToolOutcome(isError: false, content: data.wrap(digest), record: digest)
        } catch {
            switch error {
            case .timeout(_, let seconds):
                // The server may still apply it: say so, so the model checks before retrying.
                return .error("no answer from the tool server within \(seconds) s; the call may or may not have "
                    + "been applied. Check (get_order, list_orders, check_stock) before retrying.")
            case .rpcError(_, _, let message):
                return .error(message)
            case .cancelled:
                throw .cancelled
            default:
                throw .toolServer(error)
            }
        }
    }
}
