import JSON

/// The values a sub-agent's write must take from the user's request: every quantity of a
/// `create_order` and its address, the size of an `update_stock` delta and a word asking for its
/// sign (a write-off, a restock), and a word asking for an `update_delivery_status`'s status
/// ("ship" for in_transit, "cancel", "delivered"). A small model made
/// them up where the request did not give them: it ordered the 10 Laptops available to "Our
/// warehouse" when 12 to 9 Pine St were short, placed an order to "123 Main St" for a write-off,
/// and wrote off 1 Monitor of the two the request named. Such a call is not made, and the model is
/// told what the request does give.
///
/// The check is loose on purpose: a number anywhere in the request (in digits or as a word; "a
/// Laptop" is 1 for an order) is a quantity it gives, an address is one if its words appear in it in
/// order, whatever the case and punctuation, and a status is asked for if one of its words is
/// anywhere in the request ("do not ship" too). It catches invented writes, not every misreading.
/// A refusal says what the request does give: the one number, status or earlier address it can
/// mean.
///
/// The checks that read words (quantities, a stock change's sign and size, statuses) stand aside
/// for a request that does not read as English (`readsAsEnglish`): they cannot tell what it asks,
/// and refusing would stand between the model and a right call for anyone writing in another
/// language. The address check reads no words of a language and always applies.
struct RequestGrounding: Sendable {
    /// The numbers the request states, in digits or words.
    let numbers: Set<Int64>
    /// Whether it says "a", "an" or "single", which is 1 for an order's line ("a Laptop") but no
    /// stock change (told "a refund instead of a new shipment", a small manager wrote off 1).
    private let saysOne: Bool
    private let words: [String]

    /// `catalogue`: the product ids there are, to find those the request names (`products`).
    init(_ request: String, catalogue: [String] = []) {
        let text = Self.unescaped(request)
        let words = Self.words(text)
        self.words = words
        products = catalogue.filter { Self.holds(words, Self.words($0)) }
        var orders: [String] = []
        for match in text.matches(of: /ord_[A-Za-z0-9]+/) where !orders.contains(String(match.output)) {
            orders.append(String(match.output))
        }
        self.orders = orders
        var numbers = Set<Int64>()
        var previousTens: Int64?
        let counted = Self.words(Self.countable(text))
        for (index, token) in counted.enumerated() {
            let value = token.allSatisfy(\.isASCII) ? Int64(token) : nil
            let word = Self.numberWords[token]
            if let value = value ?? word { numbers.insert(value) }
            if let tens = previousTens, let unit = word, unit < 10 { numbers.insert(tens + unit) }  // "twenty-five"
            previousTens = word.flatMap { $0 >= 20 && $0 % 10 == 0 && $0 < 100 ? $0 : nil }
            // "half a dozen", "half-dozen": half the number after it.
            if let count = word, count % 2 == 0, counted[max(0, index - 2)..<index].contains("half") { numbers.insert(count / 2) }
        }
        self.numbers = numbers
        saysOne = words.contains { ["a", "an", "single"].contains($0) }
        var requested: [String] = []
        for (index, word) in words.enumerated() {
            guard let status = Self.commandWords[word], !requested.contains(status),
                  !words[max(0, index - 2)..<index].contains(where: Self.negations.contains) else { continue }
            requested.append(status)
        }
        requestedStatuses = requested
        readsAsEnglish = Self.readsAsEnglish(words)
        asksOnlyQuestions = Self.asksOnlyQuestions(text)
    }

    /// Whether every sentence of the request ends with a question mark (of any script): it asks
    /// for no change. The word checks' stand-in, in part, where they cannot read the request.
    let asksOnlyQuestions: Bool

    private static func asksOnlyQuestions(_ text: String) -> Bool {
        let questionMarks: Set<Character> = ["?", "？", "؟"]
        let otherEnds: Set<Character> = [".", "!", "。", "！", "\n"]
        var sentences = 0
        var inSentence = false  // letters since the last sentence end
        for character in text {
            if character.isLetter { inSentence = true }
            guard questionMarks.contains(character) || otherEnds.contains(character) else { continue }
            if inSentence {
                guard questionMarks.contains(character) else { return false }
                sentences += 1
            }
            inSentence = false
        }
        return sentences > 0 && !inSentence  // a last sentence without a mark is no question
    }

    /// Whether the word checks can read the request: at least a third of its words of two letters
    /// or more (ids and numbers aside) are common English words or the checks' own. Product names
    /// count against it, in any language, so a terse "Order 12 Laptops to 9 Pine St." needs its
    /// "order" and "to"; a Dutch request with "is" and "monitor" in it is still not English.
    let readsAsEnglish: Bool

    private static func readsAsEnglish(_ words: [String]) -> Bool {
        let letterWords = words.filter { $0.count >= 2 && $0.allSatisfy(\.isLetter) }
        guard !letterWords.isEmpty else { return true }  // nothing to misread
        let known = letterWords.filter(checkedVocabulary.contains).count
        return known * 3 >= letterWords.count
    }

    /// The catalogue's product ids the request names, as whole words.
    let products: [String]

    /// The products the request names that no order of `done` has, once an order is made (none
    /// before: a restock names products too): a small manager sent two orders as one task, and
    /// its orders agent made the first.
    func productsInNoOrder(done: [Write]) -> [String] {
        let made = done.filter { $0.tool == "create_order" }
        guard !made.isEmpty else { return [] }
        let ordered = Set(made.flatMap { ($0.result["items"]?.arrayValue ?? []).compactMap { $0["product_id"]?.stringValue } })
        return products.filter { !ordered.contains($0) }
    }

    /// The statuses the request tells us to set, by a command word not negated ("Ship order
    /// ord_…", "cancel it"; not "do not ship", nor "waiting to be shipped"), in order.
    let requestedStatuses: [String]

    /// The order ids the request names ("ord_…", as the ToolServer makes them), in order.
    let orders: [String]

    /// The requested statuses no write has set yet (`done`: the instruction's writes) on an order
    /// the request names, for the manager: a small one looked up the orders it was told to ship
    /// and then answered; told only that nothing was shipped yet, it shipped the order it had just
    /// created instead of the one named. When the request names no order, the orders made for it
    /// ("order … and ship it": a small manager answered once the order was made); none before one
    /// is made (told "ship it" after a stock check, a small manager shipped an order it had not
    /// made, as "1").
    func statusesNotSet(done: [Write]) -> [String] {
        let orders = ordersToSet(done: done)
        guard !orders.isEmpty else { return [] }
        return requestedStatuses.filter { status in
            !done.contains { write in
                write.result["status"]?.stringValue == status && orders.contains(write.result["order_id"]?.stringValue ?? "")
            }
        }
    }

    /// The orders the requested statuses are for: those the request names, else those made for it.
    func ordersToSet(done: [Write]) -> [String] {
        guard orders.isEmpty else { return orders }
        return done.filter { $0.tool == "create_order" }.compactMap { $0.result["order_id"]?.stringValue }
    }

    /// Why the call's values are not the request's (nil: they are, or the tool takes none).
    /// `earlier`: the arguments of the instruction's earlier calls of the tool, whose address a
    /// refusal offers when it is the request's (an orders agent that had "50 King St" right, then
    /// fixed a product id, wrote "{delivery_address}" four times). Each refusal's first sentence
    /// says what cannot be done, as the answer's `Failed:` line quotes it.
    func violation(tool: String, arguments: JSONValue, earlier: [JSONValue] = []) -> String? {
        if ["create_order", "update_delivery_status", "update_stock"].contains(tool), let refusal = onlyQuestions(tool) { return refusal }
        switch tool {
        case "create_order":
            // (Two words at least: an orders agent given its order again placed another to "Laptop".)
            if let address = arguments["delivery_address"]?.stringValue, Self.words(address).count < 2 || !contains(address) {
                // (Not quoted: text the model wrote may be a stored address, which reaches a model
                // only as data. An earlier address is, as the request's words.)
                let known = earlier.compactMap { $0["delivery_address"]?.stringValue }.compactMap(quoted).last
                return "cannot place this order: its delivery_address is not in the user's request."
                    + (known.map { " Did you mean delivery_address \($0), as in an earlier create_order?" } ?? "")
                    + " Copy the address exactly from the request; never make one up. Nothing was changed."
            }
            guard readsAsEnglish else { break }
            for (offset, line) in (arguments["items"]?.arrayValue ?? []).enumerated() {
                if let quantity = line["quantity"]?.integerValue, !numbers.contains(quantity), !(quantity == 1 && saysOne) {
                    return "cannot order quantity \(quantity) (items[\(offset)]): it is not a number in the user's request, which "
                        + "\(given). Order exactly what the request asks; if that cannot be done, report why instead. "
                        + "Nothing was changed."
                }
            }
        case "update_delivery_status":
            if readsAsEnglish, let status = arguments["status"]?.stringValue, let asking = Self.statusWords[status], !asks(asking),
               !isOnTheWayToDelivered(status, orderID: arguments["order_id"]?.stringValue) {
                // The one the request does ask for, if one, and it names one order at most: told
                // only "not delivered", a small delivery agent asked for it four times; but for
                // "ord_A was delivered, ord_B is still on its way", it set ord_B delivered.
                let asked = Self.statusWords.filter { $0.key != status && asks($0.value) }.map(\.key)
                return "cannot set \(status): the user's request does not ask for it (it says none of "
                    + asking.sorted().joined(separator: ", ") + ")."
                    + (asked.count == 1 && orders.count <= 1 ? " Did you mean status \(asked[0])?" : "")
                    + " Change only what the request asks for; if that is done, give your final answer. Nothing was changed."
            }
        case "update_stock":
            guard readsAsEnglish, let delta = arguments["delta"]?.integerValue else { break }
            if delta != 0, !asks(delta < 0 ? Self.writeOffWords : Self.restockWords) {
                // A number alone is no reason: for "Order 1 Monitor (prod4) … and ship it", a small
                // manager had the stock taken by hand as well (delta -1).
                let kind = delta < 0 ? "write-off (it says nothing like written off, damaged, lost)"
                    : "restock (it says nothing like restock, received, add, returned)"
                return "cannot change stock by \(delta): the user's request asks for no \(kind). update_stock is only for restocks and "
                    + "write-offs: create_order takes the stock itself, and cancelling an order returns it. Nothing was changed."
            }
            if !numbers.contains(Int64(clamping: delta.magnitude)) {
                // With one number to take, the call it is: told only "the request states 2", a small
                // model wrote off 1 again, then 0.
                let meant = numbers.count == 1 ? numbers.first.map { " Did you mean delta \(delta < 0 ? -$0 : $0)?" } ?? "" : ""
                return "cannot change stock by \(delta): that is not a quantity in the user's request, which \(given).\(meant) "
                    + "update_stock changes stock only by a quantity the request states; if it states none, report that instead. "
                    + "Nothing was changed."
            }
        default:
            break
        }
        return nil
    }

    /// Why a stock may not be set to `level` (nil: it may): the level is not a number the request
    /// states, nor 0 for a request that asks for a write-off ("write all of them off"). Like the
    /// other word checks it stands aside for a request that does not read as English.
    func violation(settingStockTo level: Int64) -> String? {
        if let refusal = onlyQuestions("update_stock") { return refusal }
        guard readsAsEnglish, !numbers.contains(level), !(level == 0 && asks(Self.writeOffWords)) else { return nil }
        return "cannot set the stock to \(level): that is not a number in the user's request, which \(given). Set only a level "
            + "the request states; if it states none, report that instead. Nothing was changed."
    }

    /// Why `tool`, a write, may not be called for a request the word checks cannot read whose every
    /// sentence is a question (nil: it may).
    private func onlyQuestions(_ tool: String) -> String? {
        guard !readsAsEnglish, asksOnlyQuestions else { return nil }
        return "cannot call \(tool): the user's request only asks questions (every sentence of it ends with a question mark), "
            + "so it asks for no change. Answer it with what the read tools show. Nothing was changed."
    }

    /// What to add when a call's arguments fail the tool's schema (nil: nothing): an address of
    /// the request given as an order id is one to look the order up by. Told only that "5 Oak St"
    /// did not match the id pattern, a small delivery agent gave up.
    func hint(forInvalid arguments: JSONValue) -> String? {
        guard let id = arguments["order_id"]?.stringValue, id.contains(" "), let address = quoted(id) else { return nil }
        return "\(address) is an address in the user's request, not an order id: find the order with list_orders "
            + "(delivery_address \(address)), then use its order_id."
    }

    /// What the request states, for a refusal: "states 2, 12" or "states no quantity".
    private var given: String {
        numbers.isEmpty ? "states no quantity" : "states " + numbers.sorted().map(String.init).joined(separator: ", ")
    }

    /// Whether `status` is the step to a delivery the request asks for (`StatusWalk`): in_transit,
    /// when it says "delivered" and names no order or only this one. With two orders named
    /// ("ord_a was delivered; ord_b is still on its way") the delivery may be the other's.
    private func isOnTheWayToDelivered(_ status: String, orderID: String?) -> Bool {
        status == "in_transit" && (Self.statusWords["delivered"].map(asks) ?? false) && deliveryIsOnlyFor(orderID)
    }

    /// Whether a delivery the request asks for can only be this order's: it names no order, or only
    /// this one. Told "ship ord_a; ord_b was delivered", a small manager delegated ord_a's delivery.
    func deliveryIsOnlyFor(_ orderID: String?) -> Bool {
        orders.isEmpty || orders == [orderID ?? ""]
    }

    /// Whether a word of the request is one of `statusWords`.
    private func asks(_ statusWords: Set<String>) -> Bool {
        words.contains(where: statusWords.contains)
    }

    /// A read's arguments without a filter the request does not give, and what to tell the model
    /// (nil: nothing to leave out). A small model filled `list_orders`' `delivery_address` with
    /// "None", an order id or an address of its own, and reported that there were no orders; it
    /// sent `list_products` a `low_stock_below` of 1 for "How many Keyboards do we have?" and
    /// reported 0. A read without the filter only shows more.
    func readWithoutUngroundedFilters(tool: String, arguments: JSONValue) -> (arguments: JSONValue, note: String)? {
        guard case .object(var object) = arguments else { return nil }
        switch tool {
        case "list_orders":
            guard let address = object["delivery_address"]?.stringValue, !contains(address) else { return nil }
            object["delivery_address"] = nil
            return (.object(object), "(The delivery_address you gave is not in the user's request, so it was left out: "
                + "these are the orders without it.)")
        case "list_products":
            guard let below = object["low_stock_below"]?.integerValue, !numbers.contains(below) else { return nil }
            object["low_stock_below"] = nil
            return (.object(object), "(The low_stock_below you gave is not a number in the user's request, so it was left out: "
                + "these are all the products.)")
        default:
            return nil
        }
    }

    /// `text` in double quotes, when its words are the request's: only its letters, digits,
    /// spaces and address punctuation, so that what a model wrote around them is not repeated.
    private func quoted(_ text: String) -> String? {
        guard contains(text) else { return nil }
        let kept = text.filter { $0.isLetter || $0.isNumber || " .,-#/'".contains($0) }
        return "\"" + kept.split(separator: " ").joined(separator: " ") + "\""
    }

    /// Whether `text`'s words appear in the request, in order and together.
    func contains(_ text: String) -> Bool {
        Self.holds(words, Self.words(text))
    }

    /// Whether `needle` is a run of `words`.
    private static func holds(_ words: [String], _ needle: [String]) -> Bool {
        guard !needle.isEmpty, needle.count <= words.count else { return false }
        return (0...(words.count - needle.count)).contains { start in
            words[start..<(start + needle.count)].elementsEqual(needle)
        }
    }

    /// The text with JSON's `\uXXXX` escapes read back: a request's data blocks write `<` as
    /// `\u003c` (see `UntrustedData`), and "u003c" is no word of the address.
    private static func unescaped(_ text: String) -> String {
        guard text.contains("\\u") else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: "\\u") {
            out += rest[..<range.lowerBound]
            let hex = rest[range.upperBound...].prefix(4)
            if hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
                rest = rest[hex.endIndex...]
            } else {
                out += rest[range]
                rest = rest[range.upperBound...]
            }
        }
        return out + rest
    }

    /// The text with its numbers that have a decimal part ("499.99", "2,5": a price or a measure,
    /// no count) left out, and those grouped in thousands ("1,000", "1.000") written as one: told
    /// "lower the price to 499.99", a small manager set the stock to 499.
    private static func countable(_ text: String) -> String {
        text.replacing(/\d+(?:[.,]\d+)+/) { match in
            let digits = String(match.output)
            return digits.wholeMatch(of: /\d{1,3}(?:[.,]\d{3})+/) != nil ? digits.filter(\.isNumber) : " "
        }
    }

    /// Lowercased runs of letters and digits: punctuation, spacing and JSON syntax do not count
    /// ("St." and "st;" are "st"; `"delivery_address":"456 Elm St"` holds "456 elm st").
    private static func words(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    }

    /// The words that ask for each status (as lowercased words of the request). A small manager
    /// shipped and then "delivered" an order it was only asked to create, and shipped an order
    /// for a write-off.
    private static let statusWords: [String: Set<String>] = [
        "in_transit": ["ship", "ships", "shipped", "shipping", "send", "sent", "dispatch", "dispatched", "transit"],
        "delivered": ["delivered"],
        "cancelled": ["cancel", "cancels", "cancelled", "canceled", "cancelling", "canceling", "cancellation"],
    ]

    /// The words that ask for a stock change, by its sign: a write-off and a restock.
    private static let writeOffWords: Set<String> = [
        "write", "written", "writing", "damaged", "broken", "lost", "stolen", "missing", "defective", "expired", "destroyed",
        "discard", "discarded", "scrap", "scrapped", "remove", "removed", "subtract", "reduce", "reduced", "decrease",
        "decreased", "fewer",
    ]
    private static let restockWords: Set<String> = [
        "restock", "restocked", "restocking", "receive", "received", "arrived", "add", "added", "delivery", "supplier",
        "replenish", "replenished", "return", "returned", "back", "increase", "increased", "more",
    ]

    /// The words that tell us to set a status: stricter than `statusWords`, as they prompt the
    /// manager to act.
    private static let commandWords: [String: String] = [
        "ship": "in_transit", "send": "in_transit", "dispatch": "in_transit", "cancel": "cancelled",
    ]

    /// Every word `readsAsEnglish` counts as English.
    private static let checkedVocabulary: Set<String> = englishWords.union(restockWords).union(writeOffWords)
        .union(commandWords.keys).union(statusWords.values.joined()).union(negations).union(numberWords.keys)

    /// The commonest English words, and the shop's.
    private static let englishWords: Set<String> = [
        "the", "and", "to", "of", "for", "in", "on", "at", "by", "with", "from", "into", "about", "after", "before", "then",
        "is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did", "can", "could", "will",
        "would", "should", "must", "may", "need", "needs", "want", "wants", "it", "its", "this", "that", "these", "those",
        "all", "any", "each", "every", "both", "some", "other", "another", "only", "just", "also", "now", "today", "still",
        "again", "yet", "already", "so", "but", "or", "if", "as", "up", "out", "off", "over", "how", "what", "which", "who",
        "when", "where", "why", "many", "much", "left", "new", "please", "thanks", "me", "my", "we", "our", "us", "you",
        "your", "they", "them", "their", "he", "she", "his", "her", "there", "here", "tell", "give", "show", "let", "make",
        "get", "got", "put", "set", "check", "confirm", "find", "look", "know", "see", "go", "going", "went", "come", "came",
        "order", "orders", "ordered", "stock", "stocks", "product", "products", "item", "items", "unit", "units", "customer",
        "customers", "address", "status", "number", "count", "place", "create", "update", "change", "mark", "move", "list",
        "level", "total", "price", "cost", "store", "shop", "warehouse", "way", "st", "rd", "ave", "street",
        "road", "lane",
    ]

    private static let negations: Set<String> = ["not", "don", "dont", "never", "no", "nor", "without"]

    private static let numberWords: [String: Int64] = {
        var words: [String: Int64] = ["pair": 2, "couple": 2, "dozen": 12, "hundred": 100]
        let units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                     "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
        for (value, word) in units.enumerated() { words[word] = Int64(value) }
        for (index, word) in ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"].enumerated() {
            words[word] = Int64(20 + 10 * index)
        }
        return words
    }()
}
