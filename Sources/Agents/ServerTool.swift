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
    /// The user's request, whose values a write must take (nil: not checked).
    var grounding: RequestGrounding?
    /// The tool a lookup's delegation named, when the agent was sent to look something up: then a
    /// write is not made (a small orders agent sent to look up "prod4" as an order went on to
    /// place an order). Nil: the agent may write.
    var lookup: String?

    var definition: ToolDefinition {
        ToolDefinition(name: info.name, description: info.description, parameters: info.inputSchema)
    }

    /// A read without the filters the request does not give (see `RequestGrounding`).
    func prepared(_ arguments: JSONValue) -> (arguments: JSONValue, note: String?) {
        guard info.readOnly, let (grounded, note) = grounding?.readWithoutUngroundedFilters(tool: info.name, arguments: arguments)
        else { return (arguments, nil) }
        return (grounded, note)
    }

    func hint(forInvalid arguments: JSONValue) -> String? {
        grounding?.hint(forInvalid: arguments)
    }

    func call(_ arguments: JSONValue, caller: String) async throws(AgentFailure) -> ToolOutcome {
        guard !info.readOnly else { return try await send(arguments) }
        if let lookup {
            return .error("not made: you were sent to look something up with \(lookup), not to change anything. Report what "
                + "you found (or that nothing was found) as your final answer; the manager decides what to change. Nothing was changed.")
        }
        if let problem = grounding?.violation(tool: info.name, arguments: arguments, earlier: ledger.attempts(of: info.name)) {
            // Kept for the answer's Failed: line: what the request asked for may be what cannot be done.
            ledger.refuse(info.name, arguments, agent: caller, error: problem)
            return .error(problem)
        }
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
            let outcome = try await send(arguments)
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

    private func send(_ arguments: JSONValue) async throws(AgentFailure) -> ToolOutcome {
        do {
            let result = try await client.callTool(info.name, arguments: arguments)
            if result.isError { return .error(result.text) }
            let value = result.structured ?? (try? JSONParser.parse(result.text)) ?? .string(result.text)
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
