import Foundation
import JSON

/// What the client tells its observer as it goes (for the live trace).
public enum ChatClientEvent: Sendable {
    /// Attempt `attempt` failed with a retryable error; the next one starts after `delay`.
    case retrying(attempt: Int, error: LLMError, delay: Duration)
}

/// Tunables of the HTTP client.
public struct ChatClientOptions: Sendable {
    public var temperature: Double
    /// Bound on each HTTP exchange.
    public var requestTimeout: Duration
    public var retry: RetryPolicy
    public var compatibility: Compatibility
    /// Longest response body read; a longer one fails the call (`LLMError.responseTooLarge`).
    public var maxResponseBytes: Int

    public static let defaultMaxResponseBytes = 8 << 20

    public init(temperature: Double = 0, requestTimeout: Duration = .seconds(120), retry: RetryPolicy = RetryPolicy(),
                compatibility: Compatibility = .openAI, maxResponseBytes: Int = ChatClientOptions.defaultMaxResponseBytes) {
        self.temperature = temperature
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.compatibility = compatibility
        self.maxResponseBytes = maxResponseBytes
    }
}

/// An OpenAI-compatible chat-completions client: POST {base}/chat/completions with tools, with
/// timeouts, a bound on the response size, and retries (429, 5xx, timeouts, connection errors,
/// cut-off or empty responses; `Retry-After` honoured).
public struct ChatClient: ChatCompleting {
    public let endpoint: LLMEndpoint
    public let options: ChatClientOptions
    private let transport: any HTTPTransport
    private let observer: @Sendable (ChatClientEvent) -> Void

    public init(endpoint: LLMEndpoint, options: ChatClientOptions = ChatClientOptions(),
                transport: any HTTPTransport = StandardTransport(),
                observer: @escaping @Sendable (ChatClientEvent) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.options = options
        self.transport = transport
        self.observer = observer
    }

    var wire: WireFormat {
        WireFormat(model: endpoint.model, temperature: options.temperature, compatibility: options.compatibility)
    }

    public func complete(_ request: ChatRequest) async throws(LLMError) -> ChatResponse {
        let response = try await exchange(request)
        guard let choice = wire.followUpChoice(for: request, after: response) else { return response }
        // The model chose to answer in text (or named a tool without arguments) on a server that
        // cannot produce either with tools offered: the same prompt again, with that tool forced.
        var forced = request
        forced.toolChoice = choice
        var second = try await exchange(forced)
        if let first = response.usage { second.usage = first + (second.usage ?? TokenUsage()) }
        return second
    }

    private func exchange(_ request: ChatRequest) async throws(LLMError) -> ChatResponse {
        let body = JSONWriter.bytes(wire.body(for: request))
        var headers = ["Content-Type": "application/json", "Accept": "application/json"]
        if let key = endpoint.apiKey { headers["Authorization"] = "Bearer \(key)" }
        let url = endpoint.completionsURL
        var attempt = 1
        while true {
            if Task.isCancelled { throw .cancelled }
            let failure: LLMError
            var retryAfter: String?
            switch await send(url, headers: headers, body: body) {
            case .success(let response) where (200..<300).contains(response.status) && response.body.isEmpty:
                failure = .emptyResponse(url: url.absoluteString, status: response.status)
            case .success(let response) where (200..<300).contains(response.status):
                return try wire.response(from: response.body, offered: request.tools.map(\.name))
            case .success(let response):
                failure = classify(response)
                retryAfter = response.headers["retry-after"]
            case .failure(.timeout):
                failure = .timeout(url: url.absoluteString, seconds: options.requestTimeout.seconds)
            case .failure(.connection(let detail)):
                failure = .connection(url: url.absoluteString, detail: detail)
            case .failure(.interrupted(let detail)):
                failure = .interrupted(url: url.absoluteString, detail: detail)
            case .failure(.tooLarge(let limit)):
                failure = .responseTooLarge(url: url.absoluteString, limit: limit)
            case .failure(.cancelled):
                throw .cancelled
            }
            guard failure.isRetryable else { throw failure }
            guard attempt < options.retry.maxAttempts else {
                throw attempt > 1 ? .attemptsExhausted(failure, attempts: attempt) : failure
            }
            let delay: Duration
            switch options.retry.delay(after: attempt, retryAfter: retryAfter) {
            case .after(let wait): delay = wait
            case .tooLong(let seconds):
                throw .retryAfterTooLong(failure, seconds: seconds, limit: options.retry.maxDelay.seconds)
            }
            observer(.retrying(attempt: attempt, error: failure, delay: delay))
            do { try await Task.sleep(for: delay) } catch { throw .cancelled }
            attempt += 1
        }
    }

    private func send(_ url: URL, headers: [String: String], body: [UInt8]) async -> Result<HTTPResponse, TransportError> {
        do {
            return .success(try await transport.post(url, headers: headers, body: body, timeout: options.requestTimeout,
                                                     maxResponseBytes: options.maxResponseBytes))
        }
        catch { return .failure(error) }
    }

    private func classify(_ response: HTTPResponse) -> LLMError {
        let url = endpoint.completionsURL.absoluteString
        let detail = Self.errorMessage(response.body)
        switch response.status {
        case 401, 403: return .unauthorized(status: response.status, url: url, keySetting: endpoint.keySetting, detail: detail)
        case 404: return .notFound(url: url, model: endpoint.model, detail: detail)
        default: return .http(status: response.status, url: url, detail: detail)
        }
    }

    /// The `error.message` of an OpenAI-style error body, or the start of the body.
    static func errorMessage(_ body: [UInt8]) -> String {
        if let value = try? JSONParser.parse(body) {
            if let message = value["error"]?["message"]?.stringValue { return message }
            if let message = value["error"]?.stringValue ?? value["message"]?.stringValue ?? value["detail"]?.stringValue {
                return message
            }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return text.isEmpty ? "(empty body)" : text
    }
}

extension Duration {
    /// Seconds as a Double, for messages.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
