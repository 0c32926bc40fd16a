import OrderDomain

extension StoreContext {
    /// Undoes an unfinished reservation: returns the stock of every line that still carries the
    /// order's marker (each return removes the marker in the same update, so it happens once),
    /// then deletes the order document if it is still `reserving`.
    func rollBackReservation(_ order: Order) throws(OrderError) {
        try rollBack(orderID: order.id.rawValue, products: order.lines.map(\.productID.rawValue))
    }

    func rollBackReservation(_ document: BSONDocument) throws(OrderError) {
        guard let id = document["_id"]?.stringValue else { return }
        let productIDs = (document["lines"]?.arrayValue ?? []).compactMap { $0.documentValue?["product_id"]?.stringValue }
        try rollBack(orderID: id, products: productIDs)
    }

    private func rollBack(orderID: String, products productIDs: [String]) throws(OrderError) {
        for productID in productIDs { try returnHold(order: orderID, product: productID) }
        _ = try mongo { () throws(MongoError) in
            try orders.deleteOne(["_id": .string(orderID), "status": .string(Stored.reserving)])
        }
    }

    /// Gives back the quantity held by `order` on `product`, if its marker is still there.
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

    /// Finishes or undoes work that a process left unfinished (it crashed, or the database went
    /// away), but only work whose lease has expired, so that a live process is never disturbed.
    /// Returns how many repairs it made.
    func recoverExpiredWork() throws(OrderError) -> Int {
        let now = BSON.datetime(now().millisecondsSince1970)
        var repairs = 0
        // Orders that never finished reserving: give their stock back and drop them.
        let stale = try mongo { () throws(MongoError) in
            try orders.find(["status": .string(Stored.reserving), "lease_until": ["$lt": now]])
        }
        for document in stale {
            try rollBackReservation(document)
            repairs += 1
        }
        // Cancellations whose stock return was interrupted: finish it (idempotent by marker).
        let cancelled = try mongo { () throws(MongoError) in
            try orders.find(["status": .string(OrderStatus.cancelled.rawValue), "restock": "pending", "lease_until": ["$lt": now]])
        }
        for document in cancelled {
            try releaseStock(of: Stored.order(from: document).order)
            repairs += 1
        }
        // Markers whose order is finished: drop them (stock stays as it is).
        let marked = try mongo { () throws(MongoError) in
            try products.find(["$or": [["holds.0": ["$exists": true]], ["releases.0": ["$exists": true]]]])
        }
        for product in marked {
            guard let productID = product["_id"]?.stringValue else { continue }
            for hold in (product["holds"]?.arrayValue ?? []).compactMap(\.documentValue) {
                guard let orderID = hold["order"]?.stringValue else { continue }
                let order = try findOrderDocument(["_id": .string(orderID)])
                if order == nil {
                    try returnHold(order: orderID, product: productID)
                    repairs += 1
                } else if order?["status"]?.stringValue != Stored.reserving {
                    _ = try mongo { () throws(MongoError) in
                        try products.updateOne(["_id": .string(productID)], ["$pull": ["holds": ["order": .string(orderID)]]])
                    }
                }
            }
            for release in product["releases"]?.arrayValue ?? [] {
                guard let orderID = release.stringValue else { continue }
                let order = try findOrderDocument(["_id": .string(orderID)])
                if order?["restock"]?.stringValue != "pending" {
                    _ = try mongo { () throws(MongoError) in
                        try products.updateOne(["_id": .string(productID)], ["$pull": ["releases": release]])
                    }
                }
            }
        }
        if repairs > 0 { log("store.recovered", ["repairs": String(repairs)]) }
        return repairs
    }
}
