import Foundation
import TestSupport

/// What the AgentHost tests add to the shared test environment: the AgentHost binary, fixtures,
/// and a clean environment for spawned hosts.
extension TestEnvironment {
    static var agentHostPath: String {
        environment["AGENTHOST_BIN"] ?? URL(fileURLWithPath: toolServerPath).deletingLastPathComponent()
            .appendingPathComponent("AgentHost").path
    }

    static var agentEvalPath: String {
        environment["AGENTEVAL_BIN"] ?? URL(fileURLWithPath: toolServerPath).deletingLastPathComponent()
            .appendingPathComponent("AgentEval").path
    }

    /// A file under Tests/AgentHostTests/Fixtures.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }
}

extension TestEnvironment {
    /// The package root.
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func repositoryFile(_ path: String) -> String { root.appendingPathComponent(path).path }

    /// The environment for a spawned AgentHost: no LLM settings or keys from the developer's shell.
    static var childEnvironment: [String: String] {
        var env = environment.filter { !$0.key.hasSuffix("_API_KEY") }
        for name in ["LLM_MODEL", "OPENAI_BASE_URL", "LLM_COMPAT", "MONGODB_URI", "MONGODB_DATABASE", "LOG_LEVEL"] {
            env[name] = nil
        }
        return env
    }
}
