import Foundation
import JSON
import OrderDomain

/// A scenario file that cannot be used, with the place in it that is wrong.
public struct ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Scenario {
    /// Reads and checks a scenario: unknown fields, wrong types, an expected stock missing for a
    /// product, and placeholders that no earlier step binds are all refused, naming the field.
    public static func parse(_ json: JSONValue) throws(ScenarioError) -> Scenario {
        let root = try Fields(json, at: "the scenario", allowed: ["id", "title", "catalogue", "setup", "instruction", "expect", "reference"])
        let id = try root.string("id")
        guard id.count <= 60, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ScenarioError("id must be 1-60 letters, digits, '-', '_' or '.', got '\(id)'")
        }
        let catalogueJSON = try root.required("catalogue")
        let catalogue: [Product]
        do { catalogue = try Catalogue.parse(catalogueJSON) } catch { throw ScenarioError("catalogue: \(error.description)") }
        guard !catalogue.isEmpty else { throw ScenarioError("catalogue is empty") }

        // Names bound so far, for checking placeholders in order.
        var setupNames: Set<String> = []
        var setup: [ToolStep] = []
        for (index, step) in try root.array("setup", default: []).enumerated() {
            let parsed = try ToolStep.parse(step, at: "setup[\(index)]", allowError: false)
            try check(parsed.arguments, at: "setup[\(index)].arguments", known: setupNames)
            try bindName(parsed.bind, at: "setup[\(index)].bind", into: &setupNames)
            setup.append(parsed)
        }

        let instruction = try root.string("instruction")
        try check(instruction, at: "instruction", known: setupNames)

        let expectation = try ScenarioExpectation.parse(try root.required("expect"), catalogue: catalogue, setupNames: setupNames)

        let referenceFields = try Fields(try root.required("reference"), at: "reference", allowed: ["calls", "answer"])
        var referenceNames = setupNames
        var calls: [ToolStep] = []
        for (index, step) in try referenceFields.array("calls", default: []).enumerated() {
            let parsed = try ToolStep.parse(step, at: "reference.calls[\(index)]", allowError: true)
            try check(parsed.arguments, at: "reference.calls[\(index)].arguments", known: referenceNames)
            try bindName(parsed.bind, at: "reference.calls[\(index)].bind", into: &referenceNames)
            calls.append(parsed)
        }
        let answer = try referenceFields.string("answer")
        try check(answer, at: "reference.answer", known: referenceNames)

        return Scenario(id: id, title: try root.string("title"), catalogue: catalogue, setup: setup, instruction: instruction,
                        expectation: expectation, reference: Reference(calls: calls, answer: answer))
    }

    /// Parses a file's bytes.
    public static func parse(bytes: [UInt8]) throws(ScenarioError) -> Scenario {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch { throw ScenarioError("not valid JSON: \(error)") }
        return try parse(json)
    }
}

extension ToolStep {
    static func parse(_ json: JSONValue, at path: String, allowError: Bool) throws(ScenarioError) -> ToolStep {
        let fields = try Fields(json, at: path, allowed: allowError ? ["tool", "arguments", "bind", "expect_error"] : ["tool", "arguments", "bind"])
        let tool = try fields.string("tool")
        guard ToolNames.all.contains(tool) else {
            throw ScenarioError("\(path).tool: unknown tool '\(tool)'; the tools are \(ToolNames.all.sorted().joined(separator: ", "))")
        }
        let arguments = fields.optional("arguments") ?? [:]
        guard arguments.objectValue != nil else { throw ScenarioError("\(path).arguments must be an object") }
        return ToolStep(tool: tool, arguments: arguments, bind: try fields.optionalString("bind"),
                        expectError: try fields.optionalBool("expect_error") ?? false)
    }
}

extension ScenarioExpectation {
    static func parse(_ json: JSONValue, catalogue: [Product], setupNames: Set<String>) throws(ScenarioError) -> ScenarioExpectation {
        let fields = try Fields(json, at: "expect", allowed: ["stock", "orders", "answer_facts", "no_writes"])
        let stockFields = try Fields(try fields.required("stock"), at: "expect.stock", allowed: nil)
        var stock: [String: Int64] = [:]
        for (product, value) in stockFields.object {
            guard let units = value.integerValue, units >= 0 else {
                throw ScenarioError("expect.stock.\(product) must be an integer of at least 0")
            }
            stock[product] = units
        }
        let ids = Set(catalogue.map(\.id.rawValue))
        if let unknown = stock.keys.filter({ !ids.contains($0) }).sorted().first {
            throw ScenarioError("expect.stock.\(unknown): no such product in the catalogue")
        }
        if let missing = ids.subtracting(stock.keys).sorted().first {
            throw ScenarioError("expect.stock lacks \(missing): give every product's expected stock")
        }

        var orders: [ExpectedOrder] = []
        var names = setupNames
        for (index, entry) in try fields.array("orders", default: []).enumerated() {
            let path = "expect.orders[\(index)]"
            let order = try ExpectedOrder.parse(entry, at: path, products: ids)
            if let id = order.id {
                try check(id, at: "\(path).id", known: setupNames)
                guard Placeholders.uses(in: id).count == 1, id.hasPrefix("{"), id.hasSuffix("}") else {
                    throw ScenarioError("\(path).id must be one placeholder of a set-up order, like \"{order1}\"")
                }
            }
            try bindName(order.bind, at: "\(path).bind", into: &names)
            orders.append(order)
        }

        var facts: [[String]] = []
        for (index, entry) in try fields.array("answer_facts", default: []).enumerated() {
            let path = "expect.answer_facts[\(index)]"
            let alternatives: [String]
            if let single = entry.stringValue {
                alternatives = [single]
            } else if let list = entry.arrayValue, !list.isEmpty, list.allSatisfy({ $0.stringValue != nil }) {
                alternatives = list.compactMap(\.stringValue)
            } else {
                throw ScenarioError("\(path) must be a string or a non-empty list of strings (alternatives)")
            }
            for alternative in alternatives {
                guard !alternative.trimmingSpaces.isEmpty else { throw ScenarioError("\(path) has an empty alternative") }
                try check(alternative, at: path, known: names)
            }
            facts.append(alternatives)
        }
        return ScenarioExpectation(stock: stock, orders: orders, answerFacts: facts, noWrites: try fields.optionalBool("no_writes") ?? false)
    }
}

extension ExpectedOrder {
    static func parse(_ json: JSONValue, at path: String, products: Set<String>) throws(ScenarioError) -> ExpectedOrder {
        let fields = try Fields(json, at: path, allowed: ["id", "bind", "items", "address", "status"])
        let id = try fields.optionalString("id")
        let bind = try fields.optionalString("bind")
        guard id == nil || bind == nil else {
            throw ScenarioError("\(path): give either id (a set-up order) or bind (an order the run creates), not both")
        }
        let itemFields = try Fields(try fields.required("items"), at: "\(path).items", allowed: nil)
        var items: [String: Int64] = [:]
        for (product, value) in itemFields.object {
            guard products.contains(product) else { throw ScenarioError("\(path).items.\(product): no such product in the catalogue") }
            guard let quantity = value.integerValue, quantity >= 1 else {
                throw ScenarioError("\(path).items.\(product) must be an integer of at least 1")
            }
            items[product] = quantity
        }
        guard !items.isEmpty else { throw ScenarioError("\(path).items is empty") }
        let statusText = try fields.string("status")
        guard let status = OrderStatus(rawValue: statusText) else {
            throw ScenarioError("\(path).status '\(statusText)' is not one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return ExpectedOrder(id: id, bind: bind, items: items, address: try fields.string("address"), status: status)
    }
}

/// Every placeholder in `value` must name an id bound before this point.
private func check(_ value: JSONValue, at path: String, known: Set<String>) throws(ScenarioError) {
    for use in Placeholders.uses(in: value) {
        if let modifier = use.modifier, !Placeholders.modifiers.contains(modifier) {
            throw ScenarioError("\(path): \(PlaceholderError(use: use, text: "").description)")
        }
        guard known.contains(use.name) else {
            let bound = known.isEmpty ? "none" : known.sorted().joined(separator: ", ")
            throw ScenarioError("\(path): placeholder {\(use.name)} is not bound before this point (bound: \(bound))")
        }
    }
}

private func check(_ text: String, at path: String, known: Set<String>) throws(ScenarioError) {
    try check(JSONValue.string(text), at: path, known: known)
}

private func bindName(_ name: String?, at path: String, into names: inout Set<String>) throws(ScenarioError) {
    guard let name else { return }
    guard let first = name.first, first.isASCII, first.isLetter,
          name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
        throw ScenarioError("\(path): '\(name)' is not a name (a letter, then letters, digits or _)")
    }
    guard names.insert(name).inserted else { throw ScenarioError("\(path): '\(name)' is bound twice") }
}

/// An object whose fields are read with errors that name them; unknown fields are refused.
private struct Fields {
    let object: JSONObject
    let path: String

    init(_ json: JSONValue, at path: String, allowed: Set<String>?) throws(ScenarioError) {
        guard let object = json.objectValue else { throw ScenarioError("\(path) must be an object, got \(json.typeName)") }
        if let allowed, let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw ScenarioError("\(path): unknown field '\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        self.object = object
        self.path = path
    }

    private func name(_ key: String) -> String { path == "the scenario" ? key : "\(path).\(key)" }

    func optional(_ key: String) -> JSONValue? { object[key] }

    func required(_ key: String) throws(ScenarioError) -> JSONValue {
        guard let value = object[key] else { throw ScenarioError("\(name(key)) is missing") }
        return value
    }

    func string(_ key: String) throws(ScenarioError) -> String {
        let value = try required(key)
        guard let text = value.stringValue, !text.trimmingSpaces.isEmpty else {
            throw ScenarioError("\(name(key)) must be a non-empty string, got \(value.typeName)")
        }
        return text
    }

    func optionalString(_ key: String) throws(ScenarioError) -> String? {
        guard object[key] != nil else { return nil }
        return try string(key)
    }

    func optionalBool(_ key: String) throws(ScenarioError) -> Bool? {
        guard let value = object[key] else { return nil }
        guard let flag = value.boolValue else { throw ScenarioError("\(name(key)) must be true or false, got \(value.typeName)") }
        return flag
    }

    func array(_ key: String, default fallback: [JSONValue]) throws(ScenarioError) -> [JSONValue] {
        guard let value = object[key] else { return fallback }
        guard let list = value.arrayValue else { throw ScenarioError("\(name(key)) must be a list, got \(value.typeName)") }
        return list
    }
}

extension String {
    var trimmingSpaces: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
