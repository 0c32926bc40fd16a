import Hummingbird
import HTTPTypes
import JSON
import MCPServerKit

/// Why a request is refused before it reaches the MCP server. Each answer is a fixed, short
/// JSON-RPC-shaped error that echoes nothing of the request and tells nothing of the server.
enum Refusal: Error, Equatable {
    case notFound
    case forbiddenOrigin
    case unauthorized
    case methodNotAllowed
    case unsupportedMediaType
    case notAcceptable
    case unsupportedProtocolVersion
    case tooLarge(limit: Int)
    case bodyTimeout

    var status: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .forbiddenOrigin: .forbidden
        case .unauthorized: .unauthorized
        case .methodNotAllowed: .methodNotAllowed
        case .unsupportedMediaType: .unsupportedMediaType
        case .notAcceptable: .notAcceptable
        case .unsupportedProtocolVersion: .badRequest
        case .tooLarge: .contentTooLarge
        case .bodyTimeout: .requestTimeout
        }
    }

    var message: String {
        switch self {
        case .notFound: "Not Found"
        case .forbiddenOrigin: "Forbidden: this Origin may not call the server"
        case .unauthorized: "Unauthorized: send Authorization: Bearer <token>"
        case .methodNotAllowed: "Method Not Allowed: POST one JSON-RPC message"
        case .unsupportedMediaType: "Unsupported Media Type: send Content-Type: application/json"
        case .notAcceptable: "Not Acceptable: accept application/json"
        case .unsupportedProtocolVersion:
            "Bad Request: unsupported MCP-Protocol-Version; supported: "
                + ProtocolVersion.allCases.map(\.rawValue).joined(separator: ", ")
        case .tooLarge(let limit): "Content Too Large: the limit is \(limit) bytes"
        case .bodyTimeout: "Request Timeout: the body did not arrive in time"
        }
    }

    /// -32600 (Invalid Request) when the message itself is at fault, -32000 (server-defined) when
    /// the request may not be served.
    var code: Int64 {
        switch self {
        case .unsupportedMediaType, .notAcceptable, .unsupportedProtocolVersion, .tooLarge: -32600
        case .notFound, .forbiddenOrigin, .unauthorized, .methodNotAllowed, .bodyTimeout: -32000
        }
    }

    var response: Response {
        let body: JSONValue = ["jsonrpc": "2.0", "id": .null, "error": ["code": .int(code), "message": .string(message)]]
        var headers: HTTPFields = [.contentType: "application/json", .connection: "close"]
        switch self {
        case .methodNotAllowed: headers[.allow] = "POST"
        case .unauthorized: headers[.wwwAuthenticate] = "Bearer"
        default: break
        }
        return Response(status: status, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(body))))
    }
}
