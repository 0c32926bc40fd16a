import JSON

/// How JSON-RPC messages reach a server: the lines of a process the client spawned
/// (`StdioChannel`) or posts to a running HTTP server (`HTTPChannel`).
protocol MCPChannel: Sendable {
    /// Sends a request and returns the response message, a result or a JSON-RPC error.
    func request(_ method: String, _ params: JSONValue?, timeout: Duration) async throws(MCPClientError) -> JSONValue
    func notify(_ method: String, _ params: JSONValue?) async throws(MCPClientError)
    /// The server's process id, when the client started it.
    var pid: Int32? { get }
    var isAlive: Bool { get }
    /// The server's last words on stderr, when the client can see them.
    var recentStderr: String { get }
    /// Ends the channel; returns how it ended ("status 0").
    func shutdown(grace: Duration) async -> String
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
