import OrderDomain

/// How products and orders are stored.
///
///     products: {_id, name, price_minor: int64, stock: int64, updated_at: date,
///                holds?: [{order, qty}], releases?: [order_id]}      // markers of the no-transaction path
///     orders:   {_id, status, lines: [{product_id, name, quantity, unit_price_minor}], total_minor,
///                delivery_address, idempotency_key?, created_at, updated_at,
///                history: [{status, at, note?}], lease_until?, restock?: "pending" | "done"}
///
/// An order whose `status` is `reserving` is still being created on the no-transaction path, and
/// one whose status is `rolling_back` is being undone; both are invisible to clients. Unfinished
/// work carries a lease (`lease_owner`, `lease_until`; see `LeaseRegistry`).
enum Stored {
    static let reserving = "reserving"
    static let rollingBack = "rolling_back"
    static let unfinishedStatuses: [BSON] = [.string(reserving), .string(rollingBack)]
    static let visibleStatuses: [BSON] = OrderStatus.allCases.map { .string($0.rawValue) }

    /// The `$regex` (with option "i") that matches the addresses `query` matches: its words, each
    /// literal, separated by any spacing, and an optional final period. Every ASCII character that
    /// is not a letter or digit is escaped (a backslash before one is always literal in PCRE), so
    /// typed text cannot become regex syntax.
    static func pattern(_ query: AddressQuery) -> String {
        let words = query.words.map { word in
            word.unicodeScalars.map { scalar in
                scalar.isASCII && !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) ? "\\\(scalar)" : "\(scalar)"
            }.joined()
        }
        return "^\\s*" + words.joined(separator: "\\s+") + "\\s*\\.?\\s*$"
    }

    static func productDocument(_ product: Product, now: Timestamp) -> BSONDocument {
        [
            "name": .string(product.name),
            "price_minor": .int64(product.price.minorUnits),
            "stock": .int64(product.stock),
            "updated_at": .datetime(now.millisecondsSince1970),
        ]
    }

    static func product(from document: BSONDocument) throws(OrderError) -> Product {
        guard let rawID = document["_id"]?.stringValue, let id = ProductID(rawID),
              let name = document["name"]?.stringValue,
              let price = document["price_minor"]?.integerValue,
              let stock = document["stock"]?.integerValue
        else {
            throw .storeFailure("a product document has an unexpected shape (\(document["_id"]?.stringValue ?? "no string _id"))")
        }
        return Product(id: id, name: name, price: Money(minorUnits: price), stock: stock)
    }

    static func historyEntry(_ entry: HistoryEntry) -> BSON {
        var document: BSONDocument = ["status": .string(entry.status.rawValue), "at": .datetime(entry.at.millisecondsSince1970)]
        if let note = entry.note { document["note"] = .string(note) }
        return .document(document)
    }

    static func orderDocument(_ order: Order, status: String, lease: BSONDocument? = nil) -> BSONDocument {
        var document: BSONDocument = [
            "_id": .string(order.id.rawValue),
            "status": .string(status),
            "lines": .array(order.lines.map { line in
                .document([
                    "product_id": .string(line.productID.rawValue),
                    "name": .string(line.name),
                    "quantity": .int64(line.quantity),
                    "unit_price_minor": .int64(line.unitPrice.minorUnits),
                ])
            }),
            "total_minor": .int64(order.total.minorUnits),
            "delivery_address": .string(order.deliveryAddress),
            "created_at": .datetime(order.createdAt.millisecondsSince1970),
            "updated_at": .datetime(order.updatedAt.millisecondsSince1970),
            "history": .array(order.history.map(historyEntry)),
        ]
        if let key = order.idempotencyKey { document["idempotency_key"] = .string(key) }
        for field in lease?.fields ?? [] { document[field.key] = field.value }
        return document
    }

    /// The order in `document`, with its status; unfinished orders (`reserving`, `rolling_back`)
    /// come back with status `pending` and `isUnfinished` set.
    static func order(from document: BSONDocument) throws(OrderError) -> (order: Order, isUnfinished: Bool) {
        func bad(_ what: String) -> OrderError {
            .storeFailure("order document \(document["_id"]?.stringValue ?? "?") has an unexpected \(what)")
        }
        guard let rawID = document["_id"]?.stringValue, let id = OrderID(rawID) else { throw bad("_id") }
        guard let rawStatus = document["status"]?.stringValue else { throw bad("status") }
        let isUnfinished = rawStatus == reserving || rawStatus == rollingBack
        guard let status = isUnfinished ? .pending : OrderStatus(rawValue: rawStatus) else { throw bad("status") }
        var lines: [OrderLine] = []
        for entry in document["lines"]?.arrayValue ?? [] {
            guard let line = entry.documentValue,
                  let rawProduct = line["product_id"]?.stringValue, let productID = ProductID(rawProduct),
                  let quantity = line["quantity"]?.integerValue,
                  let unitPrice = line["unit_price_minor"]?.integerValue
            else { throw bad("line") }
            lines.append(OrderLine(productID: productID, name: line["name"]?.stringValue ?? rawProduct,
                                   quantity: quantity, unitPrice: Money(minorUnits: unitPrice)))
        }
        var history: [HistoryEntry] = []
        for entry in document["history"]?.arrayValue ?? [] {
            guard let item = entry.documentValue, let raw = item["status"]?.stringValue,
                  let entryStatus = OrderStatus(rawValue: raw), let at = item["at"]?.datetimeValue
            else { continue }
            history.append(HistoryEntry(status: entryStatus, at: Timestamp(millisecondsSince1970: at),
                                        note: item["note"]?.stringValue))
        }
        let created = Timestamp(millisecondsSince1970: document["created_at"]?.datetimeValue ?? 0)
        let updated = Timestamp(millisecondsSince1970: document["updated_at"]?.datetimeValue ?? 0)
        let order = Order(id: id, status: status, lines: lines,
                          deliveryAddress: document["delivery_address"]?.stringValue ?? "",
                          idempotencyKey: document["idempotency_key"]?.stringValue,
                          createdAt: created, updatedAt: updated, history: history)
        return (order, isUnfinished)
    }
}
