import LLMClient
import MCPClient

/// A failure that ends the whole run: the model cannot be reached, or the tool server is gone.
/// Everything a model can fix (a bad call, an unknown id, short stock) is a tool result instead.
public enum AgentFailure: Error, Sendable, CustomStringConvertible {
    case llm(agent: String, LLMError)
    case toolServer(MCPClientError)
    case cancelled

    public var description: String {
        switch self {
        case .llm(let agent, let error): "\(agent): \(error)"
        case .toolServer(let error): "\(error)"
        case .cancelled: "the run was cancelled"
        }
    }
}
