import LLMClient

/// Which model endpoint each agent talks to: one for all, or some agents on their own. A local
/// server keeps one conversation's prompt in its cache; an instance per agent role lets each
/// role's next run start from its system prompt and tools already read.
public struct AgentModels: Sendable {
    public let standard: any ChatCompleting
    /// By agent: "manager", "inventory", "orders", "delivery".
    public let byAgent: [String: any ChatCompleting]

    public init(_ standard: any ChatCompleting, byAgent: [String: any ChatCompleting] = [:]) {
        self.standard = standard
        self.byAgent = byAgent
    }

    public func model(for agent: String) -> any ChatCompleting { byAgent[agent] ?? standard }

    /// The agent names an endpoint may be given for.
    public static let agents = ["manager"] + AgentRole.allCases.map(\.rawValue)
}
