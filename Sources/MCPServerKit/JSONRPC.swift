import JSON

/// JSON-RPC 2.0 request ids: MCP allows strings and integers, never null.
public enum RequestID: Sendable, Hashable {
    case string(String)
    case int(Int64)

    public var json: JSONValue {
        switch self {
        case .string(let s): .string(s)
        case .int(let i): .int(i)
        }
    }

    init?(_ value: JSONValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        default: return nil
        }
    }
}

/// A JSON-RPC error object.
public struct RPCError: Error, Sendable, Equatable {
    public let code: Int
    public let message: String
    public let data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603

    public static func parseError(_ detail: String) -> RPCError {
        RPCError(code: parseErrorCode, message: "Parse error: \(detail)")
    }
    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: "Invalid Request: \(detail)")
    }
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "Method not found: '\(method)'")
    }
    public static func invalidParams(_ detail: String, data: JSONValue? = nil) -> RPCError {
        RPCError(code: invalidParamsCode, message: "Invalid params: \(detail)", data: data)
    }
}

/// What a line from the client turned out to be.
enum IncomingMessage {
    case request(id: RequestID, method: String, params: JSONObject)
    case notification(method: String, params: JSONObject)
    /// A response to a request of ours; this server sends none, so it is ignored.
    case response
    /// Not a valid message: answered with this error, echoing the id when it could be read.
    case invalid(id: RequestID?, error: RPCError)

    init(_ value: JSONValue) {
        guard case .object(let object) = value else {
            self = .invalid(id: nil, error: .invalidRequest("a message must be a JSON object, got \(value.typeName)"))
            return
        }
        var id: RequestID?
        if let rawID = object["id"] {
            guard let parsed = RequestID(rawID) else {
                self = .invalid(id: nil, error: .invalidRequest("'id' must be a string or an integer, got \(rawID.typeName)"))
                return
            }
            id = parsed
        }
        guard object["jsonrpc"] == .string("2.0") else {
            self = .invalid(id: id, error: .invalidRequest("'jsonrpc' must be \"2.0\""))
            return
        }
        guard let rawMethod = object["method"] else {
            if id != nil, object["result"] != nil || object["error"] != nil {
                self = .response
            } else {
                self = .invalid(id: id, error: .invalidRequest("'method' is missing"))
            }
            return
        }
        guard case .string(let method) = rawMethod else {
            self = .invalid(id: id, error: .invalidRequest("'method' must be a string"))
            return
        }
        var params = JSONObject()
        switch object["params"] {
        case nil, .null?: break
        case .object(let given)?: params = given
        case .array?:
            self = .invalid(id: id, error: .invalidParams("MCP methods take named params: 'params' must be an object"))
            return
        default:
            self = .invalid(id: id, error: .invalidRequest("'params' must be an object"))
            return
        }
        if let id {
            self = .request(id: id, method: method, params: params)
        } else {
            self = .notification(method: method, params: params)
        }
    }
}

enum RPCResponse {
    static func result(id: RequestID, _ result: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id.json, "result": result]
    }

    static func error(id: RequestID?, _ error: RPCError) -> JSONValue {
        var body: JSONObject = ["code": .int(Int64(error.code)), "message": .string(error.message)]
        if let data = error.data { body["data"] = data }
        return ["jsonrpc": "2.0", "id": id?.json ?? .null, "error": .object(body)]
    }
}
