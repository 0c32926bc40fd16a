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

/// Why a request got no complete HTTP answer.
public enum TransportError: Error, Sendable {
    case timeout
    /// No answer: the connection could not be made, or ended before the response began.
    case connection(String)
    /// The response began (status and headers came) but the connection ended before its body was
    /// complete.
    case interrupted(String)
    /// The body is longer than the limit; the rest was not read.
    case tooLarge(limit: Int)
    case cancelled
}

/// Sends one POST and returns the answer; no retries here.
public protocol HTTPTransport: Sendable {
    /// `timeout` bounds the whole exchange; a body longer than `maxResponseBytes` fails with
    /// `.tooLarge` as soon as it passes the limit, without being read further.
    func post(_ url: URL, headers: [String: String], body: [UInt8], timeout: Duration,
              maxResponseBytes: Int) async throws(TransportError) -> HTTPResponse
}

/// URLSession (FoundationNetworking on Linux), for https endpoints. The body is collected through
/// the session's delegate, so that the task is cancelled once it passes the limit, and only what
/// came so far is kept. The cancel is not immediate on Linux (FoundationNetworking goes on reading
/// while it reaches the transfer): at network speeds that is a little more than the limit, which is
/// why http endpoints, which can be local and fast, go through `PlainHTTPTransport` instead.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let exchanges = Exchanges()

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 8
        configuration.urlCache = nil
        session = URLSession(configuration: configuration, delegate: exchanges, delegateQueue: nil)
    }

    // The session holds its delegate until it is invalidated.
    deinit { session.finishTasksAndInvalidate() }

    public func post(_ url: URL, headers: [String: String], body: [UInt8], timeout: Duration,
                     maxResponseBytes: Int) async throws(TransportError) -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        request.timeoutInterval = seconds
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }

        let exchange = Exchange(limit: maxResponseBytes)
        let outcome: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                exchange.begin(continuation)
                let task = session.dataTask(with: request)
                exchanges.add(exchange, for: task)
                exchange.set(task)
                task.resume()
                // The request's timeout is an idle timeout; this one bounds the whole exchange.
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds + 0.5) { exchange.stop(.timedOut) }
            }
        } onCancel: {
            exchange.stop(.cancelled)
        }
        return try outcome.get()
    }
}

/// The session's delegate: hands each task's events to its exchange.
private final class Exchanges: NSObject, URLSessionDataDelegate, Sendable {
    private let table = Mutex<[Int: Exchange]>([:])

    func add(_ exchange: Exchange, for task: URLSessionTask) {
        table.withLock { $0[task.taskIdentifier] = exchange }
    }

    private func exchange(_ task: URLSessionTask) -> Exchange? { table.withLock { $0[task.taskIdentifier] } }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        completionHandler(exchange(dataTask)?.received(response) ?? .allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        exchange(dataTask)?.received(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let exchange = table.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        exchange?.complete(error)
    }
}

/// One request: its task, the response and body so far, and why it was stopped, if it was.
private final class Exchange: Sendable {
    enum Stop { case timedOut, cancelled, tooLarge }

    private struct State {
        var continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>?
        var task: URLSessionDataTask?
        var response: HTTPURLResponse?
        var body = Data()
        var stopped: Stop?
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    func begin(_ continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Keeps the task so that a stop can reach it; one that came before cancels it now.
    func set(_ task: URLSessionDataTask) {
        let cancelNow = state.withLock { state -> Bool in
            state.task = task
            return state.stopped != nil
        }
        if cancelNow { task.cancel() }
    }

    /// Cancels the task; the first reason is the one reported.
    func stop(_ reason: Stop) {
        let task = state.withLock { state -> URLSessionDataTask? in
            if state.stopped == nil { state.stopped = reason }
            return state.task
        }
        task?.cancel()
    }

    func received(_ response: URLResponse) -> URLSession.ResponseDisposition {
        let tooLarge = response.expectedContentLength > Int64(limit)
        let task = state.withLock { state -> URLSessionDataTask? in
            state.response = response as? HTTPURLResponse
            guard tooLarge else { return nil }
            if state.stopped == nil { state.stopped = .tooLarge }
            return state.task
        }
        // FoundationNetworking ignores the disposition: cancel the task itself.
        task?.cancel()
        return tooLarge ? .cancel : .allow
    }

    func received(_ data: Data) {
        let task = state.withLock { state -> URLSessionDataTask? in
            guard state.stopped == nil else { return nil }
            guard state.body.count + data.count <= limit else {
                state.stopped = .tooLarge
                state.body = Data()
                return state.task
            }
            state.body.append(data)
            return nil
        }
        task?.cancel()
    }

    func complete(_ error: (any Error)?) {
        let (continuation, result) = state.withLock { state in
            defer {
                // The deadline still holds this exchange: keep nothing big in it.
                state.continuation = nil
                state.task = nil
                state.body = Data()
            }
            return (state.continuation, Self.outcome(state, error: error, limit: limit))
        }
        continuation?.resume(returning: result)
    }

    private static func outcome(_ state: State, error: (any Error)?, limit: Int) -> Result<HTTPResponse, TransportError> {
        switch state.stopped {
        case .timedOut?: return .failure(.timeout)
        case .cancelled?: return .failure(.cancelled)
        case .tooLarge?: return .failure(.tooLarge(limit: limit))
        case nil: break
        }
        if let error {
            let detail = (error as? URLError)?.localizedDescription ?? String(describing: error)
            switch (error as? URLError)?.code {
            case .timedOut?: return .failure(.timeout)
            case .cancelled?: return .failure(.cancelled)
            default: return .failure(state.response == nil ? .connection(detail) : .interrupted(detail))
            }
        }
        guard let http = state.response else { return .failure(.connection("no HTTP response")) }
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
        }
        return .success(HTTPResponse(status: http.statusCode, headers: fields, body: Array(state.body)))
    }
}
