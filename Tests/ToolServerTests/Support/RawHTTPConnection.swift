import TestSupport
import Foundation
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP response as the tests read it off the socket.
struct HTTPReply: Sendable {
    let status: Int
    /// Header names lower-cased.
    let headers: [String: String]
    let body: [UInt8]
    var json: JSONValue? { try? JSONParser.parse(body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// One TCP connection to 127.0.0.1 with byte-level control, so that tests can send what no HTTP
/// library would (a half-sent body, garbage, a lying Content-Length). Blocking calls run on a
/// thread of their own, never on the cooperative pool, and every read is bounded by a receive
/// timeout.
final class RawHTTPConnection: @unchecked Sendable {
    // One test task uses a connection at a time; `buffer` is only touched by its calls.
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, receiveTimeout: Duration = .seconds(30)) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: Int(receiveTimeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw TestFailure("connect to port \(port): \(reason)")
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) async throws {
        try await offPool { [self] in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { throw TestFailure("send: \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
    }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// The next response; nil when the server closed the connection before one began.
    func readReply() async throws -> HTTPReply? {
        try await offPool { [self] in try readReplyBlocking() }
    }

    /// Waits (up to the receive timeout) for the server to close the connection, discarding what
    /// it sends first; true when it closed.
    func closedByServer() async -> Bool {
        (try? await offPool { [self] () -> Bool in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(fd, &chunk, chunk.count, 0)
                if count == 0 { return true }
                if count < 0 { return errno == ECONNRESET }
            }
        }) ?? false
    }

    private func readReplyBlocking() throws -> HTTPReply? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = buffer.firstRange(of: separator)?.lowerBound
            if headerEnd != nil { break }
            guard try fill() else {
                if buffer.isEmpty { return nil }
                throw TestFailure("the connection closed inside a response head: \(String(decoding: buffer, as: UTF8.self))")
            }
        }
        guard let end = headerEnd else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(end + separator.count)
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TestFailure("bad status line \(head[0])") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if let length = headers["content-length"].flatMap(Int.init) {
            while buffer.count < length {
                guard try fill() else { throw TestFailure("the connection closed inside a body") }
            }
            let body = Array(buffer.prefix(length))
            buffer.removeFirst(length)
            return HTTPReply(status: status, headers: headers, body: body)
        }
        while try fill() {}
        defer { buffer.removeAll() }
        return HTTPReply(status: status, headers: headers, body: buffer)
    }

    /// Reads what is there into `buffer`; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count > 0 {
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        if count == 0 || errno == ECONNRESET { return false }
        throw TestFailure("recv: \(String(cString: strerror(errno))) (no response in time)")
    }
}

/// Runs blocking work on a thread of its own.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// Builds HTTP/1.1 requests to the MCP endpoint: the headers a conforming client sends, any of
/// them replaced or removed.
struct HTTPRequestBuilder {
    let port: Int
    var token: String?

    func bytes(method: String = "POST", path: String = "/mcp", body: [UInt8], headers: [String: String?] = [:]) -> [UInt8] {
        var fields: [(String, String)] = [
            ("Host", "127.0.0.1:\(port)"), ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"), ("MCP-Protocol-Version", "2025-11-25"),
            ("Content-Length", String(body.count)),
        ]
        if let token { fields.append(("Authorization", "Bearer \(token)")) }
        for (name, value) in headers {
            fields.removeAll { $0.0.lowercased() == name.lowercased() }
            if let value { fields.append((name, value)) }
        }
        let head = "\(method) \(path) HTTP/1.1\r\n" + fields.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
        return Array(head.utf8) + body
    }

    /// Sends one request on a new connection and reads its response.
    func send(_ request: [UInt8]) async throws -> HTTPReply {
        let connection = try RawHTTPConnection(port: port)
        try await connection.send(request)
        guard let reply = try await connection.readReply() else { throw TestFailure("the server closed without answering") }
        return reply
    }

    func post(_ message: JSONValue, headers: [String: String?] = [:]) async throws -> HTTPReply {
        try await send(bytes(body: JSONWriter.bytes(message), headers: headers))
    }

    /// A JSON-RPC request; returns the response message (the test checks the status where it matters).
    func request(_ id: Int64, _ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        var message: JSONObject = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { message["params"] = params }
        let reply = try await post(.object(message))
        guard reply.status == 200, let json = reply.json else { throw TestFailure("\(method): HTTP \(reply.status) \(reply.text)") }
        return json
    }

    func call(_ tool: String, _ arguments: JSONValue) async throws -> MCPTestClient.ToolResult {
        let response = try await request(Int64.random(in: 1...1_000_000), "tools/call", ["name": .string(tool), "arguments": arguments])
        guard let result = response["result"] else { throw TestFailure("tools/call \(tool) failed: \(response)") }
        return MCPTestClient.ToolResult(raw: result)
    }
}
