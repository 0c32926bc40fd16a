/// Why a chat-completions call failed, worded to name the setting that fixes it.
public enum LLMError: Error, Sendable, CustomStringConvertible {
    /// 401/403: the key was refused or missing.
    case unauthorized(status: Int, url: String, keySetting: String, detail: String)
    /// 404: unknown model or wrong base URL.
    case notFound(url: String, model: String, detail: String)
    /// Any other HTTP failure, after retries when it was retryable.
    case http(status: Int, url: String, detail: String)
    case timeout(url: String, seconds: Double)
    case connection(url: String, detail: String)
    /// A 2xx answer that is not a chat completion.
    case invalidResponse(String)
    case configuration(String)
    case cancelled

    public var description: String {
        switch self {
        case .unauthorized(let status, let url, let keySetting, let detail):
            "the LLM endpoint \(url) refused the request (HTTP \(status)): \(detail). Check the API key in "
                + "\(keySetting) (or name another variable with --api-key-env)."
        case .notFound(let url, let model, let detail):
            "the LLM endpoint \(url) answered HTTP 404: \(detail). Either the model '\(model)' is unknown there "
                + "(set --model or LLM_MODEL) or the base URL is wrong (set --base-url or OPENAI_BASE_URL)."
        case .http(let status, let url, let detail):
            "the LLM endpoint \(url) answered HTTP \(status): \(detail)"
        case .timeout(let url, let seconds):
            "no answer from the LLM endpoint \(url) within \(seconds) s (--llm-timeout)"
        case .connection(let url, let detail):
            "cannot reach the LLM endpoint \(url): \(detail). Is the server running? (--base-url or OPENAI_BASE_URL)"
        case .invalidResponse(let detail):
            "the LLM endpoint sent an answer that is not a chat completion: \(detail)"
        case .configuration(let detail):
            detail
        case .cancelled:
            "the LLM call was cancelled"
        }
    }

    /// Worth another attempt: rate limits, server errors, timeouts and connection failures.
    var isRetryable: Bool {
        switch self {
        case .http(let status, _, _): status == 408 || status == 409 || status == 429 || status >= 500
        case .timeout, .connection: true
        default: false
        }
    }
}
