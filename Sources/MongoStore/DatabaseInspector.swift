import JSON

/// Reads and resets a database directly through the driver, bypassing the store: tests use it to
/// snapshot both collections before and after a call, and to check invariants on the raw data.
public final class DatabaseInspector: Sendable {
    private let pool: MongoPool

    public init(uri: String, database: String) throws {
        pool = try MongoPool(uri: uri, database: database, serverSelectionTimeoutMS: 5000, appName: "inspector")
    }

    /// Every document of `collection`, sorted by `_id`, as JSON (dates become `{"$date": ms}`).
    public func documents(_ collection: String, filter: JSONObject = [:]) throws -> [JSONValue] {
        try pool.withClient { client throws(MongoError) in
            try client.collection(collection).find(BSONDocument(json: filter), options: ["sort": ["_id": 1]]).map(\.json)
        }
    }

    /// Both collections, for before/after comparisons.
    public func snapshot() throws -> [String: [JSONValue]] {
        ["products": try documents("products"), "orders": try documents("orders")]
    }

    public func drop() throws {
        _ = try pool.withClient { client throws(MongoError) in try client.command(["dropDatabase": 1]) }
    }

    /// Inserts documents as given (tests use it to set up raw states).
    public func insert(_ collection: String, _ documents: [JSONObject]) throws {
        try pool.withClient { client throws(MongoError) in
            let target = client.collection(collection)
            for document in documents { try target.insertOne(BSONDocument(json: document)) }
        }
    }
}

extension BSONDocument {
    var json: JSONValue {
        var object = JSONObject()
        for field in fields { object[field.key] = field.value.json }
        return .object(object)
    }

    /// Integers become int64, `{"$date": ms}` a date; for test set-up only.
    init(json object: JSONObject) {
        self.init(fields: object.map { ($0.key, BSON(json: $0.value)) })
    }
}

extension BSON {
    var json: JSONValue {
        switch self {
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .document(let d): d.json
        case .array(let a): .array(a.map(\.json))
        case .bool(let b): .bool(b)
        case .datetime(let ms): ["$date": .int(ms)]
        case .null: .null
        case .int32(let i): .int(Int64(i))
        case .int64(let i): .int(i)
        case .other(let type, let bytes): ["$type": .int(Int64(type)), "$bytes": .int(Int64(bytes.count))]
        }
    }

    init(json value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int64(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(BSON.init(json:)))
        case .object(let o):
            if o.count == 1, let ms = o["$date"]?.integerValue { self = .datetime(ms) } else { self = .document(BSONDocument(json: o)) }
        }
    }
}
