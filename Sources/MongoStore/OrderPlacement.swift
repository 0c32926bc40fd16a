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
///   becomes `pending` and the markers are removed. A crash at any point leaves enough on disk
///   for `recoverExpiredWork` to put the stock back exactly once.
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
    /// payload is a conflict. An order another request is still creating is waited for.
    private func existingOrder(forKey key: String) throws(OrderError) -> Placement? {
        var waited = 0
        while let document = try context.findOrderDocument(["idempotency_key": .string(key)]) {
            let stored = try Stored.order(from: document)
            if !stored.isReserving {
                guard stored.order.matches(draft) else { throw .idempotencyConflict(key: key, existing: stored.order.id) }
                return Placement(order: stored.order, replayed: true)
            }
            // Another request is creating it; if its lease ran out, its process died: repair it.
            let lease = document["lease_until"]?.datetimeValue ?? 0
            if lease < context.now().millisecondsSince1970 {
                try context.rollBackReservation(document)
                continue
            }
            waited += 1
            context.backoff(attempt: min(waited, 4))
        }
        return nil
    }

    private func placeInTransaction(_ order: Order) throws(OrderError) -> Attempt {
        let document = Stored.orderDocument(order, status: OrderStatus.pending.rawValue, leaseUntil: nil)
        let at = BSON.datetime(order.createdAt.millisecondsSince1970)
        do {
            return try context.withTransaction { options throws(MongoError) -> (value: Attempt, commit: Bool) in
                // Products in id order: orders that share products claim them in the same order, so
                // of two that overlap one always gets through instead of both conflicting.
                for line in order.lines.sorted(by: { $0.productID < $1.productID }) {
                    let result = try context.products.updateOne(
                        ["_id": .string(line.productID.rawValue), "stock": ["$gte": .int64(line.quantity)]],
                        ["$inc": ["stock": .int64(-line.quantity)], "$set": ["updated_at": at]],
                        options: options)
                    if result.matched == 0 { return (.raced, false) }
                }
                try context.orders.insertOne(document, options: options)
                return (.placed(order), true)
            }
        } catch where error.isDuplicateKey {
            return .keyTaken
        } catch {
            throw StoreContext.translate(error)
        }
    }

    private func placeWithMarkers(_ order: Order) throws(OrderError) -> Attempt {
        let id = BSON.string(order.id.rawValue)
        let lease = order.createdAt.adding(milliseconds: context.leaseMilliseconds)
        do {
            try context.orders.insertOne(Stored.orderDocument(order, status: Stored.reserving, leaseUntil: lease))
        } catch where error.isDuplicateKey {
            return .keyTaken
        } catch {
            throw StoreContext.translate(error)
        }
        let at = BSON.datetime(order.createdAt.millisecondsSince1970)
        for line in order.lines {
            let result = try context.mongo { () throws(MongoError) in
                try context.products.updateOne(
                    ["_id": .string(line.productID.rawValue), "stock": ["$gte": .int64(line.quantity)],
                     "holds.order": ["$ne": id]],
                    ["$inc": ["stock": .int64(-line.quantity)],
                     "$push": ["holds": ["order": id, "qty": .int64(line.quantity)]],
                     "$set": ["updated_at": at]])
            }
            if result.matched == 0 {
                try context.rollBackReservation(order)
                return .raced
            }
        }
        let finalized = try context.mongo { () throws(MongoError) in
            try context.orders.updateOne(["_id": id, "status": .string(Stored.reserving)],
                                         ["$set": ["status": .string(OrderStatus.pending.rawValue)], "$unset": ["lease_until": ""]])
        }
        guard finalized.matched == 1 else {
            // Our lease ran out and recovery elsewhere rolled the order back: undo what is left.
            try context.rollBackReservation(order)
            return .raced
        }
        context.clearHolds(of: order.id, on: order.lines.map(\.productID))
        return .placed(order)
    }
}
