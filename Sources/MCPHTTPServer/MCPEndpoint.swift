import Hummingbird
import HTTPTypes
import JSON
import MCPServerKit
import NIOCore

/// A request's context: Hummingbird's, plus the connection, so that a refusal can end it.
struct EndpointContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}

/// MCP Streamable HTTP (2025-11-25), stateless: each POST carries one JSON-RPC message and gets
/// its answer as `application/json`; notifications and responses get 202; there is no server
/// stream (GET is 405) and no session. Requests pass the checks below in order, the cheapest and
/// most telling first; the first that fails decides the status.
struct MCPEndpoint: HTTPResponder {
    typealias Context = EndpointContext

    static let protocolVersionHeader = HTTPField.Name("MCP-Protocol-Version")!
    /// What the spec says a server assumes of a request without the header.
    static let versionWithoutHeader = ProtocolVersion.v2025_03_26

    let server: MCPServer
    let settings: HTTPSettings
    let access: AccessPolicy
    let deadlines: BodyDeadlines
    let logger: MCPServerKit.Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        do throws(Refusal) {
            return try await answer(request, channel: context.channel)
        } catch {
            logger.info("http.refused", ["status": String(error.status.code), "method": request.method.rawValue])
            // A refused request ends its connection: whatever of its body is still coming is not read.
            context.channel.close(mode: .input, promise: nil)
            return error.response
        }
    }

    private func answer(_ request: Request, channel: any Channel) async throws(Refusal) -> Response {
        guard request.uri.path == settings.path else { throw .notFound }
        guard access.permits(origin: request.headers[.origin]) else { throw .forbiddenOrigin }
        guard access.permits(authorization: request.headers[.authorization]) else { throw .unauthorized }
        guard request.method == .post else { throw .methodNotAllowed }
        guard Self.isJSON(request.headers[.contentType]) else { throw .unsupportedMediaType }
        guard Self.acceptsJSON(request.headers[values: .accept]) else { throw .notAcceptable }
        let version = try Self.version(request.headers[Self.protocolVersionHeader])
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.maxBodyBytes {
            throw .tooLarge(limit: settings.maxBodyBytes)
        }
        let body = try await BodyReader.collect(request.body, limit: settings.maxBodyBytes, deadlines: deadlines,
                                                  channel: channel)
        switch await server.answer(body, version: version) {
        case .accepted:
            return Response(status: .accepted)
        case .response(let message):
            return Self.json(.ok, message)
        case .unreadable(let message):
            return Self.json(.badRequest, message)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ message: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(message))))
    }

    /// `application/json`, with parameters such as `charset=utf-8` allowed.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    /// No Accept header, or one that admits JSON (clients send "application/json, text/event-stream").
    static func acceptsJSON(_ accepted: [String]) -> Bool {
        if accepted.isEmpty { return true }
        let ranges = accepted.flatMap { $0.split(separator: ",") }.map {
            ($0.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        }
        return ranges.contains { $0 == "application/json" || $0 == "application/*" || $0 == "*/*" }
    }

    static func version(_ header: String?) throws(Refusal) -> ProtocolVersion {
        guard let header else { return versionWithoutHeader }
        guard let version = ProtocolVersion(rawValue: header.trimmingCharacters(in: .whitespaces)) else {
            throw .unsupportedProtocolVersion
        }
        return version
    }
}
