import Foundation

/// One way a run's outcome differs from the scenario's expectation, readable on its own.
public enum Difference: Sendable, Hashable, CustomStringConvertible {
    case runFailed(String)
    case stock(product: String, actual: Int64?, expected: Int64)
    case missingOrder(OrderSummary)
    case unexpectedOrder(id: String, OrderSummary)
    /// An expected order found (by id, or by its items or address) with a field that differs.
    case orderField(id: String, field: String, actual: String, expected: String)
    case writes([String])
    case missingFact([String])
    /// The scenario itself could not be applied (a placeholder left unbound).
    case scenario(String)

    public var description: String {
        switch self {
        case .runFailed(let message):
            return "the run failed: \(message)"
        case .stock(let product, let actual, let expected):
            guard let actual else { return "product \(product) is missing (expected stock \(expected))" }
            return "stock of \(product) is \(actual), expected \(expected)"
        case .missingOrder(let order):
            return "missing order: \(order)"
        case .unexpectedOrder(let id, let order):
            return "unexpected order \(id): \(order)"
        case .orderField(let id, let field, let actual, let expected):
            return "order \(id): \(field) is \(actual), expected \(expected)"
        case .writes(let tools):
            return "nothing may be written, but the run called \(tools.joined(separator: ", "))"
        case .missingFact(let alternatives):
            let shown = alternatives.prefix(4).map { "'\($0)'" }.joined(separator: ", ")
            let more = alternatives.count > 4 ? ", …" : ""
            return alternatives.count == 1 ? "the answer does not state \(shown)" : "the answer states none of \(shown)\(more)"
        case .scenario(let message):
            return "scenario error: \(message)"
        }
    }
}

/// An order's content as the differences show it: `prod1 ×2, prod2 ×1 to '9 Pine St', pending`.
public struct OrderSummary: Sendable, Hashable, CustomStringConvertible {
    public var items: [String: Int64]
    public var address: String
    public var status: String

    public var description: String { "\(OrderSummary.items(items)) to '\(address)', \(status)" }

    static func items(_ items: [String: Int64]) -> String {
        items.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
    }
}

/// Compares a run's outcome with the expectation: the database's end state first, then what the
/// run did and said. An empty list is a pass.
public enum Judge {
    public static func judge(_ expectation: ScenarioExpectation, setupBindings: [String: String], observation: Observation) -> [Difference] {
        var differences: [Difference] = []
        if let failure = observation.failure { differences.append(.runFailed(failure)) }

        for (product, expected) in expectation.stock.sorted(by: { $0.key < $1.key }) {
            let actual = observation.stock[product]
            if actual != expected { differences.append(.stock(product: product, actual: actual, expected: expected)) }
        }

        let (orderDifferences, newBindings) = compareOrders(expectation.orders, setupBindings: setupBindings,
                                                            actual: observation.orders)
        differences += orderDifferences

        if expectation.noWrites, !observation.writes.isEmpty { differences.append(.writes(observation.writes)) }

        let bindings = setupBindings.merging(newBindings) { first, _ in first }
        for fact in expectation.answerFacts {
            var alternatives: [String] = []
            var unresolved = false
            for alternative in fact {
                do { alternatives.append(try Placeholders.fill(alternative, bindings)) } catch { unresolved = true }
            }
            // A fact about an order that is missing: the missing order is already reported.
            if unresolved, alternatives.isEmpty { continue }
            if !alternatives.contains(where: { Facts.states(observation.answer, $0) }) {
                differences.append(.missingFact(alternatives))
            }
        }
        return differences
    }

    /// Orders with an id are looked up by id. The others are matched to the remaining orders:
    /// first exactly (items, address, status), then, for what is left, to an order with the same
    /// items or address (its other fields are reported), then the rest are missing or unexpected.
    /// Returns the differences and the ids bound to the matched orders' `bind` names.
    static func compareOrders(_ expected: [ExpectedOrder], setupBindings: [String: String],
                              actual: [ActualOrder]) -> ([Difference], [String: String]) {
        var differences: [Difference] = []
        var bindings: [String: String] = [:]
        var remaining = actual
        var unbound: [ExpectedOrder] = []

        for order in expected {
            guard let template = order.id else {
                unbound.append(order)
                continue
            }
            let id: String
            do { id = try Placeholders.fill(template, setupBindings) } catch {
                differences.append(.scenario("expect.orders id \(template): \(error)"))
                continue
            }
            guard let index = remaining.firstIndex(where: { $0.id == id }) else {
                differences.append(.missingOrder(summary(order)))
                continue
            }
            differences += fieldDifferences(order, remaining.remove(at: index))
        }

        // Exact matches.
        var leftover: [ExpectedOrder] = []
        for order in unbound {
            if let index = remaining.firstIndex(where: { fieldDifferences(order, $0).isEmpty }) {
                let match = remaining.remove(at: index)
                if let name = order.bind { bindings[name] = match.id }
            } else {
                leftover.append(order)
            }
        }

        // Near matches: the best-scoring pairs first.
        var pairs: [(score: Int, expected: Int, actual: Int)] = []
        for (e, order) in leftover.enumerated() {
            for (a, candidate) in remaining.enumerated() {
                let score = (order.items == candidate.items ? 4 : 0)
                    + (Facts.sameAddress(order.address, candidate.address) ? 2 : 0)
                    + (order.status.rawValue == candidate.status ? 1 : 0)
                if score >= 2 { pairs.append((score, e, a)) }
            }
        }
        pairs.sort { ($0.score, -$0.expected, -$0.actual) > ($1.score, -$1.expected, -$1.actual) }
        var pairedExpected = Set<Int>(), pairedActual = Set<Int>()
        for pair in pairs where !pairedExpected.contains(pair.expected) && !pairedActual.contains(pair.actual) {
            pairedExpected.insert(pair.expected)
            pairedActual.insert(pair.actual)
            let order = leftover[pair.expected], match = remaining[pair.actual]
            differences += fieldDifferences(order, match)
            if let name = order.bind { bindings[name] = match.id }
        }
        for (e, order) in leftover.enumerated() where !pairedExpected.contains(e) {
            differences.append(.missingOrder(summary(order)))
        }
        for (a, order) in remaining.enumerated() where !pairedActual.contains(a) {
            differences.append(.unexpectedOrder(id: order.id, OrderSummary(items: order.items, address: order.address, status: order.status)))
        }
        return (differences, bindings)
    }

    static func fieldDifferences(_ expected: ExpectedOrder, _ actual: ActualOrder) -> [Difference] {
        var out: [Difference] = []
        if expected.items != actual.items {
            out.append(.orderField(id: actual.id, field: "items", actual: OrderSummary.items(actual.items),
                                   expected: OrderSummary.items(expected.items)))
        }
        if !Facts.sameAddress(expected.address, actual.address) {
            out.append(.orderField(id: actual.id, field: "address", actual: "'\(actual.address)'", expected: "'\(expected.address)'"))
        }
        if expected.status.rawValue != actual.status {
            out.append(.orderField(id: actual.id, field: "status", actual: actual.status, expected: expected.status.rawValue))
        }
        return out
    }

    static func summary(_ order: ExpectedOrder) -> OrderSummary {
        OrderSummary(items: order.items, address: order.address, status: order.status.rawValue)
    }
}

/// How text is compared: answers and addresses are written by a model, so case, spacing and a
/// final full stop do not count.
public enum Facts {
    /// Whether `answer` states `fact`: case-insensitively, and as a whole word or number (`10` is
    /// not found in `100`, `prod1` not in `prod10`). Curly apostrophes count as straight ones.
    public static func states(_ answer: String, _ fact: String) -> Bool {
        let text = normalise(answer), needle = normalise(fact)
        guard !needle.isEmpty else { return true }
        var searchStart = text.startIndex
        while let range = text.range(of: needle, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let opensWord = needle.first.map(isWordCharacter) ?? false
            let closesWord = needle.last.map(isWordCharacter) ?? false
            if !(opensWord && before.map(isWordCharacter) == true), !(closesWord && after.map(isWordCharacter) == true) {
                return true
            }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }

    /// Addresses are the same up to case, runs of spaces and a trailing full stop or comma.
    public static func sameAddress(_ a: String, _ b: String) -> Bool { addressKey(a) == addressKey(b) }

    static func addressKey(_ address: String) -> String {
        var key = address.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        while let last = key.last, ".,".contains(last) { key.removeLast() }
        return key
    }

    private static func normalise(_ text: String) -> String {
        text.lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
    }

    private static func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber }
}
