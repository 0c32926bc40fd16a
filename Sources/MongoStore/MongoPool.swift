import CMongoc
import Foundation

/// A libmongoc client pool. libmongoc's pool is thread-safe; each popped client is used by one
/// thread at a time and pushed back when the operation ends.
final class MongoPool: @unchecked Sendable {
    private let pool: OpaquePointer
    private let uri: OpaquePointer
    let database: String

    /// Parses the URI and creates the pool; does not connect (the server may be down).
    ///
    /// - Parameter serverSelectionTimeoutMS: how long a call waits for a reachable server before
    ///   failing with "database unavailable", unless the URI sets it.
    init(uri uriString: String, database: String, serverSelectionTimeoutMS: Int32, appName: String) throws(MongoError) {
        MongoRuntime.initialize()
        var error = bson_error_t()
        guard let uri = mongoc_uri_new_with_error(uriString, &error) else {
            // libmongoc's message quotes no credentials, but say nothing of the URI to be sure.
            throw MongoError(domain: error.domain, code: error.code,
                             message: "invalid MongoDB URI (\(MongoError(error).message.redactingCredentials))")
        }
        if mongoc_uri_get_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 0) == 0 {
            mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, serverSelectionTimeoutMS)
        }
        if mongoc_uri_get_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 0) == 0 {
            mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, min(serverSelectionTimeoutMS, 5000))
        }
        // Acknowledged means journaled, unless the URI chooses its own write concern: an order
        // confirmed to a client must survive a crash of the database right after.
        if let given = mongoc_uri_get_write_concern(uri), !mongoc_write_concern_journal_is_set(given),
           mongoc_write_concern_get_w(given) == MONGOC_WRITE_CONCERN_W_DEFAULT, let concern = mongoc_write_concern_copy(given) {
            mongoc_write_concern_set_journal(concern, true)
            mongoc_uri_set_write_concern(uri, concern)
            mongoc_write_concern_destroy(concern)
        }
        guard let pool = mongoc_client_pool_new_with_error(uri, &error) else {
            mongoc_uri_destroy(uri)
            throw MongoError(error)
        }
        mongoc_client_pool_set_error_api(pool, 2)
        _ = mongoc_client_pool_set_appname(pool, appName)
        self.pool = pool
        self.uri = uri
        self.database = database
    }

    deinit {
        mongoc_client_pool_destroy(pool)
        mongoc_uri_destroy(uri)
    }

    func withClient<T, E: Error>(_ body: (MongoClient) throws(E) -> T) throws(E) -> T {
        guard let client = mongoc_client_pool_pop(pool) else {
            preconditionFailure("mongoc_client_pool_pop returned NULL")
        }
        defer { mongoc_client_pool_push(pool, client) }
        return try body(MongoClient(client: client, database: database))
    }
}

/// Process-wide libmongoc set-up: `mongoc_init` once, and its log routed to stderr, because its
/// default handler writes to stdout, which carries the MCP stream.
public enum MongoRuntime {
    private static let once: Void = {
        mongoc_log_set_handler({ level, domain, message, _ in
            // Trace and debug are noise; info and above go to stderr, one line each.
            guard level.rawValue <= MONGOC_LOG_LEVEL_INFO.rawValue else { return }
            let text = message.map { String(cString: $0) } ?? ""
            let where_ = domain.map { String(cString: $0) } ?? "mongoc"
            let line = "level=\(String(cString: mongoc_log_level_str(level))) component=\(where_) msg=\"\(text.redactingCredentials)\"\n"
            FileHandle.standardError.write(Data(line.utf8))
        }, nil)
        // After the handler: mongoc_init itself may log, and its default handler writes to stdout.
        mongoc_init()
        atexit { mongoc_cleanup() }
    }()

    public static func initialize() { once }
}

extension String {
    /// Replaces `user:password@` in anything that looks like a MongoDB URI.
    public var redactingCredentials: String {
        guard contains("@") else { return self }
        var out = ""
        var rest = Substring(self)
        while let scheme = rest.range(of: "mongodb") {
            out += rest[..<scheme.lowerBound]
            let tail = rest[scheme.lowerBound...]
            guard let separator = tail.range(of: "://") else { out += tail; return out }
            let hostStart = separator.upperBound
            let authorityEnd = tail[hostStart...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == " " || $0 == "'" || $0 == "\"" }) ?? tail.endIndex
            let authority = tail[hostStart..<authorityEnd]
            out += tail[..<hostStart]
            if let at = authority.lastIndex(of: "@") {
                out += "***@" + authority[authority.index(after: at)...]
            } else {
                out += authority
            }
            rest = tail[authorityEnd...]
        }
        return out + rest
    }
}

/// A client popped from the pool, for the duration of one store operation.
struct MongoClient {
    let client: OpaquePointer
    let database: String

    func collection(_ name: String) -> MongoCollection {
        MongoCollection(handle: mongoc_client_get_collection(client, database, name))
    }

    /// Runs a command on the database and returns the server's reply.
    func command(_ command: BSONDocument, database db: String? = nil) throws(MongoError) -> BSONDocument {
        let reply = ReplyDocument()
        var error = bson_error_t()
        let ok = command.withBSON { cmd in
            mongoc_client_command_simple(client, db ?? database, cmd, nil, reply.pointer, &error)
        }
        reply.markInitialized()
        guard ok else { throw MongoError(error, reply: reply.document) }
        return reply.document ?? BSONDocument()
    }

    func startSession() throws(MongoError) -> MongoSession {
        var error = bson_error_t()
        guard let session = mongoc_client_start_session(client, nil, &error) else { throw MongoError(error) }
        return MongoSession(session: session)
    }
}

/// A logical session, for transactions.
final class MongoSession {
    let session: OpaquePointer
    init(session: OpaquePointer) { self.session = session }
    deinit { mongoc_client_session_destroy(session) }

    /// `opts` with this session's id added, as every operation inside a transaction needs.
    func options(_ opts: BSONDocument = BSONDocument()) throws(MongoError) -> BSONDocument {
        var error = bson_error_t()
        let result: Result<BSONDocument, MongoError> = opts.withBSON { base in
            guard let copy = bson_copy(base) else { return .failure(MongoError(domain: 0, code: 0, message: "out of memory")) }
            defer { bson_destroy(copy) }
            guard mongoc_client_session_append(session, copy, &error) else { return .failure(MongoError(error)) }
            guard let document = try? BSONDocument(borrowing: copy) else {
                return .failure(MongoError(domain: 0, code: 0, message: "unreadable session options"))
            }
            return .success(document)
        }
        return try result.get()
    }

    func startTransaction() throws(MongoError) {
        var error = bson_error_t()
        guard mongoc_client_session_start_transaction(session, nil, &error) else { throw MongoError(error) }
    }

    func commit() throws(MongoError) {
        let reply = ReplyDocument()
        var error = bson_error_t()
        let ok = mongoc_client_session_commit_transaction(session, reply.pointer, &error)
        reply.markInitialized()
        guard ok else { throw MongoError(error, reply: reply.document) }
    }

    func abort() {
        var error = bson_error_t()
        if mongoc_client_session_in_transaction(session) {
            _ = mongoc_client_session_abort_transaction(session, &error)
        }
    }
}
