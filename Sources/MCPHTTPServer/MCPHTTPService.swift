import Hummingbird
import HummingbirdCore
import Logging
import MCPServerKit
import NIOCore

/// Serves an `MCPServer` over HTTP until SIGTERM or SIGINT, then finishes the requests in flight.
public enum MCPHTTPService {
    public static func run(_ server: MCPServer, settings: HTTPSettings, logger: MCPServerKit.Logger) async throws {
        let deadlines = BodyDeadlines(timeout: settings.bodyTimeout)
        let endpoint = MCPEndpoint(server: server, settings: settings, access: AccessPolicy(settings: settings),
                                   deadlines: deadlines, logger: logger)
        let channel = HTTP1Channel.Configuration(
            idleTimeout: .nanoseconds(Int64(settings.idleTimeout.nanoseconds)),
            // Headers an MCP client needs fit in a few kilobytes; these bounds stop a header flood early.
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 8 << 10, maxHeaderListSize: 32 << 10, maxHeaderFieldCount: 100))
        let application = Application(
            responder: endpoint,
            server: .http1(configuration: channel),
            configuration: ApplicationConfiguration(
                address: .hostname(settings.host, port: settings.port),
                availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections)),
            onServerRunning: { channel in
                logger.info("http.listening", [
                    "host": settings.host, "port": String(channel.localAddress?.port ?? settings.port), "path": settings.path,
                    "token": settings.token == nil ? "none" : "required",
                ])
            },
            logger: frameworkLogger(logger))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await deadlines.enforce() }
            try await application.runService()
            group.cancelAll()
        }
    }

    /// Hummingbird's own messages, on stderr like ours (swift-log's default would be stdout), and
    /// only when something goes wrong.
    private static func frameworkLogger(_ logger: MCPServerKit.Logger) -> Logging.Logger {
        var framework = Logging.Logger(label: "http") { StreamLogHandler.standardError(label: $0) }
        framework.logLevel = logger.level <= .debug ? .info : .warning
        return framework
    }
}

extension Duration {
    var nanoseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}
