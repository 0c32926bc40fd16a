import JSON

/// Which writes wait for a person's yes (`--approve`).
public enum ApprovalMode: String, Sendable, CaseIterable {
    /// None: for unattended runs.
    case never
    /// Cancellations and stock decreases: what cannot be undone by another write of the same tool.
    case destructive
    /// Every write.
    case writes
}

/// The writes `mode` covers wait for a person (see `Approver`): the field's answer to "the model
/// might write what nobody asked" (the OpenAI Agents SDK's `needs_approval`, MCP's "a human able
/// to deny tool calls"). Every profile; `--approve` chooses the mode.
struct WriteApproval: AgentPolicy {
    let name = "write-approval"
    let mode: ApprovalMode

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard call.isWrite, let arguments = call.parsed else { return .allow }
        switch mode {
        case .never:
            return .allow
        case .writes:
            return .askPerson(reason: "--approve writes: every write waits for your yes")
        case .destructive:
            guard let reason = Self.destructive(call.name, arguments) else { return .allow }
            return .askPerson(reason: reason)
        }
    }

    /// Why the call is destructive (nil: it is not): a cancellation, or a stock decrease.
    static func destructive(_ tool: String, _ arguments: JSONValue) -> String? {
        switch tool {
        case "update_delivery_status" where arguments["status"]?.stringValue == "cancelled":
            "a cancellation cannot be undone"
        case "update_stock" where (arguments["delta"]?.integerValue ?? 0) < 0:
            "a stock decrease (write-off)"
        default:
            nil
        }
    }
}
