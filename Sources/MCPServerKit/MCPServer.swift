import Dispatch
import Foundation
import JSON
import Synchronization

/// An MCP server session over newline-delimited JSON-RPC.
///
/// Control messages (`initialize`, `ping`, `tools/list`, errors) are answered in the order they
/// arrive; `tools/call` requests run concurrently, at most `maxInFlight` at a time, and their
/// responses are matched by id. When the input ends, every request already read is answered
/// before `serve` returns.
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

    var version: ProtocolVersion { negotiated.withLock { $0 } ?? .latest }

    /// Serves until `input` ends, then waits for every request in flight to be answered.
    public func serve(input: Int32 = STDIN_FILENO, output: LineWriter) async {
        let slots = DispatchSemaphore(value: maxInFlight)
        let (events, continuation) = AsyncStream<InputEvent>.makeStream()
        let reader = FileLineReader(fd: input, maxLineBytes: maxLineBytes)
        let thread = Thread {
            reader.run { event in
                // Back-pressure: with every slot taken, stop reading; the client's writes then block.
                slots.wait()
                continuation.yield(event)
            }
            continuation.finish()
        }
        thread.name = "stdin-reader"
        thread.start()

        await withDiscardingTaskGroup { group in
            for await event in events {
                switch prepare(event) {
                case .reply(let response):
                    if let response { await output.send(JSONWriter.bytes(response)) }
                    slots.signal()
                case .call(let id, let tool, let arguments):
                    group.addTask {
                        let response = await self.call(tool, arguments: arguments, id: id)
                        await output.send(JSONWriter.bytes(response))
                        slots.signal()
                    }
                case .batch(let batch):
                    group.addTask {
                        if let response = await self.handleBatch(batch) { await output.send(JSONWriter.bytes(response)) }
                        slots.signal()
                    }
                }
            }
        }
        logger.debug("session.end")
    }

    enum Step {
        /// Answered at once (nil: nothing to send, as for notifications).
        case reply(JSONValue?)
        case call(id: RequestID, tool: MCPTool, arguments: JSONObject)
        case batch([JSONValue])
    }

    func prepare(_ event: InputEvent) -> Step {
        switch event {
        case .oversized(let bytes):
            logger.warning("request.too_large", ["bytes": String(bytes), "limit": String(maxLineBytes)])
            return .reply(RPCResponse.error(id: nil, .invalidRequest(
                "message of \(bytes) bytes exceeds the limit of \(maxLineBytes) bytes (--max-message-bytes); it was skipped")))
        case .line(let bytes):
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                return .reply(RPCResponse.error(id: nil, .parseError(error.description)))
            }
            if case .array(let batch) = value {
                guard version.allowsBatches else {
                    return .reply(RPCResponse.error(id: nil, .invalidRequest(
                        "JSON-RPC batches are not supported in MCP \(version.rawValue); send one message per line")))
                }
                guard !batch.isEmpty else { return .reply(RPCResponse.error(id: nil, .invalidRequest("empty batch"))) }
                return .batch(batch)
            }
            return step(for: IncomingMessage(value))
        }
    }

    func step(for message: IncomingMessage) -> Step {
        switch message {
        case .invalid(let id, let error):
            return .reply(RPCResponse.error(id: id, error))
        case .response:
            return .reply(nil)
        case .notification(let method, _):
            logger.debug("notification", ["method": method])
            return .reply(nil)
        case .request(let id, let method, let params):
            switch method {
            case "initialize": return .reply(respond(id) { () throws(RPCError) in try initialize(params) })
            case "ping": return .reply(RPCResponse.result(id: id, [:]))
            case "tools/list": return .reply(respond(id) { () throws(RPCError) in try listTools(params) })
            case "tools/call":
                do {
                    let (tool, arguments) = try resolveCall(params)
                    return .call(id: id, tool: tool, arguments: arguments)
                } catch {
                    return .reply(RPCResponse.error(id: id, error))
                }
            default:
                return .reply(RPCResponse.error(id: id, .methodNotFound(method)))
            }
        }
    }

    private func respond(_ id: RequestID, _ body: () throws(RPCError) -> JSONValue) -> JSONValue {
        do { return RPCResponse.result(id: id, try body()) } catch { return RPCResponse.error(id: id, error) }
    }

    /// A JSON-RPC batch (MCP 2025-03-26 only): its members are handled in order and answered
    /// together in one array.
    func handleBatch(_ batch: [JSONValue]) async -> JSONValue? {
        var responses: [JSONValue] = []
        for element in batch {
            if case .array = element {
                responses.append(RPCResponse.error(id: nil, .invalidRequest("nested batch")))
                continue
            }
            switch step(for: IncomingMessage(element)) {
            case .reply(let response): if let response { responses.append(response) }
            case .call(let id, let tool, let arguments): responses.append(await call(tool, arguments: arguments, id: id))
            case .batch: responses.append(RPCResponse.error(id: nil, .invalidRequest("nested batch")))
            }
        }
        return responses.isEmpty ? nil : .array(responses)
    }

    // MARK: Methods

    func initialize(_ params: JSONObject) throws(RPCError) -> JSONValue {
        guard let requested = params["protocolVersion"]?.stringValue else {
            throw .invalidParams("'protocolVersion' (a string such as \"\(ProtocolVersion.latest.rawValue)\") is required")
        }
        let chosen = ProtocolVersion(rawValue: requested) ?? .latest
        negotiated.withLock { $0 = chosen }
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
        return .object(result)
    }

    func listTools(_ params: JSONObject) throws(RPCError) -> JSONValue {
        if let cursor = params["cursor"], cursor != .null {
            throw .invalidParams("unknown cursor \(cursor): tools/list returns every tool in one page")
        }
        let version = version
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

    func call(_ tool: MCPTool, arguments: JSONObject, id: RequestID) async -> JSONValue {
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
