/// Why an MCP call got no result.
public enum MCPClientError: Error, Sendable, CustomStringConvertible {
    /// The server could not be started.
    case launchFailed(command: String, detail: String)
    /// The server's output closed or the process exited; `stderrTail` is its last words.
    case serverExited(status: String, stderrTail: String)
    /// No response within the call's timeout.
    case timeout(method: String, seconds: Double)
    /// A JSON-RPC error response.
    case rpcError(method: String, code: Int, message: String)
    /// The handshake failed or a response had an unexpected shape.
    case protocolError(String)
    /// An HTTP server could not be reached at all.
    case unreachable(url: String, detail: String)
    /// An HTTP server answered with an error status (a wrong token, a foreign Origin …).
    case refused(status: Int, message: String)
    case cancelled

    public var description: String {
        switch self {
        case .launchFailed(let command, let detail):
            return "cannot start the tool server '\(command)': \(detail) (--server-command)"
        case .serverExited(let status, let tail):
            let last = tail.isEmpty ? "" : "; its last output: \(tail)"
            return "the tool server exited (\(status)) while calls were pending\(last)"
        case .timeout(let method, let seconds):
            return "the tool server did not answer \(method) within \(seconds) s (--tool-timeout)"
        case .rpcError(let method, let code, let message):
            return "the tool server refused \(method) (\(code)): \(message)"
        case .protocolError(let detail):
            return "the tool server broke the MCP protocol: \(detail)"
        case .unreachable(let url, let detail):
            return "cannot reach the tool server at \(url): \(detail) (--server-url)"
        case .refused(let status, let message):
            let hint = status == 401 ? " (set TOOLSERVER_TOKEN to the server's token)" : ""
            return "the tool server refused the request (HTTP \(status)): \(message)\(hint)"
        case .cancelled:
            return "the tool call was cancelled"
        }
    }
}
