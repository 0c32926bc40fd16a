import OrderDomain

/// Undoing and finishing the no-transaction path's unfinished work.
///
/// Every step is idempotent, so that it can be interrupted at any point and done again by anyone:
/// a reservation's stock comes back through its `holds` markers (each return removes its marker in
/// the same update), a cancellation's through its `releases` markers (each increment is skipped
/// when its marker is there). Work is taken over only once its lease has expired (`LeaseRegistry`).
extension StoreContext {
    /// Release markers are kept this long after their cancellation finished, so that an operation
    /// that stalled past its lease can never find its marker gone and return the stock twice.
    var releaseMarkerGraceMilliseconds: Int64 { 10 * leaseMilliseconds }

    // MARK: Reservations

    /// The owner undoes its own reservation (a line was short, or it lost its lease): the order
    /// can no longer be finalized once it is `rolling_back`, its stock comes back, and it goes.
    func abandonReservation(_ order: Order, token: String) throws(OrderError) {
        let id = BSON.string(order.id.rawValue)
        _ = try mongo { () throws(MongoError) in
            try orders.updateOne(["_id": id, "status": .string(Stored.reserving), "lease_owner": .string(token)],
                                 ["$set": ["status": .string(Stored.rollingBack)]])
        }
        // Also when someone else took it over: returning a hold twice is impossible, and the holds
        // we pushed after they looked are ours to return.
        for line in order.lines { try returnHold(order: order.id.rawValue, product: line.productID.rawValue) }
        _ = try mongo { () throws(MongoError) in
            try orders.deleteOne(["_id": id, "status": ["$in": .array(Stored.unfinishedStatuses)], "lease_owner": .string(token)])
        }
    }

    /// Takes over an unfinished reservation whose lease has expired (its process died or lost
    /// the database) and undoes it. Returns false when the lease is still alive: the order
    /// belongs to a live operation and is left alone.
    func takeOverExpiredReservation(_ document: BSONDocument) throws(OrderError) -> Bool {
        guard let orderID = document["_id"]?.stringValue else { return false }
        let token = LeaseRegistry.newToken()
        let claimed = try mongo { () throws(MongoError) in
            try orders.updateOne(["_id": .string(orderID), "status": ["$in": .array(Stored.unfinishedStatuses)],
                                  "lease_until": ["$lt": .datetime(now().millisecondsSince1970)]],
                                 ["$set": .document(leaseFields(token).merging(["status": .string(Stored.rollingBack)]))])
        }
        guard claimed.matched == 1 else { return false }
        let productIDs = (document["lines"]?.arrayValue ?? []).compactMap { $0.documentValue?["product_id"]?.stringValue }
        try whileHolding(orderID, token: token) { () throws(OrderError) in
            for productID in productIDs { try returnHold(order: orderID, product: productID) }
            _ = try mongo { () throws(MongoError) in
                try orders.deleteOne(["_id": .string(orderID), "lease_owner": .string(token)])
            }
        }
        log("store.recovered", ["order": orderID, "what": "reservation rolled back"])
        return true
    }

    /// Gives back the quantity held by `order` on `product`, if its marker is still there; the
    /// increment and the marker's removal are one atomic update.
    private func returnHold(order orderID: String, product productID: String) throws(OrderError) {
        let id = BSON.string(orderID)
        guard let document = try mongo({ () throws(MongoError) in
            try products.findOne(["_id": .string(productID), "holds.order": id])
        }) else { return }
        let hold = (document["holds"]?.arrayValue ?? []).compactMap(\.documentValue).first { $0["order"] == id }
        guard let quantity = hold?["qty"]?.integerValue else { return }
        _ = try mongo { () throws(MongoError) in
            try products.updateOne(["_id": .string(productID), "holds.order": id],
                                   ["$inc": ["stock": .int64(quantity)], "$pull": ["holds": ["order": id]]])
        }
    }

    /// Removes the markers of a finished order. Best effort: a marker left behind is removed by
    /// the next recovery and never changes stock.
    func clearHolds(of order: OrderID, on productIDs: [ProductID]) {
        for productID in productIDs {
            _ = try? products.updateOne(["_id": .string(productID.rawValue)],
                                        ["$pull": ["holds": ["order": .string(order.rawValue)]]])
        }
    }

    // MARK: Cancellations

    /// Returns a cancelled order's stock, exactly once, for the holder of its lease: each
    /// product's increment pushes `{order, at}` onto its `releases` in the same atomic update and
    /// is skipped when the order is already there; then the order says `restock: done`.
    func releaseStock(of order: Order, token: String) throws(OrderError) {
        let id = BSON.string(order.id.rawValue)
        let at = BSON.datetime(now().millisecondsSince1970)
        for (index, line) in order.lines.enumerated() {
            _ = try mongo { () throws(MongoError) in
                try products.updateOne(["_id": .string(line.productID.rawValue), "releases.order": ["$ne": id]],
                                       ["$inc": ["stock": .int64(line.quantity)], "$push": ["releases": ["order": id, "at": at]],
                                        "$set": ["updated_at": at]])
            }
            FaultInjection.point("cancel.after_line.\(index + 1)")
        }
        FaultInjection.point("cancel.before_commit")
        _ = try mongo { () throws(MongoError) in
            try orders.updateOne(["_id": id, "lease_owner": .string(token)],
                                 ["$set": ["restock": "done"], "$unset": ["lease_until": "", "lease_owner": ""]])
        }
        FaultInjection.point("cancel.after_commit")
    }

    /// Finishes a cancellation whose stock return was interrupted and whose lease has expired.
    /// Returns false when its lease is still alive (a live operation is finishing it).
    func takeOverExpiredCancellation(_ document: BSONDocument) throws(OrderError) -> Bool {
        let order = try Stored.order(from: document).order
        let token = LeaseRegistry.newToken()
        let claimed = try mongo { () throws(MongoError) in
            try orders.updateOne(["_id": .string(order.id.rawValue), "restock": "pending",
                                  "lease_until": ["$lt": .datetime(now().millisecondsSince1970)]],
                                 ["$set": .document(leaseFields(token))])
        }
        guard claimed.matched == 1 else { return false }
        try whileHolding(order.id.rawValue, token: token) { () throws(OrderError) in try releaseStock(of: order, token: token) }
        log("store.recovered", ["order": order.id.rawValue, "what": "cancellation restocked"])
        return true
    }

    // MARK: Recovery

    /// Takes over and repairs every piece of unfinished work whose lease has expired, and removes
    /// markers that are no longer needed. Work of live operations is never touched. Returns how
    /// many orders it repaired.
    func recoverExpiredWork() throws(OrderError) -> Int {
        let expired: BSON = ["$lt": .datetime(now().millisecondsSince1970)]
        var repairs = 0
        let reservations = try mongo { () throws(MongoError) in
            try orders.find(["status": ["$in": .array(Stored.unfinishedStatuses)], "lease_until": expired])
        }
        for document in reservations where try takeOverExpiredReservation(document) { repairs += 1 }
        let cancellations = try mongo { () throws(MongoError) in
            try orders.find(["status": .string(OrderStatus.cancelled.rawValue), "restock": "pending", "lease_until": expired])
        }
        for document in cancellations where try takeOverExpiredCancellation(document) { repairs += 1 }
        repairs += try sweepMarkers()
        return repairs
    }

    /// Markers whose order is gone are returned (their reservation was rolled back by an owner
    /// that died before returning them); markers of finished work are removed without touching
    /// stock.
    private func sweepMarkers() throws(OrderError) -> Int {
        var repairs = 0
        let marked = try mongo { () throws(MongoError) in
            try products.find(["$or": [["holds.0": ["$exists": true]], ["releases.0": ["$exists": true]]]])
        }
        let graceEnd = now().millisecondsSince1970 - releaseMarkerGraceMilliseconds
        for product in marked {
            guard let productID = product["_id"]?.stringValue else { continue }
            for hold in (product["holds"]?.arrayValue ?? []).compactMap(\.documentValue) {
                guard let orderID = hold["order"]?.stringValue else { continue }
                let status = try findOrderDocument(["_id": .string(orderID)]).map { $0["status"]?.stringValue ?? "" }
                switch status {
                case nil:
                    try returnHold(order: orderID, product: productID)
                    repairs += 1
                case Stored.reserving?, Stored.rollingBack?:
                    break  // unfinished: its owner or its lease's expiry deals with it
                default:
                    pull(["holds": ["order": .string(orderID)]], from: productID)
                }
            }
            for release in (product["releases"]?.arrayValue ?? []).compactMap(\.documentValue) {
                guard let orderID = release["order"]?.stringValue, let at = release["at"]?.datetimeValue,
                      at < graceEnd else { continue }
                let order = try findOrderDocument(["_id": .string(orderID)])
                if order?["restock"]?.stringValue != "pending" {
                    pull(["releases": ["order": .string(orderID)]], from: productID)
                }
            }
        }
        return repairs
    }

    private func pull(_ marker: BSONDocument, from productID: String) {
        _ = try? products.updateOne(["_id": .string(productID)], ["$pull": .document(marker)])
    }
}

extension BSONDocument {
    func merging(_ other: BSONDocument) -> BSONDocument {
        var merged = self
        for field in other.fields { merged[field.key] = field.value }
        return merged
    }
}
