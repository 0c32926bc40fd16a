#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

#if canImport(Glibc)
private let streamSocket = Int32(SOCK_STREAM.rawValue)
private let closeOnExec = Int32(SOCK_CLOEXEC.rawValue)
private let noSignal = Int32(MSG_NOSIGNAL)
#else
private let streamSocket = SOCK_STREAM
private let closeOnExec: Int32 = 0
private let noSignal: Int32 = 0
#endif

/// The transport a `ChatClient` uses unless given another: `PlainHTTPTransport` for `http://`
/// endpoints, `URLSessionTransport` for `https://`.
public struct StandardTransport: HTTPTransport {
    private let plain = PlainHTTPTransport()
    private let secure = URLSessionTransport()

    public init() {}

    public func post(_ url: URL, headers: [String: String], body: [UInt8], timeout: Duration,
                     maxResponseBytes: Int) async throws(TransportError) -> HTTPResponse {
        let transport: any HTTPTransport = url.scheme?.lowercased() == "http" ? plain : secure
        return try await transport.post(url, headers: headers, body: body, timeout: timeout, maxResponseBytes: maxResponseBytes)
    }
}

/// One POST over a plain TCP socket, for `http://` endpoints (llama.cpp, Ollama, vLLM or a LiteLLM
/// proxy on this machine or the LAN), with `Connection: close`. It reads no further than it needs:
/// a body longer than the limit fails as soon as it passes it (or at once when Content-Length
/// says so), and the timeout bounds the whole exchange (name resolution aside). (URLSession on Linux cannot stop a fast
/// sender: a cancelled task there goes on reading, and queueing, hundreds of megabytes first.)
public struct PlainHTTPTransport: HTTPTransport {
    public init() {}

    public func post(_ url: URL, headers: [String: String], body: [UInt8], timeout: Duration,
                     maxResponseBytes: Int) async throws(TransportError) -> HTTPResponse {
        let exchange = SocketExchange(deadline: .now + timeout, limit: maxResponseBytes)
        let outcome: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Blocking I/O on a thread of its own, never on the cooperative pool.
                Thread.detachNewThread { continuation.resume(returning: exchange.run(url, headers: headers, body: body)) }
            }
        } onCancel: {
            exchange.cancel()
        }
        return try outcome.get()
    }
}

/// The socket work of one request. Every wait is a poll of at most 50 ms, so that the deadline and
/// a cancellation are noticed promptly.
private final class SocketExchange: Sendable {
    private let deadline: ContinuousClock.Instant
    private let limit: Int
    private let cancelled = Atomic<Bool>(false)

    init(deadline: ContinuousClock.Instant, limit: Int) {
        self.deadline = deadline
        self.limit = limit
    }

    func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Why a wait ended without the socket being ready.
    private enum Stop: Error { case timeout, cancelled, failed(String) }

    func run(_ url: URL, headers: [String: String], body: [UInt8]) -> Result<HTTPResponse, TransportError> {
        guard let host = url.host, !host.isEmpty else { return .failure(.connection("no host in \(url.absoluteString)")) }
        let port = url.port ?? 80
        let fd: Int32
        switch dial(host: host, port: port) {
        case .success(let connected): fd = connected
        case .failure(let error): return .failure(error)
        }
        defer { close(fd) }

        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var target = components?.percentEncodedPath ?? "/"
        if target.isEmpty { target = "/" }
        if let query = components?.percentEncodedQuery { target += "?\(query)" }
        let hostHeader = (host.contains(":") ? "[\(host)]" : host) + (url.port.map { ":\($0)" } ?? "")
        var head = "POST \(target) HTTP/1.1\r\nHost: \(hostHeader)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        do {
            try write(fd, Array(head.utf8) + body)
        } catch {
            return .failure(transportError(error, started: false))
        }
        var reader = ResponseReader(limit: limit)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count: Int
            do { count = try read(fd, into: &chunk) } catch {
                return .failure(transportError(error, started: reader.started))
            }
            do {
                if let response = try reader.consume(chunk[..<count], ended: count == 0) { return .success(response) }
            } catch {
                return .failure(error)
            }
            if count == 0 { return .failure(.interrupted("the connection closed before the response was complete")) }
        }
    }

    private func transportError(_ stop: Stop, started: Bool) -> TransportError {
        switch stop {
        case .timeout: .timeout
        case .cancelled: .cancelled
        case .failed(let detail): started ? .interrupted(detail) : .connection(detail)
        }
    }

    // MARK: Socket calls

    private func dial(host: String, port: Int) -> Result<Int32, TransportError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamSocket
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(.connection("cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var failure = TransportError.connection("no address for \(host)")
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let address = next {
            next = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype | closeOnExec, address.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var result = connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen)
            if result != 0, errno == EINPROGRESS {
                do {
                    try wait(fd, for: Int16(POLLOUT))
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    result = error == 0 ? 0 : -1
                    errno = error
                } catch {
                    close(fd)
                    return .failure(transportError(error, started: false))
                }
            }
            if result == 0 { return .success(fd) }
            failure = .connection("cannot connect to \(host):\(port): \(String(cString: strerror(errno)))")
            close(fd)
        }
        return .failure(failure)
    }

    private func wait(_ fd: Int32, for events: Int16) throws(Stop) {
        while true {
            if cancelled.load(ordering: .relaxed) { throw .cancelled }
            let left = deadline - .now
            if left <= .zero { throw .timeout }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left, .milliseconds(50)).seconds * 1000) + 1)
            if ready > 0 { return }
            if ready < 0, errno != EINTR { throw .failed(String(cString: strerror(errno))) }
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) throws(Stop) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, noSignal)
            }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                try wait(fd, for: Int16(POLLOUT))
            } else {
                throw .failed(String(cString: strerror(errno)))
            }
        }
    }

    /// Bytes read (0 at the end of the stream).
    private func read(_ fd: Int32, into buffer: inout [UInt8]) throws(Stop) -> Int {
        while true {
            try wait(fd, for: Int16(POLLIN))
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return count }
            if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR { throw .failed(String(cString: strerror(errno))) }
        }
    }
}

/// Reads an HTTP/1.1 response as its bytes arrive: the head, then a body framed by Content-Length,
/// chunked transfer coding, or the end of the connection; never more than `limit` body bytes.
struct ResponseReader {
    let limit: Int
    private var pending: [UInt8] = []
    private var status = 0
    private var headers: [String: String] = [:]
    private var framing: Framing?
    private var body: [UInt8] = []

    private enum Framing {
        case length(Int)
        case untilClose
        /// A chunk-size line is due.
        case chunkSize
        /// This many bytes of a chunk's data are due.
        case chunkData(Int)
        /// The CRLF after a chunk's data is due.
        case chunkEnd
    }

    /// The longest response head read.
    static let maxHeadBytes = 64 * 1024

    init(limit: Int) { self.limit = limit }

    /// The status line and headers have come.
    var started: Bool { framing != nil }

    /// Takes the next bytes (`ended`: the connection closed); returns the response once complete.
    mutating func consume(_ bytes: ArraySlice<UInt8>, ended: Bool) throws(TransportError) -> HTTPResponse? {
        pending += bytes
        if framing == nil, try !readHead() {
            if ended {
                throw pending.isEmpty ? .connection("the server closed the connection without answering")
                    : .interrupted("the connection closed in the response head")
            }
            return nil
        }
        while true {
            switch framing {
            case .length(let total)?:
                try take(min(pending.count, total - body.count))
                if body.count == total { return response }
                if ended { throw .interrupted("the connection closed after \(body.count) of \(total) body bytes") }
                return nil
            case .untilClose?:
                try take(pending.count)
                return ended ? response : nil
            case .chunkSize?:
                guard let end = Self.find([13, 10], in: pending) else {
                    if ended { throw .interrupted("the connection closed in the middle of a chunked body") }
                    guard pending.count < 1024 else { throw .interrupted("a chunk-size line longer than 1 KiB") }
                    return nil
                }
                let line = String(decoding: pending[..<end], as: UTF8.self)
                let digits = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                guard let size = Int(digits, radix: 16), size >= 0 else { throw .interrupted("a bad chunk size '\(line)'") }
                // The last chunk: trailers, if any, are not needed.
                if size == 0 { return response }
                guard size <= limit - body.count else { throw .tooLarge(limit: limit) }
                pending.removeFirst(end + 2)
                framing = .chunkData(size)
            case .chunkData(let due)?:
                let part = min(pending.count, due)
                try take(part)
                if part < due {
                    framing = .chunkData(due - part)
                    if ended { throw .interrupted("the connection closed in the middle of a chunk") }
                    return nil
                }
                framing = .chunkEnd
            case .chunkEnd?:
                guard pending.count >= 2 else {
                    if ended { throw .interrupted("the connection closed in the middle of a chunked body") }
                    return nil
                }
                pending.removeFirst(2)
                framing = .chunkSize
            case nil:
                return nil
            }
        }
    }

    private var response: HTTPResponse { HTTPResponse(status: status, headers: headers, body: body) }

    /// Moves `count` pending bytes to the body, within the limit.
    private mutating func take(_ count: Int) throws(TransportError) {
        guard count > 0 else { return }
        guard body.count + count <= limit else { throw .tooLarge(limit: limit) }
        body += pending[..<count]
        pending.removeFirst(count)
    }

    /// Parses the head once it is complete (skipping 1xx interim responses); false until then.
    private mutating func readHead() throws(TransportError) -> Bool {
        while true {
            guard let end = Self.find([13, 10, 13, 10], in: pending) else {
                guard pending.count <= Self.maxHeadBytes else { throw .interrupted("a response head longer than 64 KiB") }
                return false
            }
            let lines = String(decoding: pending[..<end], as: UTF8.self).components(separatedBy: "\r\n")
            pending.removeFirst(end + 4)
            let statusLine = lines.first ?? ""
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
                throw .connection("not an HTTP response: \(statusLine.prefix(100))")
            }
            if (100..<200).contains(code) { continue }
            status = code
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                headers[name] = headers[name].map { "\($0), \(value)" } ?? value
            }
            if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
                framing = .chunkSize
            } else if let text = headers["content-length"] {
                guard let length = Int(text), length >= 0 else { throw .interrupted("a bad Content-Length '\(text)'") }
                guard length <= limit else { throw .tooLarge(limit: limit) }
                framing = .length(length)
            } else if code == 204 || code == 304 {
                framing = .length(0)
            } else {
                framing = .untilClose
            }
            return true
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == needle[0], haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
            start += 1
        }
        return nil
    }
}
