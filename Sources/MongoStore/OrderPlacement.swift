import Foundation
import OrderDomain

/// `create_order`: reserves the stock of every line and records the order, or does neither.
///
/// Both paths plan first (price the lines, check stock on a fresh read) so that a refusal names
/// every short product; the writes then re-check stock atomically, and a line that lost a race
/// makes the attempt start over with a fresh read.
///
/// - With transactions: the conditional decrements and the insert commit together.
/// - Without: the order is inserted first as `reserving` with a lease, each line's decrement
///   pushes a marker `{order, qty}` onto the product in the same atomic update, then the order
///   becomes `pending` (conditional on still holding the lease) and the markers are removed. A
///   crash at any point leaves enough on disk for `recoverExpiredWork` to put the stock back
///   exactly once.
struct OrderPlacement {
    let context: StoreContext
    let draft: OrderDraft
    static let maxAttempts = 8

    enum Attempt {
        case placed(Order)
        /// A conditional decrement found less stock than the plan saw: plan again.
        case raced
        /// Another request took the idempotency key first: look it up.
        case keyTaken
    }

    func run() throws(OrderError) -> Placement {
        for attempt in 1...Self.maxAttempts {
            if let key = draft.idempotencyKey, let existing = try existingOrder(forKey: key) {
                return existing
            }
            let lines = try draft.plan(catalogue: context.loadCatalogue(draft.items.map(\.productID)))
            let now = context.now()
            let order = Order(id: .generate(), status: .pending, lines: lines, deliveryAddress: draft.deliveryAddress,
                              idempotencyKey: draft.idempotencyKey, createdAt: now, updatedAt: now,
                              history: [HistoryEntry(status: .pending, at: now, note: nil)])
            let outcome = context.usesTransactions ? try placeInTransaction(order) : try placeWithMarkers(order)
            switch outcome {
            case .placed(let order): return Placement(order: order, replayed: false)
            case .raced, .keyTaken: context.backoff(attempt: attempt)
            }
        }
        throw .busy("stock of these products kept changing while the order was being placed")
    }

    /// The order already created with this key, if any: the same payload replays it, another
    /// payload is a conflict. An order another operation is still creating (or undoing) is waited
    /// for while its lease is alive, and taken over and undone once it has expired.
    private func existingOrder(forKey key: String) throws(OrderError) -> Placement? {
        var waited = 0
        let waitUntil = context.now().adding(milliseconds: 2 * context.leaseMilliseconds)
        while let document = try context.findOrderDocument(["idempotency_key": .string(key)]) {
            let stored = try Stored.order(from: document)
            if !stored.isUnfinished {
                guard stored.order.matches(draft) else { throw .idempotencyConflict(key: key, existing: stored.order.id) }
                return Placement(order: stored.order, replayed: true)
            }
            if try !context.takeOverExpiredReservation(document) {
                guard context.now() < waitUntil else {
                    throw .busy("another request with idempotency_key '\(key)' is still creating its order")
                }
                waited += 1
                context.backoff(attempt: min(waited, 4))
            }
        }
        return nil
    }

    private func placeInTransaction(_ order: Order) throws(OrderError) -> Attempt {
        let document = Stored.orderDocument(order, status: OrderStatus.pending.rawValue)
        let at = BSON.datetime(order.createdAt.millisecondsSince1970)
        FaultInjection.point("create_order.before_first_write")
        do {
            return try context.withTransaction(writing: order.lines.map(\.productID.rawValue)) { options throws(MongoError) -> (value: Attempt, commit: Bool) in
                // Products in id order: orders that share products claim them in the same order, so
                // of two that overlap one always gets through instead of both conflicting.
                for (index, line) in order.lines.sorted(by: { $0.productID < $1.productID }).enumerated() {
                    let result = try context.products.updateOne(
                        ["_id": .string(line.productID.rawValue), "stock": ["$gte": .int64(line.quantity)]],
                        ["$inc": ["stock": .int64(-line.quantity)], "$set": ["updated_at": at]],
                        options: options)
                    if result.matched == 0 { return (.raced, false) }
                    FaultInjection.point("create_order.after_line.\(index + 1)")
                }
                FaultInjection.point("create_order.before_order_write")
                try context.orders.insertOne(document, options: options)
                FaultInjection.point("create_order.after_order_write")
                FaultInjection.point("create_order.before_commit")
                return (.placed(order), true)
            }
        } catch where error.isDuplicateKey {
            return .keyTaken
        } catch {
            throw StoreContext.translate(error)
        }
    }

    private func placeWithMarkers(_ order: Order) throws(OrderError) -> Attempt {
        let token = LeaseRegistry.newToken()
        return try context.whileHolding(order.id.rawValue, token: token) { () throws(OrderError) -> Attempt in
            try placeWithMarkers(order, token: token)
        }
    }

    private func placeWithMarkers(_ order: Order, token: String) throws(OrderError) -> Attempt {
        let id = BSON.string(order.id.rawValue)
        FaultInjection.point("create_order.before_first_write")
        FaultInjection.point("create_order.before_order_write")
        do {
            try context.orders.insertOne(Stored.orderDocument(order, status: Stored.reserving, lease: context.leaseFields(token)))
        } catch where error.isDuplicateKey {
            return .keyTaken
        } catch {
            throw StoreContext.translate(error)
        }
        FaultInjection.point("create_order.after_order_write")
        let at = BSON.datetime(order.createdAt.millisecondsSince1970)
        for (index, line) in order.lines.enumerated() {
            let result = try context.mongo { () throws(MongoError) in
                try context.products.updateOne(
                    ["_id": .string(line.productID.rawValue), "stock": ["$gte": .int64(line.quantity)],
                     "holds.order": ["$ne": id]],
                    ["$inc": ["stock": .int64(-line.quantity)],
                     "$push": ["holds": ["order": id, "qty": .int64(line.quantity)]],
                     "$set": ["updated_at": at]])
            }
            if result.matched == 0 {
                try context.abandonReservation(order, token: token)
                return .raced
            }
            FaultInjection.point("create_order.after_line.\(index + 1)")
        }
        FaultInjection.point("create_order.before_commit")
        // The commit point: conditional on our lease, so an order that recovery has taken over
        // (our lease ran out) can never become visible.
        let finalized = try context.mongo { () throws(MongoError) in
            try context.orders.updateOne(["_id": id, "status": .string(Stored.reserving), "lease_owner": .string(token)],
                                         ["$set": ["status": .string(OrderStatus.pending.rawValue)],
                                          "$unset": ["lease_until": "", "lease_owner": ""]])
        }
        guard finalized.matched == 1 else {
            try context.abandonReservation(order, token: token)
            return .raced
        }
        FaultInjection.point("create_order.after_commit")
        context.clearHolds(of: order.id, on: order.lines.map(\.productID))
        return .placed(order)
    }
}
