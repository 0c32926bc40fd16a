import Dispatch
import Foundation
import JSON
import Synchronization

/// An MCP server: its tools and the answer to each method. The transports drive it: a stdio
/// session (`serve`, StdioSession.swift) and single HTTP messages (`answer`, HTTPMessage.swift)
/// go through the same dispatch (MessageDispatch.swift), so both give the same answers.
public final class MCPServer: Sendable {
    public struct Info: Sendable {
        public var name: String
        public var title: String
        public var version: String
        public var instructions: String?
        public init(name: String, title: String, version: String, instructions: String? = nil) {
            self.name = name
            self.title = title
            self.version = version
            self.instructions = instructions
        }
    }

    public let info: Info
    public let tools: [MCPTool]
    let logger: Logger
    let maxLineBytes: Int
    let maxInFlight: Int
    private let negotiated = Mutex<ProtocolVersion?>(nil)

    public init(info: Info, tools: [MCPTool], logger: Logger, maxLineBytes: Int, maxInFlight: Int) {
        self.info = info
        self.tools = tools
        self.logger = logger
        self.maxLineBytes = maxLineBytes
        self.maxInFlight = max(1, maxInFlight)
    }

    /// The version the stdio session negotiated; HTTP requests carry theirs in a header instead.
    var version: ProtocolVersion { negotiated.withLock { $0 } ?? .latest }

    func remember(_ negotiatedVersion: ProtocolVersion) { negotiated.withLock { $0 = negotiatedVersion } }

    // MARK: Methods

    /// The initialize result and the version it chose; the caller decides whether to remember it.
    func initialize(_ params: JSONObject) throws(RPCError) -> (result: JSONValue, version: ProtocolVersion) {
        guard let requested = params["protocolVersion"]?.stringValue else {
            throw .invalidParams("'protocolVersion' (a string such as \"\(ProtocolVersion.latest.rawValue)\") is required")
        }
        let chosen = ProtocolVersion(rawValue: requested) ?? .latest
        let client = params["clientInfo"]?["name"]?.stringValue ?? "unknown"
        logger.info("session.initialize", ["client": client, "requested": requested, "protocol": chosen.rawValue])
        var serverInfo: JSONObject = ["name": .string(info.name), "version": .string(info.version)]
        if chosen.hasStructuredOutput { serverInfo["title"] = .string(info.title) }
        var result: JSONObject = [
            "protocolVersion": .string(chosen.rawValue),
            "capabilities": ["tools": ["listChanged": false]],
            "serverInfo": .object(serverInfo),
        ]
        if let instructions = info.instructions { result["instructions"] = .string(instructions) }
        return (.object(result), chosen)
    }

    func listTools(_ params: JSONObject, version: ProtocolVersion) throws(RPCError) -> JSONValue {
        if let cursor = params["cursor"], cursor != .null {
            throw .invalidParams("unknown cursor \(cursor): tools/list returns every tool in one page")
        }
        return ["tools": .array(tools.map { $0.listing(for: version) })]
    }

    func resolveCall(_ params: JSONObject) throws(RPCError) -> (MCPTool, JSONObject) {
        guard let rawName = params["name"] else { throw .invalidParams("'name' (the tool to call) is required") }
        guard case .string(let name) = rawName else { throw .invalidParams("'name' must be a string") }
        guard let tool = tools.first(where: { $0.name == name }) else {
            let names = tools.map(\.name)
            throw .invalidParams("unknown tool '\(name)'; available tools: \(names.joined(separator: ", "))",
                                 data: ["available_tools": .array(names.map { .string($0) })])
        }
        switch params["arguments"] {
        case nil, .null?: return (tool, JSONObject())
        case .object(let arguments)?: return (tool, arguments)
        case let other?: throw .invalidParams("'arguments' must be an object, got \(other.typeName)")
        }
    }

    func call(_ tool: MCPTool, arguments: JSONObject, id: RequestID, version: ProtocolVersion) async -> JSONValue {
        let started = ContinuousClock.now
        let outcome = await tool.handler(arguments)
        let elapsed = ContinuousClock.now - started
        var result: JSONObject
        switch outcome {
        case .success(let structured):
            result = ["content": [["type": "text", "text": .string(JSONWriter.string(.object(structured)))]]]
            if version.hasStructuredOutput { result["structuredContent"] = .object(structured) }
            result["isError"] = false
            // Formatting the duration costs more than the rest of the bookkeeping: only when logged.
            if logger.level <= .debug {
                logger.debug("tool.call", ["tool": tool.name, "ok": "true", "ms": Self.milliseconds(elapsed)])
            }
        case .failure(let message):
            result = ["content": [["type": "text", "text": .string(message)]], "isError": true]
            logger.info("tool.error", ["tool": tool.name, "ms": Self.milliseconds(elapsed), "error": message])
        }
        return RPCResponse.result(id: id, .object(result))
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}
