import Foundation
import OrderDomain

/// One store operation's view of the database: a client from the pool, its collections, and
/// the deployment's capabilities. Lives on one worker thread for one operation.
struct StoreContext {
    let client: MongoClient
    let usesTransactions: Bool
    let leaseMilliseconds: Int64
    let leases: LeaseRegistry
    let log: StoreLog
    let products: MongoCollection
    let orders: MongoCollection

    /// The largest stock a product may hold, far above any real warehouse and far below overflow.
    static let maxStock: Int64 = 1_000_000_000_000

    init(client: MongoClient, usesTransactions: Bool, leaseMilliseconds: Int64, leases: LeaseRegistry,
         log: @escaping StoreLog) {
        self.client = client
        self.usesTransactions = usesTransactions
        self.leaseMilliseconds = leaseMilliseconds
        self.leases = leases
        self.log = log
        products = client.collection("products")
        orders = client.collection("orders")
    }

    func now() -> Timestamp {
        Timestamp(millisecondsSince1970: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// Runs driver calls and turns their failures into the domain's errors.
    func mongo<T>(_ body: () throws(MongoError) -> T) throws(OrderError) -> T {
        do { return try body() } catch { throw Self.translate(error) }
    }

    static func translate(_ error: MongoError) -> OrderError {
        let message = error.message.redactingCredentials
        if error.outcomeUnknown { return .outcomeUnknown(message) }
        if error.isUnavailable { return .databaseUnavailable(message) }
        // A transaction that kept conflicting until its time limit: aborted, so nothing changed.
        if error.isTransient { return .busy(message) }
        return .storeFailure(message)
    }

    // MARK: Set-up

    func createIndexes() throws(OrderError) {
        _ = try mongo { () throws(MongoError) in
            try client.command([
                "createIndexes": "orders",
                "indexes": [
                    ["key": ["idempotency_key": 1], "name": "idempotency_key_unique", "unique": true,
                     "partialFilterExpression": ["idempotency_key": ["$type": "string"]]],
                    ["key": ["status": 1, "created_at": -1], "name": "status_created_at"],
                    ["key": ["created_at": -1], "name": "created_at"],
                ],
            ])
        }
    }

    // MARK: Products

    func findProduct(_ id: ProductID) throws(OrderError) -> Product? {
        guard let document = try mongo({ () throws(MongoError) in try products.findOne(["_id": .string(id.rawValue)]) }) else {
            return nil
        }
        return try Stored.product(from: document)
    }

    func loadCatalogue(_ ids: [ProductID]) throws(OrderError) -> [ProductID: Product] {
        let documents = try mongo { () throws(MongoError) in
            try products.find(["_id": ["$in": .array(ids.map { .string($0.rawValue) })]])
        }
        var catalogue: [ProductID: Product] = [:]
        for document in documents {
            let product = try Stored.product(from: document)
            catalogue[product.id] = product
        }
        return catalogue
    }

    func listProducts(limit: Int, lowStockBelow: Int64?) throws(OrderError) -> [Product] {
        var filter = BSONDocument()
        if let lowStockBelow { filter["stock"] = ["$lt": .int64(lowStockBelow)] }
        let documents = try mongo { () throws(MongoError) in
            try products.find(filter, options: ["sort": ["_id": 1], "limit": .int64(Int64(limit))])
        }
        var result: [Product] = []
        for document in documents { result.append(try Stored.product(from: document)) }
        return result
    }

    func adjustStock(_ id: ProductID, by delta: Int64, reason: String?) throws(OrderError) -> StockAdjustment {
        var filter: BSONDocument = ["_id": .string(id.rawValue)]
        filter["stock"] = delta < 0 ? ["$gte": .int64(-delta)] : ["$lte": .int64(Self.maxStock - delta)]
        let now = now()
        var adjustment: BSONDocument = ["delta": .int64(delta), "at": .datetime(now.millisecondsSince1970)]
        if let reason { adjustment["reason"] = .string(reason) }
        let update: BSONDocument = [
            "$inc": ["stock": .int64(delta)],
            "$set": ["updated_at": .datetime(now.millisecondsSince1970), "last_adjustment": .document(adjustment)],
        ]
        if let document = try mongo({ () throws(MongoError) in try products.findOneAndUpdate(filter, update) }) {
            let product = try Stored.product(from: document)
            return StockAdjustment(product: product, previousStock: product.stock - delta, delta: delta, reason: reason)
        }
        guard let current = try findProduct(id) else { throw .productNotFound(id) }
        if delta < 0 { throw .stockWouldGoNegative(product: id, current: current.stock, delta: delta) }
        throw .stockOutOfRange(product: id, current: current.stock, delta: delta)
    }

    func upsert(_ list: [Product]) throws(OrderError) -> SeedReport {
        var inserted = 0
        var updated = 0
        let now = now()
        for product in list {
            let result = try mongo { () throws(MongoError) in
                try products.updateOne(["_id": .string(product.id.rawValue)],
                                       ["$set": .document(Stored.productDocument(product, now: now))],
                                       options: ["upsert": true])
            }
            if result.upserted { inserted += 1 } else { updated += 1 }
        }
        return SeedReport(inserted: inserted, updated: updated)
    }

    // MARK: Orders

    func findOrderDocument(_ filter: BSONDocument) throws(OrderError) -> BSONDocument? {
        try mongo { () throws(MongoError) in try orders.findOne(filter) }
    }

    /// The order, unless it does not exist or is still being created.
    func findVisibleOrder(_ id: OrderID) throws(OrderError) -> Order? {
        guard let document = try findOrderDocument(["_id": .string(id.rawValue)]) else { return nil }
        let stored = try Stored.order(from: document)
        return stored.isUnfinished ? nil : stored.order
    }

    func listOrders(status: OrderStatus?, address: AddressQuery?, limit: Int) throws(OrderError) -> [Order] {
        var filter: BSONDocument = ["status": status.map { .string($0.rawValue) } ?? ["$in": .array(Stored.visibleStatuses)]]
        if let address { filter["delivery_address"] = ["$regex": .string(Stored.pattern(address)), "$options": "i"] }
        let documents = try mongo { () throws(MongoError) in
            try orders.find(filter, options: ["sort": ["created_at": -1, "_id": 1], "limit": .int64(Int64(limit))])
        }
        var result: [Order] = []
        for document in documents { result.append(try Stored.order(from: document).order) }
        return result
    }

    /// Sleeps a little before retrying after a conflict, with jitter so that competing
    /// processes do not retry in lockstep.
    func backoff(attempt: Int) {
        let ceiling = min(50_000, 1_000 << min(attempt, 6))
        usleep(UInt32.random(in: 200...UInt32(ceiling)))
    }
}
