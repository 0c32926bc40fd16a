import Foundation
import JSON
import LLMClient
import Synchronization

/// Where a running HTTP ToolServer is, and the bearer token it wants (nil: none).
public struct ServerEndpoint: Sendable, Hashable {
    public var url: URL
    public var token: String?

    /// Nil unless `text` is an absolute http or https URL.
    public init?(_ text: String, token: String? = nil) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false else { return nil }
        self.url = url
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// MCP Streamable HTTP, as a client: each message is a POST; a response comes back as
/// `application/json` or as a `text/event-stream` that carries it. After `initialize` every
/// request states the negotiated `MCP-Protocol-Version` and, when the server gave one, its
/// `Mcp-Session-Id`.
final class HTTPChannel: MCPChannel {
    private struct State {
        var nextID: Int64 = 1
        var version: String?
        var sessionID: String?
        var closed = false
    }

    private let endpoint: ServerEndpoint
    private let transport: any HTTPTransport
    private let state = Mutex(State())
    /// Far more than any tool result; a server that sends more is broken.
    static let maxResponseBytes = 64 << 20

    init(_ endpoint: ServerEndpoint, transport: any HTTPTransport = StandardTransport()) {
        self.endpoint = endpoint
        self.transport = transport
    }

    var pid: Int32? { nil }
    var isAlive: Bool { state.withLock { !$0.closed } }
    var recentStderr: String { "" }

    func request(_ method: String, _ params: JSONValue?, timeout: Duration) async throws(MCPClientError) -> JSONValue {
        let id = state.withLock { state -> Int64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        var message: JSONObject = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { message["params"] = params }
        let response = try await post(.object(message), method: method, timeout: timeout)
        guard response.status == 200 else { throw refusal(response) }
        let reply = try Self.message(in: response, id: id)
        if method == "initialize", let version = reply["result"]?["protocolVersion"]?.stringValue {
            state.withLock {
                $0.version = version
                $0.sessionID = response.headers["mcp-session-id"]
            }
        }
        return reply
    }

    func notify(_ method: String, _ params: JSONValue?) async throws(MCPClientError) {
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        let response = try await post(.object(message), method: method, timeout: .seconds(30))
        guard (200..<300).contains(response.status) else { throw refusal(response) }
    }

    func shutdown(grace: Duration) async -> String {
        state.withLock { $0.closed = true }
        return "disconnected"
    }

    private func post(_ message: JSONValue, method: String, timeout: Duration) async throws(MCPClientError) -> HTTPResponse {
        let (version, sessionID, closed) = state.withLock { ($0.version, $0.sessionID, $0.closed) }
        if closed { throw .protocolError("the client was shut down") }
        var headers = ["Content-Type": "application/json", "Accept": "application/json, text/event-stream"]
        if let version { headers["MCP-Protocol-Version"] = version }
        if let sessionID { headers["Mcp-Session-Id"] = sessionID }
        if let token = endpoint.token { headers["Authorization"] = "Bearer \(token)" }
        do {
            return try await transport.post(endpoint.url, headers: headers, body: JSONWriter.bytes(message),
                                            timeout: timeout, maxResponseBytes: Self.maxResponseBytes)
        } catch {
            switch error {
            case .timeout: throw .timeout(method: method, seconds: timeout.seconds)
            case .cancelled: throw .cancelled
            case .connection(let detail), .interrupted(let detail):
                throw .unreachable(url: endpoint.url.absoluteString, detail: detail)
            case .tooLarge(let limit): throw .protocolError("a response of more than \(limit) bytes")
            }
        }
    }

    /// The response to request `id`, from a JSON body or from the event stream that carries it.
    static func message(in response: HTTPResponse, id: Int64) throws(MCPClientError) -> JSONValue {
        let contentType = response.headers["content-type"]?.lowercased() ?? ""
        if contentType.hasPrefix("text/event-stream") {
            for data in ServerSentEvents.data(in: response.body) {
                if let message = try? JSONParser.parse(Array(data.utf8)), message["id"] == .int(id) { return message }
            }
            throw .protocolError("the event stream ended without the response to request \(id)")
        }
        guard let message = try? JSONParser.parse(response.body) else {
            throw .protocolError("the response is not JSON (\(contentType.isEmpty ? "no content type" : contentType))")
        }
        return message
    }

    private func refusal(_ response: HTTPResponse) -> MCPClientError {
        let message = (try? JSONParser.parse(response.body))?["error"]?["message"]?.stringValue
        return .refused(status: response.status, message: message ?? String(decoding: response.body.prefix(200), as: UTF8.self))
    }
}

/// The `data` of each event in a `text/event-stream` body (lines `data: …`, events separated by
/// blank lines).
enum ServerSentEvents {
    static func data(in body: [UInt8]) -> [String] {
        var events: [String] = []
        var current: [String] = []
        for rawLine in String(decoding: body, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if line.isEmpty {
                if !current.isEmpty { events.append(current.joined(separator: "\n")) }
                current = []
            } else if line.hasPrefix("data:") {
                let value = line.dropFirst(5)
                current.append(String(value.hasPrefix(" ") ? value.dropFirst() : value))
            }
        }
        if !current.isEmpty { events.append(current.joined(separator: "\n")) }
        return events
    }
}
