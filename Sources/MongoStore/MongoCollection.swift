import CMongoc

/// One collection of a popped client, with the few operations the store needs. Each takes
/// documents built in Swift and returns decoded replies; none keeps state between calls.
final class MongoCollection {
    private let handle: OpaquePointer
    init(handle: OpaquePointer) { self.handle = handle }
    deinit { mongoc_collection_destroy(handle) }

    struct UpdateResult {
        let matched: Int64
        let modified: Int64
        let upserted: Bool
    }

    func find(_ filter: BSONDocument, options: BSONDocument? = nil) throws(MongoError) -> [BSONDocument] {
        let cursor: OpaquePointer? = filter.withBSON { f in
            withOptionalBSON(options) { o in mongoc_collection_find_with_opts(handle, f, o, nil) }
        }
        guard let cursor else { throw MongoError(domain: 0, code: 0, message: "could not create a cursor") }
        defer { mongoc_cursor_destroy(cursor) }
        var results: [BSONDocument] = []
        var current: OpaquePointer?
        while mongoc_cursor_next(cursor, &current) {
            guard let current else { continue }
            do { results.append(try BSONDocument(borrowing: current)) } catch {
                throw MongoError(domain: 0, code: 0, message: "unreadable document: \(error)")
            }
        }
        var error = bson_error_t()
        var replyPointer: OpaquePointer?
        if mongoc_cursor_error_document(cursor, &error, &replyPointer) {
            let reply = replyPointer.flatMap { try? BSONDocument(borrowing: $0) }
            throw MongoError(error, reply: reply)
        }
        return results
    }

    func findOne(_ filter: BSONDocument, options: BSONDocument = BSONDocument()) throws(MongoError) -> BSONDocument? {
        var opts = options
        opts["limit"] = .int64(1)
        return try find(filter, options: opts).first
    }

    func insertOne(_ document: BSONDocument, options: BSONDocument? = nil) throws(MongoError) {
        let reply = ReplyDocument()
        var error = bson_error_t()
        let ok = document.withBSON { d in
            withOptionalBSON(options) { o in mongoc_collection_insert_one(handle, d, o, reply.pointer, &error) }
        }
        reply.markInitialized()
        guard ok else { throw MongoError(error, reply: reply.document) }
    }

    func updateOne(_ filter: BSONDocument, _ update: BSONDocument, options: BSONDocument? = nil) throws(MongoError) -> UpdateResult {
        let reply = ReplyDocument()
        var error = bson_error_t()
        let ok = filter.withBSON { f in
            update.withBSON { u in
                withOptionalBSON(options) { o in mongoc_collection_update_one(handle, f, u, o, reply.pointer, &error) }
            }
        }
        reply.markInitialized()
        let document = reply.document
        guard ok else { throw MongoError(error, reply: document) }
        return UpdateResult(matched: document?["matchedCount"]?.integerValue ?? 0,
                            modified: document?["modifiedCount"]?.integerValue ?? 0,
                            upserted: document?["upsertedId"] != nil)
    }

    func deleteOne(_ filter: BSONDocument, options: BSONDocument? = nil) throws(MongoError) -> Int64 {
        let reply = ReplyDocument()
        var error = bson_error_t()
        let ok = filter.withBSON { f in
            withOptionalBSON(options) { o in mongoc_collection_delete_one(handle, f, o, reply.pointer, &error) }
        }
        reply.markInitialized()
        let document = reply.document
        guard ok else { throw MongoError(error, reply: document) }
        return document?["deletedCount"]?.integerValue ?? 0
    }

    /// findAndModify returning the document after the update, or nil when nothing matched.
    func findOneAndUpdate(_ filter: BSONDocument, _ update: BSONDocument) throws(MongoError) -> BSONDocument? {
        guard let opts = mongoc_find_and_modify_opts_new() else {
            throw MongoError(domain: 0, code: 0, message: "out of memory")
        }
        defer { mongoc_find_and_modify_opts_destroy(opts) }
        update.withBSON { u in _ = mongoc_find_and_modify_opts_set_update(opts, u) }
        _ = mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_RETURN_NEW)
        let reply = ReplyDocument()
        var error = bson_error_t()
        let ok = filter.withBSON { f in mongoc_collection_find_and_modify_with_opts(handle, f, opts, reply.pointer, &error) }
        reply.markInitialized()
        let document = reply.document
        guard ok else { throw MongoError(error, reply: document) }
        return document?["value"]?.documentValue
    }
}
