import OrderDomain

extension StoreContext {
    /// `update_delivery_status`: the update is conditional on the status that was read, so of two
    /// concurrent transitions only one applies; the other re-reads and decides again.
    func changeStatus(of id: OrderID, to requested: OrderStatus, note: String?) throws(OrderError) -> StatusUpdate {
        for attempt in 1...8 {
            guard let order = try findVisibleOrder(id) else { throw .orderNotFound(id) }
            guard case .apply(let from, let to, let restocks) = try Transition.decide(order: id, from: order.status, to: requested) else {
                return StatusUpdate(order: order, previousStatus: order.status)
            }
            let now = now()
            let entry = HistoryEntry(status: to, at: now, note: note)
            let filter: BSONDocument = ["_id": .string(id.rawValue), "status": .string(from.rawValue)]
            var set: BSONDocument = ["status": .string(to.rawValue), "updated_at": .datetime(now.millisecondsSince1970)]
            let applied: Bool
            if !restocks {
                applied = try mongo { () throws(MongoError) in
                    try orders.updateOne(filter, ["$set": .document(set), "$push": ["history": Stored.historyEntry(entry)]]).matched == 1
                }
            } else if usesTransactions {
                set["restock"] = "done"
                let update: BSONDocument = ["$set": .document(set), "$push": ["history": Stored.historyEntry(entry)]]
                applied = try mongo { () throws(MongoError) in
                    try withTransaction { options throws(MongoError) -> (value: Bool, commit: Bool) in
                        guard try orders.updateOne(filter, update, options: options).matched == 1 else { return (false, false) }
                        for line in order.lines {
                            _ = try products.updateOne(["_id": .string(line.productID.rawValue)],
                                                       ["$inc": ["stock": .int64(line.quantity)],
                                                        "$set": ["updated_at": .datetime(now.millisecondsSince1970)]],
                                                       options: options)
                        }
                        return (true, true)
                    }
                }
            } else {
                set["restock"] = "pending"
                set["lease_until"] = .datetime(now.adding(milliseconds: leaseMilliseconds).millisecondsSince1970)
                applied = try mongo { () throws(MongoError) in
                    try orders.updateOne(filter, ["$set": .document(set), "$push": ["history": Stored.historyEntry(entry)]]).matched == 1
                }
                if applied { try releaseStock(of: order) }
            }
            if applied {
                var updated = order
                updated.status = to
                updated.updatedAt = now
                updated.history.append(entry)
                return StatusUpdate(order: updated, previousStatus: from)
            }
            backoff(attempt: attempt)
        }
        throw .busy("the order's status kept changing")
    }

    /// Returns a cancelled order's stock on the no-transaction path, exactly once: each product's
    /// increment pushes the order id onto `releases` in the same atomic update and is skipped when
    /// the id is already there; the markers go once the order says `restock: done`.
    func releaseStock(of order: Order) throws(OrderError) {
        let id = BSON.string(order.id.rawValue)
        let at = BSON.datetime(now().millisecondsSince1970)
        for line in order.lines {
            _ = try mongo { () throws(MongoError) in
                try products.updateOne(["_id": .string(line.productID.rawValue), "releases": ["$ne": id]],
                                       ["$inc": ["stock": .int64(line.quantity)], "$push": ["releases": id],
                                        "$set": ["updated_at": at]])
            }
        }
        _ = try mongo { () throws(MongoError) in
            try orders.updateOne(["_id": id], ["$set": ["restock": "done"], "$unset": ["lease_until": ""]])
        }
        for line in order.lines {
            _ = try? products.updateOne(["_id": .string(line.productID.rawValue)], ["$pull": ["releases": id]])
        }
    }
}
