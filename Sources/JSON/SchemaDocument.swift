/// Validation against a JSON Schema given as data (a tool's `inputSchema` as received over MCP),
/// for the subset the tools use: `type` (a name or a list of names), `properties`, `required`,
/// `additionalProperties` (false or a schema), `items`, `minItems`/`maxItems`,
/// `minimum`/`maximum`, `minLength`/`maxLength`, `pattern`, `enum`, `const` and `not`.
/// Unknown keywords are ignored, so a richer schema is checked as far as this subset goes.
/// Violations use the same wording as `JSONSchema.validate`, phrased for a language model.
public struct SchemaDocument: Sendable {
    public let json: JSONValue

    public init(_ json: JSONValue) { self.json = json }

    /// The first violation, or nil when `value` conforms (or the schema is not an object).
    public func validate(_ value: JSONValue) -> SchemaViolation? {
        Self.check(value, against: json, at: "")
    }

    private static func check(_ value: JSONValue, against schema: JSONValue, at path: String) -> SchemaViolation? {
        guard case .object(let schema) = schema else { return nil }  // `true` or junk: accept
        func fail(_ message: String) -> SchemaViolation { SchemaViolation(path: path, message: message) }
        func join(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        if let types = typeNames(schema["type"]), !types.contains(where: { matches(value, type: $0) }) {
            let expected = types.map(article).joined(separator: " or ")
            return fail("must be \(expected), got \(describe(value))")
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(where: { equal($0, value) }) {
            let list = options.map { $0.stringValue.map { "'\($0)'" } ?? JSONWriter.string($0) }.joined(separator: ", ")
            return fail("must be one of \(list), got \(describe(value))")
        }
        if let constant = schema["const"], !equal(constant, value) {
            return fail("must be \(JSONWriter.string(constant)), got \(describe(value))")
        }
        if let negated = schema["not"], check(value, against: negated, at: path) == nil, negated.objectValue?.isEmpty == false {
            if let constant = negated["const"] { return fail("must not be \(JSONWriter.string(constant))") }
            return fail("must not match \(JSONWriter.string(negated))")
        }

        switch value {
        case .object(let object):
            let properties = schema["properties"]?.objectValue ?? [:]
            let additional = schema["additionalProperties"]
            for key in object.keys where properties[key] == nil {
                if additional == .bool(false) {
                    let list = properties.keys.map { "'\($0)'" }.joined(separator: ", ")
                    return SchemaViolation(path: join(truncate(key, to: 40)),
                                           message: "unknown field '\(truncate(key))'; allowed fields: \(list)")
                }
                if let additional, let child = object[key],
                   let violation = check(child, against: additional, at: join(key)) { return violation }
            }
            for name in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where object[name] == nil {
                return SchemaViolation(path: join(name), message: "is required but missing")
            }
            for (name, childSchema) in properties {
                guard let child = object[name] else { continue }
                if let violation = check(child, against: childSchema, at: join(name)) { return violation }
            }
        case .array(let array):
            if let minItems = schema["minItems"]?.integerValue, array.count < minItems {
                return fail("must have at least \(minItems) item(s), got \(array.count)")
            }
            if let maxItems = schema["maxItems"]?.integerValue, array.count > maxItems {
                return fail("must have at most \(maxItems) items, got \(array.count)")
            }
            if let items = schema["items"] {
                for (offset, item) in array.enumerated() {
                    if let violation = check(item, against: items, at: "\(path)[\(offset)]") { return violation }
                }
            }
        case .string(let string):
            let length = string.unicodeScalars.count
            if let minLength = schema["minLength"]?.integerValue, length < minLength {
                return fail(minLength == 1 ? "must not be empty" : "must be at least \(minLength) characters long")
            }
            if let maxLength = schema["maxLength"]?.integerValue, length > maxLength {
                return fail("must be at most \(maxLength) characters long, got \(length)")
            }
            if let pattern = schema["pattern"]?.stringValue, let regex = try? Regex(pattern),
               (try? regex.firstMatch(in: string)) == nil {
                return fail("'\(truncate(string))' does not match the pattern \(pattern)")
            }
        case .int, .double:
            let number = numeric(value)
            let minimum = schema["minimum"].flatMap(numericOrNil)
            let maximum = schema["maximum"].flatMap(numericOrNil)
            if let minimum, let maximum, number < minimum || number > maximum {
                return fail("must be from \(show(minimum)) to \(show(maximum)), got \(show(number))")
            }
            if let minimum, number < minimum { return fail("must be at least \(show(minimum)), got \(show(number))") }
            if let maximum, number > maximum { return fail("must be at most \(show(maximum)), got \(show(number))") }
        default:
            break
        }
        return nil
    }

    private static func typeNames(_ type: JSONValue?) -> [String]? {
        switch type {
        case .string(let name)?: [name]
        case .array(let names)?: names.compactMap(\.stringValue)
        default: nil
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch type {
        case "object": value.objectValue != nil
        case "array": value.arrayValue != nil
        case "string": value.stringValue != nil
        case "integer": value.integerValue != nil
        case "number": numericOrNil(value) != nil
        case "boolean": value.boolValue != nil
        case "null": value == .null
        default: true
        }
    }

    private static func article(_ type: String) -> String {
        switch type {
        case "object", "array", "integer": "an \(type)"
        case "boolean": "true or false"
        case "null": "null"
        default: "a \(type)"
        }
    }

    /// JSON equality where 1 and 1.0 are the same number.
    private static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = numericOrNil(a), let y = numericOrNil(b) { return x == y }
        return a == b
    }

    private static func numericOrNil(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d) where d.isFinite: d
        default: nil
        }
    }

    private static func numeric(_ value: JSONValue) -> Double { numericOrNil(value) ?? .nan }

    private static func show(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
