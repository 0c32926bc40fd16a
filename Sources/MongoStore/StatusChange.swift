import OrderDomain

extension StoreContext {
    /// `update_delivery_status`: the update is conditional on the status that was read, so of two
    /// concurrent transitions only one applies; the other re-reads and decides again.
    func changeStatus(of id: OrderID, to requested: OrderStatus, note: String?) throws(OrderError) -> StatusUpdate {
        var conflicts = 0
        let waitUntil = now().adding(milliseconds: 2 * leaseMilliseconds)
        while true {
            guard let document = try findOrderDocument(["_id": .string(id.rawValue)]) else { throw .orderNotFound(id) }
            let stored = try Stored.order(from: document)
            guard !stored.isUnfinished else { throw .orderNotFound(id) }
            let order = stored.order
            guard case .apply(let from, let to, let restocks) = try Transition.decide(order: id, from: order.status, to: requested) else {
                // Already there. A cancellation whose stock return was interrupted is finished
                // first, so that a retry of the call completes it.
                if document["restock"]?.stringValue == "pending", try !takeOverExpiredCancellation(document) {
                    guard now() < waitUntil else { throw .busy("another request is still returning this order's stock") }
                    backoff(attempt: 4)
                    continue
                }
                return StatusUpdate(order: order, previousStatus: order.status)
            }
            let now = now()
            let entry = HistoryEntry(status: to, at: now, note: note)
            let applied = try apply(order, from: from, to: to, entry: entry, restocks: restocks)
            if applied {
                var updated = order
                updated.status = to
                updated.updatedAt = now
                updated.history.append(entry)
                return StatusUpdate(order: updated, previousStatus: from)
            }
            conflicts += 1
            guard conflicts < 8 else { throw .busy("the order's status kept changing") }
            backoff(attempt: conflicts)
        }
    }

    /// Writes one transition, conditional on the status it was decided from; false when another
    /// request changed the status first.
    private func apply(_ order: Order, from: OrderStatus, to: OrderStatus, entry: HistoryEntry,
                       restocks: Bool) throws(OrderError) -> Bool {
        let id = BSON.string(order.id.rawValue)
        let filter: BSONDocument = ["_id": id, "status": .string(from.rawValue)]
        var set: BSONDocument = ["status": .string(to.rawValue), "updated_at": .datetime(entry.at.millisecondsSince1970)]
        if !restocks {
            return try mongo { () throws(MongoError) in
                try orders.updateOne(filter, ["$set": .document(set), "$push": ["history": Stored.historyEntry(entry)]]).matched == 1
            }
        }
        FaultInjection.point("cancel.before_first_write")
        if usesTransactions {
            set["restock"] = "done"
            let update: BSONDocument = ["$set": .document(set), "$push": ["history": Stored.historyEntry(entry)]]
            return try mongo { () throws(MongoError) in
                try withTransaction(writing: order.lines.map(\.productID.rawValue)) { options throws(MongoError) -> (value: Bool, commit: Bool) in
                    guard try orders.updateOne(filter, update, options: options).matched == 1 else { return (false, false) }
                    FaultInjection.point("cancel.after_status_write")
                    for (index, line) in order.lines.enumerated() {
                        _ = try products.updateOne(["_id": .string(line.productID.rawValue)],
                                                   ["$inc": ["stock": .int64(line.quantity)],
                                                    "$set": ["updated_at": .datetime(entry.at.millisecondsSince1970)]],
                                                   options: options)
                        FaultInjection.point("cancel.after_line.\(index + 1)")
                    }
                    FaultInjection.point("cancel.before_commit")
                    return (true, true)
                }
            }
        }
        // Without transactions: mark the order cancelled with its stock return pending under our
        // lease, then return the stock; a crash in between is finished by recovery.
        let token = LeaseRegistry.newToken()
        return try whileHolding(order.id.rawValue, token: token) { () throws(OrderError) -> Bool in
            set = set.merging(leaseFields(token))
            set["restock"] = "pending"
            let marked = try mongo { () throws(MongoError) in
                try orders.updateOne(filter, ["$set": .document(set), "$push": ["history": Stored.historyEntry(entry)]]).matched == 1
            }
            guard marked else { return false }
            FaultInjection.point("cancel.after_status_write")
            try releaseStock(of: order, token: token)
            return true
        }
    }
}
