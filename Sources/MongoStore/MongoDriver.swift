import CMongoc
import Foundation

/// A failed driver call: libmongoc's error domain and code, its message, and the server's error
/// labels (which decide whether a transaction may be retried).
struct MongoError: Error, Sendable, CustomStringConvertible {
    let domain: UInt32
    let code: UInt32
    let message: String
    let labels: [String]
    /// Set when a commit failed in a way that leaves unknown whether the server applied it.
    private(set) var outcomeUnknown = false

    var description: String { message }

    var withUnknownOutcome: MongoError {
        var copy = self
        copy.outcomeUnknown = true
        return copy
    }

    static let duplicateKey: UInt32 = 11000

    var isDuplicateKey: Bool { code == Self.duplicateKey || code == 11001 }
    var isTransient: Bool { labels.contains("TransientTransactionError") }
    var isUnknownCommitResult: Bool { labels.contains("UnknownTransactionCommitResult") }

    /// Failures to reach a server at all, as opposed to a server refusing an operation.
    var isUnavailable: Bool {
        switch Int(domain) {
        case Int(MONGOC_ERROR_SERVER_SELECTION.rawValue), Int(MONGOC_ERROR_STREAM.rawValue): true
        case Int(MONGOC_ERROR_CLIENT.rawValue):
            code == MONGOC_ERROR_CLIENT_AUTHENTICATE.rawValue ? false : code == MONGOC_ERROR_CLIENT_NOT_READY.rawValue
        default: false
        }
    }

    init(domain: UInt32, code: UInt32, message: String, labels: [String] = []) {
        self.domain = domain
        self.code = code
        self.message = message
        self.labels = labels
    }

    init(_ error: bson_error_t, reply: BSONDocument? = nil) {
        var copy = error
        let message = withUnsafeBytes(of: &copy.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let labels = reply?["errorLabels"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.init(domain: error.domain, code: error.code, message: message, labels: labels)
    }
}

/// A `bson_t` that libmongoc fills in (a reply). `bson_t` must be 128-byte aligned, which Swift
/// cannot express for a C struct it imports as opaque, so the storage is allocated by hand.
final class ReplyDocument {
    let pointer: OpaquePointer
    private let raw: UnsafeMutableRawPointer
    private var initialized = false

    init() {
        raw = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 128)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: 128)
        pointer = OpaquePointer(raw)
    }

    /// Call after a libmongoc function has initialized the reply (they all do, even on failure).
    func markInitialized() { initialized = true }

    var document: BSONDocument? {
        guard initialized else { return nil }
        return try? BSONDocument(borrowing: pointer)
    }

    deinit {
        if initialized { bson_destroy(pointer) }
        raw.deallocate()
    }
}

extension BSONDocument {
    /// Copies a libmongoc-owned document into Swift.
    init(borrowing document: OpaquePointer) throws(BSONDecodingError) {
        guard let data = bson_get_data(document) else { throw BSONDecodingError(description: "null document") }
        var length: UInt32 = 0
        withUnsafeMutableBytes(of: &length) { $0.copyMemory(from: UnsafeRawBufferPointer(start: data, count: 4)) }
        try self.init(bytes: UnsafeRawBufferPointer(start: data, count: Int(UInt32(littleEndian: length))))
    }

    /// Runs `body` with a libmongoc copy of this document, freed afterwards.
    func withBSON<T, E: Error>(_ body: (OpaquePointer) throws(E) -> T) throws(E) -> T {
        let encoded = bytes
        let document = encoded.withUnsafeBufferPointer { buffer in
            bson_new_from_data(buffer.baseAddress, buffer.count)
        }
        guard let document else {
            // Only possible for a malformed length, which `bytes` never produces.
            preconditionFailure("libbson rejected a document this store encoded")
        }
        defer { bson_destroy(document) }
        return try body(document)
    }
}

func withOptionalBSON<T, E: Error>(_ document: BSONDocument?, _ body: (OpaquePointer?) throws(E) -> T) throws(E) -> T {
    guard let document else { return try body(nil) }
    return try document.withBSON { (pointer) throws(E) -> T in try body(pointer) }
}
