#if canImport(Glibc)
import TestSupport
import Glibc
#endif
import Foundation
import JSON
import Synchronization

/// A scripted OpenAI-compatible chat-completions server on 127.0.0.1 for tests: an HTTP/1.1
/// server on a POSIX socket, one thread per connection, that answers each request from the
/// script of the first route that matches it (routes are keyed by agent, since the manager and
/// the sub-agents interleave) and records every request with its arrival and response times.
final class ScriptedLLMServer: Sendable {
    /// One scripted answer.
    indirect enum Turn: Sendable {
        /// Tool calls; ids are generated as "call_<route>_<n>_<i>" and recorded.
        case calls([Call])
        /// A plain assistant answer.
        case answer(String)
        /// A full response body, sent as is.
        case body(JSONValue)
        /// An HTTP error status with a body and headers.
        case status(Int, body: String, headers: [String: String])
        /// Waits, then answers with the turn.
        case delay(Duration, Turn)
        /// Holds the answer until `count` requests have reached the barrier `name` (at most 10 s).
        case rendezvous(String, count: Int, Turn)
        /// Decides from the request (the conversation so far).
        case dynamic(@Sendable (Request) -> Turn)
    }

    struct Call: Sendable {
        let name: String
        let arguments: JSONValue
        init(_ name: String, _ arguments: JSONValue) {
            self.name = name
            self.arguments = arguments
        }
    }

    struct Route: Sendable {
        let name: String
        let matches: @Sendable (JSONValue) -> Bool
        let turns: [Turn]

        /// The sub-agent or manager whose system prompt starts "You are the <name> …".
        static func agent(_ name: String, _ turns: [Turn]) -> Route {
            Route(name: name, matches: { body in Request(body: body).systemPrompt.hasPrefix("You are the \(name) ") }, turns: turns)
        }

        static func any(_ turns: [Turn]) -> Route { Route(name: "any", matches: { _ in true }, turns: turns) }
    }

    /// A request as the scripts and the assertions see it.
    struct Request: Sendable {
        let body: JSONValue
        var headers: [String: String] = [:]
        var route = ""
        var arrived = ContinuousClock.now
        var responded: ContinuousClock.Instant?
        /// The tool-call ids that were sent in the answer to this request.
        var answeredCallIDs: [String] = []

        init(body: JSONValue) { self.body = body }

        var messages: [JSONValue] { body["messages"]?.arrayValue ?? [] }
        var systemPrompt: String { messages.first { $0["role"] == "system" }?["content"]?.stringValue ?? "" }
        /// The first user message: the agent's task.
        var task: String { messages.first { $0["role"] == "user" }?["content"]?.stringValue ?? "" }
        var toolNames: [String] { (body["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue } }
        /// The tool messages after the last assistant message.
        var lastToolResults: [JSONValue] {
            Array(messages.reversed().prefix { $0["role"] == "tool" }.reversed())
        }
        var toolMessages: [JSONValue] { messages.filter { $0["role"] == "tool" } }
        /// Order ids ("ord_…") that appear in the text.
        static func orderIDs(in text: String) -> [String] {
            var out: [String] = []
            for match in text.matches(of: /ord_[a-z0-9]{6,}/) where !out.contains(String(match.output)) {
                out.append(String(match.output))
            }
            return out
        }
    }

    private struct State {
        var cursors: [String: Int] = [:]
        var requests: [Request] = []
        var barriers: [String: Int] = [:]
    }

    private let listener: Int32
    let port: Int
    private let routes: [Route]
    private let state = Mutex(State())
    private let barrier = NSCondition()

    init(_ routes: [Route]) throws {
        self.routes = routes
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw TestFailure("socket failed") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw TestFailure("bind/listen failed: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let fd = listener
        Thread.detachNewThread { [self] in
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    // Closed here, by the only thread that uses it, once accept has failed (stop()
                    // shut it down): closed in stop(), its number could be reused by another
                    // test's listener while this loop still accepts on it.
                    close(fd)
                    return
                }
                Thread.detachNewThread { [self] in serve(connection) }
            }
        }
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    private let stopped = Mutex(false)

    /// Stops accepting connections; safe to call more than once. The accept loop closes the
    /// descriptor when it sees the shutdown.
    func stop() {
        let first = stopped.withLock { stopped -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { stop() }

    /// Every request, in arrival order.
    var requests: [Request] { state.withLock { $0.requests } }
    func requests(_ route: String) -> [Request] { requests.filter { $0.route == route } }

    // MARK: Serving

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        guard let (headers, body) = readRequest(fd) else { return }
        let parsed = (try? JSONParser.parse(body)) ?? .null
        var request = Request(body: parsed)
        request.headers = headers
        let route = routes.first { $0.matches(parsed) }
        request.route = route?.name ?? "unmatched"
        let index = state.withLock { state -> Int in
            state.requests.append(request)
            return state.requests.count - 1
        }
        let turn: Turn
        if let route {
            let cursor = state.withLock { state -> Int in
                defer { state.cursors[route.name, default: 0] += 1 }
                return state.cursors[route.name, default: 0]
            }
            turn = cursor < route.turns.count
                ? route.turns[cursor]
                : .status(400, body: #"{"error":{"message":"script exhausted for route \#(route.name)"}}"#, headers: [:])
        } else {
            turn = .status(400, body: #"{"error":{"message":"no route matches this request"}}"#, headers: [:])
        }
        let (status, responseHeaders, responseBody, callIDs) = render(turn, request: request, index: index)
        var head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Error")\r\nContent-Type: application/json\r\n"
        head += "Content-Length: \(responseBody.count)\r\nConnection: close\r\n"
        for (name, value) in responseHeaders { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        writeAll(fd, Array(head.utf8) + responseBody)
        state.withLock { state in
            state.requests[index].responded = ContinuousClock.now
            state.requests[index].answeredCallIDs = callIDs
        }
    }

    private func render(_ turn: Turn, request: Request, index: Int) -> (Int, [String: String], [UInt8], [String]) {
        switch turn {
        case .calls(let calls):
            let ids = calls.indices.map { "call_\(request.route)_\(index)_\($0)" }
            let toolCalls: [JSONValue] = zip(ids, calls).map { id, call in
                ["id": .string(id), "type": "function",
                 "function": ["name": .string(call.name), "arguments": .string(JSONWriter.string(call.arguments))]]
            }
            return (200, [:], Self.completion(["role": "assistant", "content": nil, "tool_calls": .array(toolCalls)],
                                              finish: "tool_calls"), ids)
        case .answer(let text):
            return (200, [:], Self.completion(["role": "assistant", "content": .string(text)], finish: "stop"), [])
        case .body(let body):
            return (200, [:], JSONWriter.bytes(body), [])
        case .status(let code, let body, let headers):
            return (code, headers, Array(body.utf8), [])
        case .delay(let duration, let next):
            Thread.sleep(forTimeInterval: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
            return render(next, request: request, index: index)
        case .rendezvous(let name, let count, let next):
            barrier.lock()
            state.withLock { $0.barriers[name, default: 0] += 1 }
            barrier.broadcast()
            let deadline = Date().addingTimeInterval(10)
            while state.withLock({ $0.barriers[name, default: 0] }) < count {
                if !barrier.wait(until: deadline) { break }
            }
            barrier.unlock()
            return render(next, request: request, index: index)
        case .dynamic(let decide):
            return render(decide(request), request: request, index: index)
        }
    }

    static func completion(_ message: JSONValue, finish: String) -> [UInt8] {
        JSONWriter.bytes(["id": "chatcmpl-test", "object": "chat.completion", "model": "scripted",
                          "choices": [["index": 0, "message": message, "finish_reason": .string(finish)]],
                          "usage": ["prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110]])
    }

    private func readRequest(_ fd: Int32) -> ([String: String], [UInt8])? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var contentLength = 0
        var headers: [String: String] = [:]
        while true {
            if headerEnd == nil, let end = find(buffer, [13, 10, 13, 10]) {
                headerEnd = end + 4
                let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n").dropFirst()
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                contentLength = Int(headers["content-length"] ?? "0") ?? 0
            }
            if let headerEnd, buffer.count >= headerEnd + contentLength {
                return (headers, Array(buffer[headerEnd..<(headerEnd + contentLength)]))
            }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
        }
    }

    private func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
