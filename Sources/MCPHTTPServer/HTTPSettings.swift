/// How the HTTP transport listens and what it accepts. Every limit has a bound: a client can hold a
/// connection for at most `idleTimeout` doing nothing and send a body for at most `bodyTimeout`.
public struct HTTPSettings: Sendable {
    public var host: String
    /// 0 lets the system choose; the chosen port is logged (`http.listening`).
    public var port: Int
    /// The one path MCP is served at; every other path is 404.
    public var path: String
    /// The bearer token clients must present (nil: none required, which only loopback allows).
    public var token: String?
    /// Origins a browser page may call from besides loopback ones, e.g. "https://app.example.com".
    public var allowedOrigins: [String]
    public var maxBodyBytes: Int
    public var bodyTimeout: Duration
    public var idleTimeout: Duration
    /// Connections served at once; more wait in the listen backlog until one closes.
    public var maxConnections: Int

    public init(host: String = "127.0.0.1", port: Int = 8000, path: String = "/mcp", token: String? = nil,
                allowedOrigins: [String] = [], maxBodyBytes: Int = 4 << 20, bodyTimeout: Duration = .seconds(10),
                idleTimeout: Duration = .seconds(60), maxConnections: Int = 64) {
        self.host = host
        self.port = port
        self.path = path
        self.token = token
        self.allowedOrigins = allowedOrigins
        self.maxBodyBytes = maxBodyBytes
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased()
        return name == "localhost" || name == "::1" || name == "[::1]" || name.hasPrefix("127.")
    }

    /// Refuses settings that would expose the tools: listening beyond loopback needs a token.
    public func validate() throws(HTTPSettingsError) {
        if !Self.isLoopback(host), token == nil { throw .tokenRequired(host: host) }
        if let token, token.count < 16 { throw .tokenTooShort }
        guard (0...65_535).contains(port) else { throw .invalid("--port must be 0-65535") }
        guard path.hasPrefix("/") else { throw .invalid("the MCP path must start with /") }
    }
}

public enum HTTPSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    case tokenRequired(host: String)
    case tokenTooShort
    case invalid(String)

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            "--host \(host) is reachable from other machines: set TOOLSERVER_TOKEN to a secret bearer token "
                + "(at least 16 characters) that clients must send, or listen on 127.0.0.1"
        case .tokenTooShort: "TOOLSERVER_TOKEN must be at least 16 characters"
        case .invalid(let detail): detail
        }
    }
}
