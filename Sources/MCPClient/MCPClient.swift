import JSON

/// An MCP client, over a server process it spawned (`launch`) or a running HTTP server
/// (`connect`). One client is shared by every agent; each request has a timeout.
public final class MCPClient: Sendable {
    public static let protocolVersion = "2025-11-25"

    private let channel: any MCPChannel
    public let callTimeout: Duration

    /// Starts the server and performs the MCP handshake (initialize, notifications/initialized).
    public static func launch(_ launch: ServerLaunch, callTimeout: Duration = .seconds(60),
                              handshakeTimeout: Duration = .seconds(30),
                              clientName: String = "AgentHost", clientVersion: String = "0.1.0",
                              stderrLine: (@Sendable (String) -> Void)? = nil) async throws(MCPClientError) -> MCPClient {
        let channel = try StdioChannel.start(launch, stderrLine: stderrLine)
        return try await handshake(channel, callTimeout: callTimeout, handshakeTimeout: handshakeTimeout,
                                   clientName: clientName, clientVersion: clientVersion)
    }

    /// Uses the server at `endpoint` (MCP Streamable HTTP) and performs the handshake.
    public static func connect(_ endpoint: ServerEndpoint, callTimeout: Duration = .seconds(60),
                               handshakeTimeout: Duration = .seconds(30),
                               clientName: String = "AgentHost", clientVersion: String = "0.1.0") async throws(MCPClientError) -> MCPClient {
        try await handshake(HTTPChannel(endpoint), callTimeout: callTimeout, handshakeTimeout: handshakeTimeout,
                            clientName: clientName, clientVersion: clientVersion)
    }

    private static func handshake(_ channel: any MCPChannel, callTimeout: Duration, handshakeTimeout: Duration,
                                  clientName: String, clientVersion: String) async throws(MCPClientError) -> MCPClient {
        let client = MCPClient(channel: channel, callTimeout: callTimeout)
        do throws(MCPClientError) {
            let result = try await client.request("initialize", [
                "protocolVersion": .string(protocolVersion), "capabilities": [:],
                "clientInfo": ["name": .string(clientName), "version": .string(clientVersion)],
            ], timeout: handshakeTimeout)
            guard result["protocolVersion"]?.stringValue != nil else {
                throw .protocolError("initialize returned no protocolVersion: \(JSONWriter.string(result))")
            }
            try await client.notify("notifications/initialized")
        } catch {
            _ = await channel.shutdown(grace: .milliseconds(500))
            throw error
        }
        return client
    }

    private init(channel: any MCPChannel, callTimeout: Duration) {
        self.channel = channel
        self.callTimeout = callTimeout
    }

    /// The server's process id, when this client started it.
    public var pid: Int32? { channel.pid }

    // MARK: Tools

    public func listTools() async throws(MCPClientError) -> [MCPToolInfo] {
        let result = try await request("tools/list")
        guard let tools = result["tools"]?.arrayValue else {
            throw .protocolError("tools/list returned no 'tools' array")
        }
        return tools.compactMap(MCPToolInfo.init)
    }

    public func callTool(_ name: String, arguments: JSONValue) async throws(MCPClientError) -> MCPToolResult {
        MCPToolResult(try await request("tools/call", ["name": .string(name), "arguments": arguments]))
    }

    // MARK: JSON-RPC

    /// Sends a request and returns its `result`; a JSON-RPC error becomes `.rpcError`.
    public func request(_ method: String, _ params: JSONValue? = nil, timeout: Duration? = nil) async throws(MCPClientError) -> JSONValue {
        let response = try await channel.request(method, params, timeout: timeout ?? callTimeout)
        if let error = response["error"] {
            throw .rpcError(method: method, code: Int(error["code"]?.integerValue ?? 0),
                            message: error["message"]?.stringValue ?? JSONWriter.string(error))
        }
        return response["result"] ?? .null
    }

    public func notify(_ method: String, _ params: JSONValue? = nil) async throws(MCPClientError) {
        try await channel.notify(method, params)
    }

    /// The server's last stderr lines (at most 5), joined; empty for a server this client did not start.
    public var recentStderr: String { channel.recentStderr }

    /// Whether the server is still running and its output open (for HTTP: not shut down).
    public var isAlive: Bool { channel.isAlive }

    // MARK: Shutdown

    /// For a spawned server: closes its stdin (it answers what it has read and exits), then sends
    /// SIGTERM after `grace`, and SIGKILL if that is ignored too. For an HTTP server: stops using
    /// it (the server runs on). Returns how it ended ("status 0").
    public func shutdown(grace: Duration = .seconds(3)) async -> String {
        await channel.shutdown(grace: grace)
    }
}
