import BlockingThreads
import Foundation
import OrderDomain
import Synchronization

/// Where the store reports events: an event name and its fields.
public typealias StoreLog = @Sendable (_ event: String, _ fields: KeyValuePairs<String, String>) -> Void

/// The `OrderStore` over MongoDB, through libmongoc.
///
/// libmongoc is blocking, so every operation runs on a thread that may block with a client popped
/// from the pool: in place when the caller already runs on such a thread (a stdio tool call, see
/// `BlockingExecutor`), otherwise on a worker thread while the async caller waits on a
/// continuation. The cooperative thread pool is never blocked on I/O, and operations in flight
/// (at most the server's `--max-in-flight`) wait on the database side by side.
public final class MongoOrderStore: OrderStore, Sendable {
    public enum TransactionMode: String, Sendable, CaseIterable {
        /// Multi-document transactions when the deployment has them (replica set or sharded).
        case auto
        /// Never: conditional per-line updates with a recoverable reservation protocol.
        case never
    }

    public struct Configuration: Sendable {
        public var uri: String
        public var database: String
        public var transactions: TransactionMode
        public var serverSelectionTimeoutMS: Int32
        /// How long an unfinished order of the no-transaction path is protected from recovery by
        /// other processes.
        public var leaseMilliseconds: Int64

        public init(uri: String, database: String, transactions: TransactionMode = .auto,
                    serverSelectionTimeoutMS: Int32 = 5000, leaseMilliseconds: Int64 = 30_000) {
            self.uri = uri
            self.database = database
            self.transactions = transactions
            self.serverSelectionTimeoutMS = serverSelectionTimeoutMS
            self.leaseMilliseconds = leaseMilliseconds
        }
    }

    let configuration: Configuration
    let pool: MongoPool
    let log: StoreLog
    /// Threads for the blocking driver calls, one per operation in flight, reused.
    private let workers = BlockingWorkers(name: "mongo-store")
    let leases = LeaseRegistry()
    /// Set once the first connection has created the indexes, read the topology and recovered.
    private let preparation = Mutex<Prepared?>(nil)

    struct Prepared {
        let usesTransactions: Bool
    }

    public init(_ configuration: Configuration, log: @escaping StoreLog) throws(OrderError) {
        self.configuration = configuration
        self.log = log
        do {
            pool = try MongoPool(uri: configuration.uri, database: configuration.database,
                                 serverSelectionTimeoutMS: configuration.serverSelectionTimeoutMS, appName: "ToolServer")
        } catch {
            throw .storeFailure(error.message)
        }
    }

    /// Whether orders are placed in transactions; nil before the first successful connection.
    public var usesTransactions: Bool? { preparation.withLock { $0?.usesTransactions } }

    /// Connects, creates indexes and recovers unfinished work now rather than on the first call.
    public func prepare() async throws(OrderError) {
        try await run { _ throws(OrderError) in }
    }

    // MARK: Running operations

    private func context(_ client: MongoClient, usesTransactions: Bool) -> StoreContext {
        StoreContext(client: client, usesTransactions: usesTransactions, leaseMilliseconds: configuration.leaseMilliseconds,
                     leases: leases, log: log)
    }

    /// Starts the background work a long-running server needs: renewing the leases of this
    /// process's unfinished operations (every third of a lease), and taking over work that other
    /// processes left unfinished (every lease), so that a crash elsewhere is repaired without a
    /// restart. Runs for the life of the process.
    public func startMaintenance() {
        let interval = max(configuration.leaseMilliseconds / 3, 50)
        let thread = Thread { [weak self] in
            var tick = 0
            while true {
                usleep(UInt32(min(interval, 60_000)) * 1000)
                guard let self else { return }
                tick += 1
                self.maintain(recover: tick % 3 == 0)
            }
        }
        thread.name = "store-maintenance"
        thread.start()
    }

    private func maintain(recover: Bool) {
        let transactions = preparation.withLock { $0?.usesTransactions }
        guard !leases.held.isEmpty || (recover && transactions != nil) else { return }
        pool.withClient { client in
            let context = context(client, usesTransactions: transactions ?? false)
            context.renewLeases()
            guard recover, transactions != nil else { return }
            do throws(OrderError) {
                _ = try context.recoverExpiredWork()
            } catch {
                log("store.recovery_failed", ["error": error.message])
            }
        }
    }

    /// Runs `body` on a thread that may block, with a prepared connection: the calling thread when
    /// it is one, else a worker thread. Not on a dispatch queue: libdispatch runs about one blocking
    /// item per core at a time, so calls would wait in turn behind a slow or unreachable database.
    func run<T: Sendable>(_ body: @escaping @Sendable (StoreContext) throws(OrderError) -> T) async throws(OrderError) -> T {
        if BlockingWorkers.isCurrentThreadWorker { return try runHere(body) }
        let result: Result<T, OrderError> = await withCheckedContinuation { continuation in
            workers.submit { [self] in
                continuation.resume(returning: Result { () throws(OrderError) -> T in try runHere(body) })
            }
        }
        return try result.get()
    }

    private func runHere<T>(_ body: (StoreContext) throws(OrderError) -> T) throws(OrderError) -> T {
        try pool.withClient { client throws(OrderError) -> T in
            let prepared = try prepareIfNeeded(client)
            return try body(context(client, usesTransactions: prepared.usesTransactions))
        }
    }

    private func prepareIfNeeded(_ client: MongoClient) throws(OrderError) -> Prepared {
        if let prepared = preparation.withLock({ $0 }) { return prepared }
        let context = context(client, usesTransactions: false)
        // Reach the deployment before taking the lock: while the database is down, every waiting
        // call then fails after its own server selection timeout, instead of one after another.
        let hello = try context.mongo { () throws(MongoError) in try client.command(["hello": 1], database: "admin") }
        return try preparation.withLock { state throws(OrderError) -> Prepared in
            if let state { return state }
            let clustered = hello["setName"] != nil || hello["msg"]?.stringValue == "isdbgrid"
            let sessions = hello["logicalSessionTimeoutMinutes"] != nil
            let transactions = configuration.transactions == .auto && clustered && sessions
            try context.createIndexes()
            let prepared = Prepared(usesTransactions: transactions)
            let repaired = try self.context(client, usesTransactions: transactions).recoverExpiredWork()
            log("store.ready", ["database": configuration.database, "transactions": String(transactions),
                                "topology": clustered ? "replica-set-or-sharded" : "standalone", "recovered": String(repaired)])
            state = prepared
            return prepared
        }
    }

    // MARK: OrderStore

    public func product(_ id: ProductID) async throws(OrderError) -> Product {
        try await run { context throws(OrderError) in
            guard let product = try context.findProduct(id) else { throw .productNotFound(id) }
            return product
        }
    }

    public func products(limit: Int, lowStockBelow: Int64?) async throws(OrderError) -> [Product] {
        try await run { context throws(OrderError) in try context.listProducts(limit: limit, lowStockBelow: lowStockBelow) }
    }

    public func adjustStock(_ id: ProductID, by delta: Int64, reason: String?) async throws(OrderError) -> StockAdjustment {
        try await run { context throws(OrderError) in try context.adjustStock(id, by: delta, reason: reason) }
    }

    public func placeOrder(_ draft: OrderDraft) async throws(OrderError) -> Placement {
        try await run { context throws(OrderError) in try OrderPlacement(context: context, draft: draft).run() }
    }

    public func order(_ id: OrderID) async throws(OrderError) -> Order {
        try await run { context throws(OrderError) in
            guard let order = try context.findVisibleOrder(id) else { throw .orderNotFound(id) }
            return order
        }
    }

    public func orders(status: OrderStatus?, address: AddressQuery?, limit: Int) async throws(OrderError) -> [Order] {
        try await run { context throws(OrderError) in try context.listOrders(status: status, address: address, limit: limit) }
    }

    public func changeStatus(of id: OrderID, to status: OrderStatus, note: String?) async throws(OrderError) -> StatusUpdate {
        try await run { context throws(OrderError) in try context.changeStatus(of: id, to: status, note: note) }
    }

    public func upsert(_ products: [Product]) async throws(OrderError) -> SeedReport {
        try await run { context throws(OrderError) in try context.upsert(products) }
    }
}
