import Agents
import ArgumentParser
import Foundation
import LLMClient

/// The model flags AgentHost and AgentEval share, and how they become a chat client.
public struct LLMOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Model name, optionally with a provider prefix (ollama/qwen2.5, deepseek/deepseek-chat). Env: LLM_MODEL.", valueName: "name"))
    public var model: String?

    @Option(name: .customLong("base-url"), help: ArgumentHelp("OpenAI-compatible base URL, e.g. http://127.0.0.1:4000 for a LiteLLM proxy; the model name is sent to it as is. Env: OPENAI_BASE_URL.", valueName: "url"))
    public var baseURL: String?

    @Option(name: .customLong("manager-base-url"), help: ArgumentHelp("A separate endpoint for the manager only (same model name and key). With a local server that keeps one conversation in its prompt cache, a second instance for the manager saves it reading its whole conversation again after every delegation. Env: LLM_MANAGER_BASE_URL.", valueName: "url"))
    public var managerBaseURL: String?

    @Option(name: .customLong("agent-base-url"), help: ArgumentHelp("An agent's own endpoint (same model name and key), as AGENT=URL with AGENT one of manager, inventory, orders, delivery; repeat for several. A local server instance per agent starts each run of that agent from its prompt already read. Env: LLM_AGENT_BASE_URLS (comma-separated AGENT=URL).", valueName: "agent=url"))
    public var agentBaseURLs: [String] = []

    @Option(name: .customLong("api-key-env"), help: ArgumentHelp("Read the API key from this environment variable instead of OPENAI_API_KEY (or the provider's).", valueName: "NAME"))
    public var apiKeyEnv: String?

    @Option(help: ArgumentHelp("Server quirks to work around: openai (plain, the default) or llama-cpp (tool results repeated as user messages, final answer through a final_answer tool). Env: LLM_COMPAT.", valueName: "preset"))
    public var compat: String?

    @Option(help: "Sampling temperature.")
    public var temperature: Double = 0

    @Option(name: .customLong("llm-timeout"), help: ArgumentHelp("Seconds before one model call times out.", valueName: "seconds"))
    public var llmTimeout: Double = 120

    @Option(name: .customLong("llm-attempts"), help: ArgumentHelp("Attempts per model call (retries on 429, 5xx, timeouts, connection errors and cut-off or empty answers, honouring Retry-After).", valueName: "n"))
    public var llmAttempts: Int = 4

    public init() {}

    public func validate() throws {
        guard llmTimeout > 0 else { throw ValidationError("--llm-timeout must be positive") }
        guard llmAttempts >= 1 else { throw ValidationError("--llm-attempts must be at least 1") }
    }

    /// The endpoint and server quirks from the flags, else the environment (LLM_MODEL,
    /// OPENAI_BASE_URL, the API key variables, LLM_COMPAT).
    public func resolve(environment: [String: String]) throws(SettingsError) -> ResolvedLLM {
        let endpoint: LLMEndpoint
        do {
            endpoint = try LLMSettings(model: model, baseURLFlag: baseURL, apiKeyVariable: apiKeyEnv, environment: environment).resolve()
        } catch {
            throw SettingsError("\(error)")
        }
        let name = compat ?? environment["LLM_COMPAT"].flatMap { $0.isEmpty ? nil : $0 } ?? "openai"
        guard let compatibility = Compatibility.presets[name.lowercased()] else {
            throw SettingsError("unknown --compat '\(name)'; use one of \(Compatibility.presets.keys.sorted().joined(separator: ", "))")
        }
        var agentEndpoints: [String: LLMEndpoint] = [:]
        for (agent, url, source) in try agentURLs(environment: environment) {
            do {
                agentEndpoints[agent] = try LLMSettings(model: model, baseURLFlag: url, apiKeyVariable: apiKeyEnv,
                                                        environment: environment).resolve()
            } catch {
                throw SettingsError("\(source): \(error)")
            }
        }
        let options = ChatClientOptions(temperature: temperature, requestTimeout: .seconds(llmTimeout),
                                        retry: RetryPolicy(maxAttempts: llmAttempts), compatibility: compatibility)
        return ResolvedLLM(endpoint: endpoint, agentEndpoints: agentEndpoints, options: options, compatName: name.lowercased())
    }

    /// The agents' own URLs: the flags, else the environment; `--manager-base-url` is `manager=`.
    private func agentURLs(environment: [String: String]) throws(SettingsError) -> [(agent: String, url: String, source: String)] {
        var pairs: [(String, String, String)] = []
        let listed = agentBaseURLs.isEmpty
            ? (environment["LLM_AGENT_BASE_URLS"] ?? "").split(separator: ",").map(String.init) : agentBaseURLs
        let source = agentBaseURLs.isEmpty ? "LLM_AGENT_BASE_URLS" : "--agent-base-url"
        for entry in listed.map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let equals = entry.firstIndex(of: "="), AgentModels.agents.contains(String(entry[..<equals])) else {
                throw SettingsError("\(source) '\(entry)': expected AGENT=URL with AGENT one of \(AgentModels.agents.joined(separator: ", "))")
            }
            pairs.append((String(entry[..<equals]), String(entry[entry.index(after: equals)...]), source))
        }
        if let url = managerBaseURL ?? environment["LLM_MANAGER_BASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) {
            pairs.removeAll { $0.0 == "manager" }
            pairs.append(("manager", url, "--manager-base-url"))
        }
        return pairs
    }
}

/// Where the model is, which server quirks apply, and the client's timeouts and retries.
public struct ResolvedLLM: Sendable {
    public let endpoint: LLMEndpoint
    /// Agents with an endpoint of their own (see `AgentModels`).
    public let agentEndpoints: [String: LLMEndpoint]
    public let options: ChatClientOptions
    /// The preset's name: "openai", "llama-cpp" or "llama-server".
    public let compatName: String

    public var compatibility: Compatibility { options.compatibility }

    /// A client for the endpoint whose retries are reported to the tracer.
    public func client(tracer: Tracer) -> ChatClient { client(endpoint, tracer: tracer) }

    /// A client per agent: its own endpoint's, else the shared one.
    public func models(tracer: Tracer) -> AgentModels {
        AgentModels(client(tracer: tracer), byAgent: agentEndpoints.mapValues { client($0, tracer: tracer) })
    }

    private func client(_ endpoint: LLMEndpoint, tracer: Tracer) -> ChatClient {
        ChatClient(endpoint: endpoint, options: options, observer: { event in
            if case .retrying(let attempt, let error, let delay) = event {
                tracer.emit(TraceEvent(kind: .retry, agent: "llm",
                                       message: "attempt \(attempt) failed (\(error)); retrying in \(String(format: "%.1f", delay.seconds)) s"))
            }
        })
    }
}

/// Settings that cannot work (no key, a bad URL, an unknown preset): a setup error.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
