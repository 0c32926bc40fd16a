import Foundation

/// LiteLLM-style model names ("ollama/qwen2.5", "deepseek/deepseek-chat") for the common
/// OpenAI-compatible providers: the prefix picks the base URL and the key variable.
public struct Provider: Sendable, Hashable {
    public let prefix: String
    public let baseURL: String
    /// nil when the provider needs no key (a local server).
    public let keyVariable: String?

    public static let all: [Provider] = [
        Provider(prefix: "openai", baseURL: "https://api.openai.com/v1", keyVariable: "OPENAI_API_KEY"),
        Provider(prefix: "ollama", baseURL: "http://127.0.0.1:11434/v1", keyVariable: nil),
        Provider(prefix: "ollama_chat", baseURL: "http://127.0.0.1:11434/v1", keyVariable: nil),
        Provider(prefix: "deepseek", baseURL: "https://api.deepseek.com/v1", keyVariable: "DEEPSEEK_API_KEY"),
        Provider(prefix: "openrouter", baseURL: "https://openrouter.ai/api/v1", keyVariable: "OPENROUTER_API_KEY"),
        Provider(prefix: "groq", baseURL: "https://api.groq.com/openai/v1", keyVariable: "GROQ_API_KEY"),
        Provider(prefix: "mistral", baseURL: "https://api.mistral.ai/v1", keyVariable: "MISTRAL_API_KEY"),
        Provider(prefix: "together_ai", baseURL: "https://api.together.xyz/v1", keyVariable: "TOGETHER_API_KEY"),
        Provider(prefix: "lm_studio", baseURL: "http://127.0.0.1:1234/v1", keyVariable: nil),
        Provider(prefix: "hosted_vllm", baseURL: "http://127.0.0.1:8000/v1", keyVariable: nil),
        Provider(prefix: "llamacpp", baseURL: "http://127.0.0.1:8080/v1", keyVariable: nil),
    ]

    public static let defaultBaseURL = "https://api.openai.com/v1"
}

/// The settings as given (flags and environment), before they are resolved into an endpoint.
public struct LLMSettings: Sendable {
    /// --model, else LLM_MODEL.
    public var model: String?
    /// --base-url, else nil (the provider's or OPENAI_BASE_URL decide).
    public var baseURLFlag: String?
    /// --api-key-env: the variable that holds the key.
    public var apiKeyVariable: String?
    public var environment: [String: String]

    public init(model: String?, baseURLFlag: String?, apiKeyVariable: String?, environment: [String: String]) {
        self.model = model
        self.baseURLFlag = baseURLFlag
        self.apiKeyVariable = apiKeyVariable
        self.environment = environment
    }

    /// Whether any LLM is configured at all (what scripts/run.sh checks too).
    public var isConfigured: Bool {
        model != nil || baseURLFlag != nil || ["OPENAI_API_KEY", "LLM_MODEL", "OPENAI_BASE_URL"].contains { nonEmpty($0) != nil }
    }

    private func nonEmpty(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// An explicit base URL (--base-url, else OPENAI_BASE_URL) is used with the model name as
    /// given, prefix and all, as a LiteLLM proxy expects. Without one, a known provider prefix
    /// picks the base URL and key variable and is removed from the name; otherwise OpenAI.
    /// Key: the variable named by --api-key-env, then the provider's, then OPENAI_API_KEY.
    public func resolve() throws(LLMError) -> LLMEndpoint {
        var name = model ?? nonEmpty("LLM_MODEL")
        let explicitBase = baseURLFlag ?? nonEmpty("OPENAI_BASE_URL")
        var provider: Provider?
        if explicitBase == nil, let full = name, let slash = full.firstIndex(of: "/"),
           let match = Provider.all.first(where: { $0.prefix == full[..<slash].lowercased() }) {
            provider = match
            name = String(full[full.index(after: slash)...])
        }
        let base = explicitBase ?? provider?.baseURL ?? Provider.defaultBaseURL
        guard let url = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw .configuration("invalid LLM base URL '\(base)': use http(s)://host[:port]/v1 (--base-url or OPENAI_BASE_URL)")
        }
        let keySetting = apiKeyVariable ?? provider?.keyVariable ?? "OPENAI_API_KEY"
        let key = nonEmpty(keySetting)
        if apiKeyVariable != nil, key == nil {
            throw .configuration("--api-key-env names \(keySetting), but that variable is not set")
        }
        let model: String
        if let name, !name.isEmpty {
            model = name
        } else if base == Provider.defaultBaseURL {
            model = "gpt-4o-mini"
        } else {
            model = "default"  // llama.cpp-style single-model servers ignore the name
        }
        var endpoint = LLMEndpoint(baseURL: url, model: model, apiKey: key, keySetting: keySetting, provider: provider?.prefix)
        if key == nil, !endpoint.isLocal, provider?.keyVariable != nil || base == Provider.defaultBaseURL {
            throw .configuration("no API key for \(base): set \(keySetting) (or name another variable with --api-key-env)")
        }
        if endpoint.isLocal, key == nil { endpoint.apiKey = nil }
        return endpoint
    }
}
