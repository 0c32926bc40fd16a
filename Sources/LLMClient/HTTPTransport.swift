import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// An HTTP answer: status, headers (names lower-cased) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why a request got no HTTP answer at all.
public enum TransportError: Error, Sendable {
    case timeout
    case connection(String)
    case cancelled
}

/// Sends one POST and returns the answer; no retries here.
public protocol HTTPTransport: Sendable {
    func post(_ url: URL, headers: [String: String], body: [UInt8], timeout: Duration) async throws(TransportError) -> HTTPResponse
}

/// URLSession (FoundationNetworking on Linux): plain http on loopback, and https.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 8
        session = URLSession(configuration: configuration)
    }

    public func post(_ url: URL, headers: [String: String], body: [UInt8], timeout: Duration) async throws(TransportError) -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        request.timeoutInterval = seconds
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }

        let box = TaskBox()
        let outcome: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                let once = ResumeOnce(continuation)
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        once.resume(.failure(Self.classify(error, timedOut: box.timedOut)))
                    } else if let http = response as? HTTPURLResponse {
                        var fields: [String: String] = [:]
                        for (key, value) in http.allHeaderFields {
                            if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
                        }
                        once.resume(.success(HTTPResponse(status: http.statusCode, headers: fields, body: Array(data ?? Data()))))
                    } else {
                        once.resume(.failure(.connection("no HTTP response")))
                    }
                }
                box.set(task)
                task.resume()
                // The request's timeout is an idle timeout; this one bounds the whole exchange.
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds + 0.5) { box.expire() }
            }
        } onCancel: {
            box.cancel()
        }
        return try outcome.get()
    }

    private static func classify(_ error: any Error, timedOut: Bool) -> TransportError {
        if timedOut { return .timeout }
        guard let urlError = error as? URLError else { return .connection(String(describing: error)) }
        switch urlError.code {
        case .timedOut: return .timeout
        case .cancelled: return .cancelled
        default: return .connection(urlError.localizedDescription)
        }
    }
}

/// Holds the data task so that cancellation and the deadline can reach it from other threads.
private final class TaskBox: Sendable {
    private struct State {
        var task: URLSessionDataTask?
        var timedOut = false
        var cancelled = false
    }
    private let state = Mutex(State())

    func set(_ task: URLSessionDataTask) {
        let cancelNow = state.withLock { state -> Bool in
            state.task = task
            return state.cancelled
        }
        if cancelNow { task.cancel() }
    }

    var timedOut: Bool { state.withLock { $0.timedOut } }

    func expire() {
        let task = state.withLock { state -> URLSessionDataTask? in
            state.timedOut = true
            return state.task
        }
        task?.cancel()
    }

    func cancel() {
        let task = state.withLock { state -> URLSessionDataTask? in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}

/// Resumes a continuation at most once, whichever callback comes first.
final class ResumeOnce<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = Mutex(continuation) }

    func resume(_ value: Value) {
        let pending = continuation.withLock { stored -> CheckedContinuation<Value, Never>? in
            defer { stored = nil }
            return stored
        }
        pending?.resume(returning: value)
    }
}
