import JSON
import MCPClient

/// A write held for a person's yes (see `WriteApproval` and `GroundedWrites`).
public struct ApprovalRequest: Sendable {
    public var agent: String
    public var tool: String
    public var arguments: JSONValue
    /// Why it is held, one line each.
    public var reasons: [String]
    /// The order or product as it stands now, one line each (empty: nothing to show, or the
    /// lookup failed).
    public var current: [String]
}

public enum ApprovalDecision: Sendable, Equatable {
    case approved
    /// Not made, with the message the model reads.
    case declined(String)
}

/// Who answers a held write: a person at a terminal, or a standing answer.
public protocol Approver: Sendable {
    /// A person answers (so a doubtful write may be held for them rather than refused).
    var isInteractive: Bool { get }
    func decide(_ request: ApprovalRequest) async -> ApprovalDecision
}

/// `--yes`: every held write is approved; nobody is asked.
public struct ApproveAll: Approver {
    public init() {}
    public var isInteractive: Bool { false }
    public func decide(_ request: ApprovalRequest) async -> ApprovalDecision { .approved }
}

/// No terminal and no `--yes`: a held write is refused at once, so that a run never waits for input.
public struct NobodyToAsk: Approver {
    public init() {}
    public var isInteractive: Bool { false }
    public func decide(_ request: ApprovalRequest) async -> ApprovalDecision {
        .declined("not made: this write needs a person's approval (\(request.reasons.joined(separator: "; "))) and nobody can "
            + "be asked here (no terminal). Run it on a terminal to be asked, or pass --yes to approve writes unattended. "
            + "Nothing was changed. Report that it needs approval.")
    }
}

/// The message a model reads when the person said no.
public enum Declined {
    public static let message = "the user declined this call. Nothing was changed. Do not make it again; say in your answer that "
        + "the user declined it."
}

/// Puts a held call to the approver, with the order or product as it stands now (read through the
/// ToolServer, so the person decides on the database's state, not the model's account of it).
struct ApprovalGate: Sendable {
    let approver: any Approver
    let server: MCPClient?

    func decide(agent: String, tool: String, arguments: JSONValue, reasons: [String]) async -> ApprovalDecision {
        let current = approver.isInteractive ? await currentState(arguments) : []
        return await approver.decide(ApprovalRequest(agent: agent, tool: tool, arguments: arguments, reasons: reasons,
                                                     current: current))
    }

    /// The order the call names (`get_order`), or each product (`check_stock`), in one line each.
    private func currentState(_ arguments: JSONValue) async -> [String] {
        var reads: [(String, JSONValue)] = []
        if let order = arguments["order_id"]?.stringValue { reads.append(("get_order", ["order_id": .string(order)])) }
        var products = (arguments["items"]?.arrayValue ?? []).compactMap { $0["product_id"]?.stringValue }
        if let product = arguments["product_id"]?.stringValue { products.append(product) }
        reads += products.map { ("check_stock", ["product_id": .string($0)]) }
        var lines: [String] = []
        for (tool, query) in reads {
            guard let result = try? await server?.callTool(tool, arguments: query) else { continue }
            let value = result.structured ?? .string(result.text)
            lines.append(result.isError ? result.text : PlainText.render(ResultDigest.compact(value)))
        }
        return lines
    }
}
