import Foundation

/// Where the model is: base URL, model name as the server knows it, and the API key with the
/// name of the setting it came from (for error messages).
public struct LLMEndpoint: Sendable, Hashable {
    public var baseURL: URL
    public var model: String
    public var apiKey: String?
    /// The variable or flag the key is read from, e.g. "OPENAI_API_KEY".
    public var keySetting: String
    /// The provider prefix that chose the base URL, if any ("ollama").
    public var provider: String?

    public init(baseURL: URL, model: String, apiKey: String? = nil, keySetting: String = "OPENAI_API_KEY", provider: String? = nil) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.keySetting = keySetting
        self.provider = provider
    }

    public var completionsURL: URL { baseURL.appendingPathComponent("chat/completions") }

    /// True for 127.0.0.0/8, ::1 and localhost, where no key is expected.
    public var isLocal: Bool {
        guard let host = baseURL.host?.lowercased() else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }
}
