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
        /// A 200 chat completion of `bytes` bytes in all (an answer padded with "x"), written in
        /// chunks; without `declaringLength` there is no Content-Length: the body ends when the
        /// connection closes. The bytes actually written are recorded (`bytesSent`).
        case large(bytes: Int, declaringLength: Bool)
        /// The turn's response with its full Content-Length (or its chunked framing), but only
        /// the first `bytes` bytes of its body: then the connection is closed.
        case cut(Turn, afterBytes: Int)
        /// The turn's response with `Transfer-Encoding: chunked`, in chunks of `chunkBytes`.
        case chunked(Turn, chunkBytes: Int)
        /// The turn's response after an interim `100 Continue` response.
        case afterContinue(Turn)
        /// Reads the request, then never answers: holds the connection open until the client
        /// closes it or the server stops.
        case hang
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
        /// When the response started to be written (before `responded`).
        var responding: ContinuousClock.Instant?
        /// The tool-call ids that were sent in the answer to this request.
        var answeredCallIDs: [String] = []
        /// Response bytes (head and body) written before the response ended or the client went
        /// away.
        var bytesSent = 0
        /// For `.hang`: when the client closed the connection (nil: it was still open when the
        /// server stopped).
        var clientClosed: ContinuousClock.Instant?

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
        var openConnections = 0
    }

    private let listener: Int32
    let port: Int
    private let routes: [Route]
    private let state = Mutex(State())
    private let barrier = NSCondition()

    init(_ routes: [Route]) throws {
        self.routes = routes
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
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
                // Close-on-exec, so that a child process another test spawns does not inherit the
                // connection (Glibc's module has no accept4; serve's shutdown covers the gap).
                _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
                // Reads and writes wake up every 200 ms to see whether the server stopped, so that a
                // client that neither reads nor closes cannot keep a thread past stop().
                var wake = timeval(tv_sec: 0, tv_usec: 200_000)
                setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &wake, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &wake, socklen_t(MemoryLayout<timeval>.size))
                state.withLock { $0.openConnections += 1 }
                Thread.detachNewThread { [self] in
                    serve(connection)
                    state.withLock { $0.openConnections -= 1 }
                }
            }
        }
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    private let stopped = Mutex(false)

    /// Stops accepting connections and releases the connections held by `.hang` (within 50 ms);
    /// safe to call more than once. The accept loop closes the descriptor when it sees the
    /// shutdown.
    func stop() {
        let first = stopped.withLock { stopped -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { stop() }

    private var isStopped: Bool { stopped.withLock { $0 } }

    /// Connections being served (a `.hang` holds one until the client or `stop()` ends it).
    var openConnections: Int { state.withLock { $0.openConnections } }

    /// Every request, in arrival order.
    var requests: [Request] { state.withLock { $0.requests } }
    func requests(_ route: String) -> [Request] { requests.filter { $0.route == route } }

    // MARK: Serving

    private func serve(_ fd: Int32) {
        // shutdown ends the connection for the client even if some process still holds a copy.
        defer {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
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
        let reply = render(turn, request: request, index: index)
        state.withLock { $0.requests[index].responding = ContinuousClock.now }
        let sent: Int
        switch reply.delivery {
        case .hang:
            hold(fd, index: index)
            return
        case .whole:
            var body = reply.body
            if let size = reply.chunkBytes {
                body = []
                var offset = 0
                while offset < reply.body.count {
                    let end = min(offset + size, reply.body.count)
                    body += Array("\(String(end - offset, radix: 16))\r\n".utf8) + reply.body[offset..<end] + [13, 10]
                    offset = end
                }
                body += Array("0\r\n\r\n".utf8)
            }
            var wire = reply.interim ? Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) : []
            wire += head(reply, length: reply.chunkBytes == nil ? reply.body.count : nil)
            wire += reply.cutAfter.map { body.prefix($0) } ?? body[...]
            sent = writeAll(fd, wire)
        case .large(let bytes, let declaringLength):
            sent = writeLarge(fd, bytes: bytes, declaringLength: declaringLength, reply: reply)
        }
        state.withLock { state in
            state.requests[index].responded = ContinuousClock.now
            state.requests[index].answeredCallIDs = reply.callIDs
            state.requests[index].bytesSent = sent
        }
    }

    private enum Delivery {
        case whole
        case large(Int, declaringLength: Bool)
        case hang
    }

    private struct Reply {
        var status = 200
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        var callIDs: [String] = []
        var delivery = Delivery.whole
        /// Chunked transfer coding, in chunks of this size.
        var chunkBytes: Int?
        /// Only this many bytes of the (encoded) body are sent.
        var cutAfter: Int?
        /// A `100 Continue` comes first.
        var interim = false
    }

    private func head(_ reply: Reply, length: Int?) -> [UInt8] {
        var head = "HTTP/1.1 \(reply.status) \(reply.status == 200 ? "OK" : "Error")\r\nContent-Type: application/json\r\n"
        if let length { head += "Content-Length: \(length)\r\n" }
        if reply.chunkBytes != nil { head += "Transfer-Encoding: chunked\r\n" }
        head += "Connection: close\r\n"
        for (name, value) in reply.headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return Array(head.utf8)
    }

    /// A completion whose answer is padded with "x" to `bytes` bytes of body, written 64 KiB at a
    /// time so that a client that gives up stops the writing (the bytes it took are returned).
    private func writeLarge(_ fd: Int32, bytes: Int, declaringLength: Bool, reply: Reply) -> Int {
        let marker = "@@PAD@@"
        let template = Self.completion(["role": "assistant", "content": .string(marker)], finish: "stop")
        guard let at = find(template, Array(marker.utf8)) else { return 0 }
        let prefix = Array(template[..<at]), suffix = Array(template[(at + marker.utf8.count)...])
        var remaining = max(0, bytes - prefix.count - suffix.count)
        let total = prefix.count + remaining + suffix.count
        var sent = writeAll(fd, head(reply, length: declaringLength ? total : nil) + prefix)
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 65536)
        while remaining > 0, !isStopped {
            let part = min(remaining, chunk.count)
            let written = writeAll(fd, Array(chunk[..<part]))
            sent += written
            if written < part { return sent }
            remaining -= part
        }
        return sent + writeAll(fd, suffix)
    }

    /// Holds the connection until the client closes it or the server stops.
    private func hold(_ fd: Int32, index: Int) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !isStopped {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 50)
            if ready < 0, errno != EINTR { return }
            guard ready > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 {
                state.withLock { $0.requests[index].clientClosed = ContinuousClock.now }
                return
            }
        }
    }

    private func render(_ turn: Turn, request: Request, index: Int) -> Reply {
        switch turn {
        case .calls(let calls):
            let ids = calls.indices.map { "call_\(request.route)_\(index)_\($0)" }
            let toolCalls: [JSONValue] = zip(ids, calls).map { id, call in
                ["id": .string(id), "type": "function",
                 "function": ["name": .string(call.name), "arguments": .string(JSONWriter.string(call.arguments))]]
            }
            return Reply(body: Self.completion(["role": "assistant", "content": nil, "tool_calls": .array(toolCalls)],
                                               finish: "tool_calls"), callIDs: ids)
        case .answer(let text):
            return Reply(body: Self.completion(["role": "assistant", "content": .string(text)], finish: "stop"))
        case .body(let body):
            return Reply(body: JSONWriter.bytes(body))
        case .status(let code, let body, let headers):
            return Reply(status: code, headers: headers, body: Array(body.utf8))
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
        case .large(let bytes, let declaringLength):
            return Reply(delivery: .large(bytes, declaringLength: declaringLength))
        case .cut(let next, let bytes):
            var reply = render(next, request: request, index: index)
            reply.cutAfter = bytes
            return reply
        case .chunked(let next, let size):
            var reply = render(next, request: request, index: index)
            reply.chunkBytes = max(1, size)
            return reply
        case .afterContinue(let next):
            var reply = render(next, request: request, index: index)
            reply.interim = true
            return reply
        case .hang:
            return Reply(delivery: .hang)
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
            if count < 0, errno == EINTR || errno == EAGAIN, !isStopped { continue }
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

    /// Writes until done or the client is gone; returns the bytes written.
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0, errno == EINTR || errno == EAGAIN, !isStopped { continue }
                if written <= 0 { return offset }
                offset += written
            }
            return offset
        }
    }
}
