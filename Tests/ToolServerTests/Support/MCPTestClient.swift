import TestSupport
import Foundation
import JSON
import Synchronization

/// An MCP client over a real ToolServer process, as an LLM host would run one: requests are sent
/// as lines, responses matched by id, and many requests may be in flight at once.
final class MCPTestClient: Sendable {
    struct ToolResult: Sendable {
        let raw: JSONValue
        var isError: Bool { raw["isError"]?.boolValue ?? false }
        var structured: JSONValue? { raw["structuredContent"] }
        var text: String { raw["content"]?.arrayValue?.first?["text"]?.stringValue ?? "" }
        subscript(key: String) -> JSONValue? { structured?[key] }
    }

    private struct State {
        var nextID: Int64 = 1
        var waiting: [Int64: CheckedContinuation<JSONValue, any Error>] = [:]
        var arrived: [Int64: JSONValue] = [:]
        var unmatched: [JSONValue] = []
        var closed = false
        var lineCount = 0
        var protocolViolations: [String] = []
    }

    private let process: Process
    private let input: FileHandle
    private let writeLock = Mutex(())
    private let state = Mutex(State())
    private let stderrData = Mutex(Data())
    /// Entered by the stdout and stderr readers; left when each has seen end of file.
    private let readers = DispatchGroup()
    let timeout: Duration

    /// Starts the server and performs the MCP handshake.
    static func start(_ arguments: [String], environment: [String: String]? = nil, timeout: Duration = .seconds(60),
                      initialize: Bool = true) async throws -> MCPTestClient {
        let client = try MCPTestClient(arguments, environment: environment, timeout: timeout)
        if initialize {
            let reply = try await client.request("initialize", [
                "protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "tests", "version": "1"],
            ])
            guard reply["result"]?["protocolVersion"] != nil else { throw TestFailure("initialize failed: \(reply)") }
            try client.notify("notifications/initialized")
        }
        return client
    }

    private init(_ arguments: [String], environment: [String: String]?, timeout: Duration) throws {
        self.timeout = timeout
        process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.toolServerPath)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        input = stdin.fileHandleForWriting
        try process.run()
        let output = stdout.fileHandleForReading
        readers.enter()
        readers.enter()
        Thread.detachNewThread { [self] in
            readLoop(output)
            readers.leave()
        }
        Thread.detachNewThread { [self] in
            // Chunk by chunk, so that a test can watch the log while the server runs.
            let handle = stderr.fileHandleForReading
            while case let data = handle.availableData, !data.isEmpty {
                stderrData.withLock { $0.append(data) }
            }
            readers.leave()
        }
    }

    private func readLoop(_ output: FileHandle) {
        var buffer = Data()
        while true {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                let value = (try? JSONParser.parse(Array(line))) ?? ["unparsable": .string(String(decoding: line, as: UTF8.self))]
                let problem = JSONRPCLine.problem(Array(line))
                state.withLock { state in
                    state.lineCount += 1
                    if let problem { state.protocolViolations.append(problem) }
                }
                deliver(value)
            }
        }
        let waiters = state.withLock { state -> [CheckedContinuation<JSONValue, any Error>] in
            state.closed = true
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume(throwing: TestFailure("the server closed its output")) }
    }

    private func deliver(_ value: JSONValue) {
        guard case .int(let id)? = value["id"] else {
            state.withLock { $0.unmatched.append(value) }
            return
        }
        let waiter = state.withLock { state -> CheckedContinuation<JSONValue, any Error>? in
            if let waiter = state.waiting.removeValue(forKey: id) { return waiter }
            if state.arrived[id] != nil { state.unmatched.append(["duplicate": value]) }
            state.arrived[id] = value
            return nil
        }
        waiter?.resume(returning: value)
    }

    /// Sends a request and waits for the response with its id (the whole JSON-RPC response).
    func request(_ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        let id = state.withLock { state -> Int64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        var message: JSONObject = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { message["params"] = params }
        return try await request(rawLine: JSONWriter.bytes(.object(message)), id: id, label: "\(method) #\(id)")
    }

    /// Sends `line` as it is and waits for the response with `id` (which must not collide with
    /// the ids `request` allocates: use ids from 1_000_000 up).
    func request(rawLine line: [UInt8], id: Int64, label: String? = nil) async throws -> JSONValue {
        let timeout = timeout
        let name = label ?? "raw request #\(id)"
        let watchdog = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.fail(id, TestFailure("no response to \(name) within \(timeout)"))
        }
        defer { watchdog.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<JSONValue, any Error>? in
                if let value = state.arrived.removeValue(forKey: id) { return .success(value) }
                if state.closed { return .failure(TestFailure("the server closed its output")) }
                state.waiting[id] = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready); return }
            do { try sendRaw(line) } catch { fail(id, error) }
        }
    }

    private func fail(_ id: Int64, _ error: any Error) {
        state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(throwing: error)
    }

    /// Calls a tool; throws if the server answered with a JSON-RPC error instead of a result.
    func call(_ tool: String, _ arguments: JSONValue = [:]) async throws -> ToolResult {
        let response = try await request("tools/call", ["name": .string(tool), "arguments": arguments])
        guard let result = response["result"] else { throw TestFailure("tools/call \(tool) failed: \(response)") }
        return ToolResult(raw: result)
    }

    func notify(_ method: String, _ params: JSONValue? = nil) throws {
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        try send(.object(message))
    }

    func send(_ message: JSONValue) throws { try sendRaw(JSONWriter.bytes(message)) }

    func sendRaw(_ bytes: [UInt8]) throws {
        var line = bytes
        line.append(UInt8(ascii: "\n"))
        try writeLock.withLock { _ in try input.write(contentsOf: line) }
    }

    /// Messages that matched no request of ours (errors with a null id, duplicates).
    var unmatched: [JSONValue] { state.withLock { $0.unmatched } }
    /// Everything the server wrote to stderr so far (all of it once `close()` has returned).
    var stderr: String { String(decoding: stderrData.withLock { $0 }, as: UTF8.self) }
    /// How many lines the server wrote to stdout.
    var stdoutLineCount: Int { state.withLock { $0.lineCount } }
    /// stdout lines that are not JSON-RPC 2.0 responses, each with what is wrong with it.
    var protocolViolations: [String] { state.withLock { $0.protocolViolations } }
    var processIdentifier: Int32 { process.processIdentifier }

    /// Closes stdin and waits for the process to exit and for both of its output streams to end;
    /// returns its exit status.
    @discardableResult
    func close() async -> Int32 {
        try? input.close()
        let process = process
        let readers = readers
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                readers.wait()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// Runs one whole session: writes `lines`, closes stdin, and returns every output line parsed.
struct SessionTranscript {
    let lines: [String]
    /// Every stdout line parsed; a line that is not JSON appears as `{"unparsable": line}`.
    let messages: [JSONValue]
    /// stdout lines that are not JSON-RPC 2.0 responses, each with what is wrong with it.
    let protocolViolations: [String]
    let stderr: String
    let status: Int32

    static func run(_ lines: [String], arguments: [String], environment: [String: String]? = nil) async throws -> SessionTranscript {
        try await run(bytes: Data(lines.map { $0 + "\n" }.joined().utf8), arguments: arguments, environment: environment)
    }

    /// Feeds `bytes` exactly as given (they may be invalid UTF-8 or lack a final newline).
    static func run(bytes input: Data, arguments: [String], environment: [String: String]? = nil) async throws -> SessionTranscript {
        let result = try await ProcessRunner.run(TestEnvironment.toolServerPath, arguments, input: input, environment: environment)
        let lines = result.lines
        let messages = lines.map { line -> JSONValue in
            (try? JSONParser.parse(line)) ?? ["unparsable": .string(String(line.prefix(200)))]
        }
        let violations = lines.compactMap { JSONRPCLine.problem(Array($0.utf8)) }
        return SessionTranscript(lines: lines, messages: messages, protocolViolations: violations,
                                 stderr: result.stderr, status: result.status)
    }

    /// The response with this id; fails the test if there is not exactly one.
    func response(_ id: Int64) throws -> JSONValue { try response(id: .int(id)) }

    func response(id: JSONValue) throws -> JSONValue {
        let matches = messages.filter { $0["id"] == id }
        guard matches.count == 1 else {
            throw TestFailure("expected one response with id \(JSONWriter.string(id)), got \(matches.count): \(lines.map { $0.prefix(300) })")
        }
        return matches[0]
    }

    /// The error codes of every error response, in order.
    var errorCodes: [Int64] { messages.compactMap { $0["error"]?["code"]?.integerValue } }
}

extension String {
    /// A JSON-RPC request line.
    static func request(_ id: Int64, _ method: String, _ params: JSONValue? = nil) -> String {
        var message: JSONObject = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { message["params"] = params }
        return JSONWriter.string(.object(message))
    }

    static func call(_ id: Int64, _ tool: String, _ arguments: JSONValue) -> String {
        request(id, "tools/call", ["name": .string(tool), "arguments": arguments])
    }

    static let initialize = request(0, "initialize", [
        "protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "tests", "version": "1"],
    ])
}
