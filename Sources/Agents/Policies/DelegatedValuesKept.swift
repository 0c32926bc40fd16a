import JSON

/// When the manager gave the call itself (see `DelegateTool.calls`), the agent's later writes of
/// that tool keep its values: the quantities, address, delta and status the manager took from the
/// request. Only ids may change, after a lookup (an order id that was not found, a product's name
/// where its id belongs). Structure, not words: it compares the agent's call with the manager's.
/// Small profile, sub-agents; the manager can delegate again with other values.
struct DelegatedValuesKept: AgentPolicy {
    let name = "delegated-values-kept"

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard call.isWrite, let delegated = run.delegated, delegated.name == call.name, let arguments = call.parsed,
              let schema = call.tool?.definition.parameters else { return .allow }
        let fields = Self.requiredFields(of: schema)
        let given = Self.values(delegated.arguments, fields: fields)
        let sent = Self.values(arguments, fields: fields)
        guard given != sent else { return .allow }
        let listed = Self.values(delegated.arguments, fields: fields, normalize: false).map { "\($0.field) \($0.value)" }
            .joined(separator: ", ")
        return .refused("not made: the manager's call gave \(listed), and your call must keep those values (only an id "
            + "you looked up may differ). Make the call with them, or give your final answer with the error. Nothing was changed.")
    }

    /// The names of the properties any `required` list of the schema names, ids left out.
    static func requiredFields(of schema: JSONValue) -> Set<String> {
        var out: Set<String> = []
        func visit(_ schema: JSONValue) {
            guard case .object(let object) = schema else { return }
            for name in object["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !name.hasSuffix("_id") {
                out.insert(name)
            }
            for (_, property) in object["properties"]?.objectValue ?? [:] { visit(property) }
            if let items = object["items"] { visit(items) }
        }
        visit(schema)
        return out
    }

    /// A value of a call, compared as a person reads it: case, spacing and a final period aside.
    struct Value: Hashable, Comparable {
        let field: String
        let value: String
        static func < (a: Value, b: Value) -> Bool { (a.field, a.value) < (b.field, b.value) }
    }

    /// The scalar values of `fields` in `arguments`, wherever they are (an order's lines too), sorted.
    static func values(_ arguments: JSONValue, fields: Set<String>, normalize: Bool = true) -> [Value] {
        var out: [Value] = []
        func visit(_ value: JSONValue, key: String?) {
            switch value {
            case .object(let object): for (name, child) in object { visit(child, key: name) }
            case .array(let elements): for element in elements { visit(element, key: key) }
            default:
                guard let key, fields.contains(key) else { return }
                out.append(Value(field: key, value: normalize ? normalized(value) : JSONWriter.string(value)))
            }
        }
        visit(arguments, key: nil)
        return out.sorted()
    }

    private static func normalized(_ value: JSONValue) -> String {
        guard let text = value.stringValue else { return JSONWriter.string(value) }
        var words = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        while words.hasSuffix(".") { words.removeLast() }
        return words
    }
}
