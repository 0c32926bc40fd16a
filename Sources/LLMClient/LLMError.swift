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
    /// The response began but the connection closed before its body was complete.
    case interrupted(url: String, detail: String)
    /// A 2xx answer with nothing in it.
    case emptyResponse(url: String, status: Int)
    /// A body longer than the limit: not read further, not retried.
    case responseTooLarge(url: String, limit: Int)
    /// A 2xx answer that is not a chat completion.
    case invalidResponse(String)
    /// A retryable failure that was still there after the last attempt.
    indirect case attemptsExhausted(LLMError, attempts: Int)
    /// A retryable failure whose `Retry-After` asks for a longer wait than the client allows:
    /// not retried early.
    indirect case retryAfterTooLong(LLMError, seconds: Double, limit: Double)
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
        case .interrupted(let url, let detail):
            "the LLM endpoint \(url) closed the connection before its response was complete (\(detail))"
        case .emptyResponse(let url, let status):
            "the LLM endpoint \(url) answered HTTP \(status) with an empty body"
        case .responseTooLarge(let url, let limit):
            "the LLM endpoint \(url) sent a response larger than \(Self.size(limit)); it was not read further "
                + "(a runaway reply? limit the reply length on the server)"
        case .attemptsExhausted(let error, let attempts):
            "\(error) (gave up after \(attempts) attempts, --llm-attempts)"
        case .retryAfterTooLong(let error, let seconds, let limit):
            "\(error); it asks to retry after \(Self.seconds(seconds)) s (Retry-After), longer than the "
                + "\(Self.seconds(limit)) s the host waits, so it was not retried"
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
        case .timeout, .connection, .interrupted, .emptyResponse: true
        default: false
        }
    }

    /// The request did not fit the model's context window (HTTP 400 "maximum context length",
    /// as OpenAI, vLLM and llama-cpp-python word it): a shorter conversation may still go.
    public var isContextFull: Bool {
        guard case .http(400, _, let detail) = self else { return false }
        let text = detail.lowercased()
        return text.contains("context length") || text.contains("context window")
    }

    /// "8 MiB", "512 KiB", "100 bytes".
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// 3 → "3", 1.5 → "1.5".
    static func seconds(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
