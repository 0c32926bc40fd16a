/// A string format that both renders as a JSON Schema `pattern` and is checked by Swift code, so
/// that what clients are told and what the server enforces cannot drift apart.
public struct StringPattern: Sendable {
    public let regex: String
    /// Said to a client whose value does not match, e.g. "1–64 characters from A–Z a–z 0–9 . _ : -".
    public let hint: String
    public let matches: @Sendable (String) -> Bool

    public init(regex: String, hint: String, matches: @escaping @Sendable (String) -> Bool) {
        self.regex = regex
        self.hint = hint
        self.matches = matches
    }
}

/// The subset of JSON Schema (2020-12) the tools use, as data: it renders the schema published in
/// `tools/list` and validates arguments against that same schema.
public indirect enum JSONSchema: Sendable {
    case object(properties: [Property], required: [String] = [], additionalProperties: Bool = false,
                description: String? = nil)
    case array(items: JSONSchema, minItems: Int? = nil, maxItems: Int? = nil, description: String? = nil)
    /// `examples`: sample values, published as JSON Schema's `examples` annotation (kept out of the
    /// description so that a client can leave them out for a model that would copy them).
    case string(minLength: Int? = nil, maxLength: Int? = nil, pattern: StringPattern? = nil,
                enumeration: [String]? = nil, format: String? = nil, description: String? = nil, examples: [String] = [])
    case integer(minimum: Int64? = nil, maximum: Int64? = nil, nonZero: Bool = false, description: String? = nil)
    case number(minimum: Double? = nil, description: String? = nil)
    case boolean(description: String? = nil)

    public struct Property: Sendable {
        public let name: String
        public let schema: JSONSchema
        public init(_ name: String, _ schema: JSONSchema) {
            self.name = name
            self.schema = schema
        }
    }
}

// MARK: - Rendering

extension JSONSchema {
    /// The schema as JSON, for `tools/list`.
    public var json: JSONValue {
        var out = JSONObject()
        switch self {
        case .object(let properties, let required, let additional, let description):
            out["type"] = "object"
            if let description { out["description"] = .string(description) }
            var props = JSONObject()
            for property in properties { props[property.name] = property.schema.json }
            out["properties"] = .object(props)
            if !required.isEmpty { out["required"] = .array(required.map { .string($0) }) }
            if !additional { out["additionalProperties"] = false }
        case .array(let items, let minItems, let maxItems, let description):
            out["type"] = "array"
            if let description { out["description"] = .string(description) }
            out["items"] = items.json
            if let minItems { out["minItems"] = .int(Int64(minItems)) }
            if let maxItems { out["maxItems"] = .int(Int64(maxItems)) }
        case .string(let minLength, let maxLength, let pattern, let enumeration, let format, let description, let examples):
            out["type"] = "string"
            if let description { out["description"] = .string(description) }
            if !examples.isEmpty { out["examples"] = .array(examples.map { .string($0) }) }
            if let enumeration { out["enum"] = .array(enumeration.map { .string($0) }) }
            if let minLength { out["minLength"] = .int(Int64(minLength)) }
            if let maxLength { out["maxLength"] = .int(Int64(maxLength)) }
            if let pattern { out["pattern"] = .string(pattern.regex) }
            if let format { out["format"] = .string(format) }
        case .integer(let minimum, let maximum, let nonZero, let description):
            out["type"] = "integer"
            if let description { out["description"] = .string(description) }
            if let minimum { out["minimum"] = .int(minimum) }
            if let maximum { out["maximum"] = .int(maximum) }
            if nonZero { out["not"] = ["const": 0] }
        case .number(let minimum, let description):
            out["type"] = "number"
            if let description { out["description"] = .string(description) }
            if let minimum { out["minimum"] = .double(minimum) }
        case .boolean(let description):
            out["type"] = "boolean"
            if let description { out["description"] = .string(description) }
        }
        return .object(out)
    }
}

// MARK: - Validation

/// One way in which a value does not match its schema, phrased so that a language model can fix
/// its call: where (`items[1].quantity`), what was wrong, and what is allowed.
public struct SchemaViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension JSONSchema {
    /// Checks `value` and returns the first violation, or nil when it conforms.
    public func validate(_ value: JSONValue, at path: String = "") -> SchemaViolation? {
        func fail(_ message: String) -> SchemaViolation { SchemaViolation(path: path, message: message) }
        func join(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        switch self {
        case .object(let properties, let required, let additional, _):
            guard case .object(let object) = value else { return fail("must be an object, got \(describe(value))") }
            if !additional {
                let allowed = properties.map(\.name)
                for key in object.keys where !allowed.contains(key) {
                    let list = allowed.map { "'\($0)'" }.joined(separator: ", ")
                    return SchemaViolation(path: join(truncate(key, to: 40)),
                                           message: "unknown field '\(truncate(key))'; allowed fields: \(list)")
                }
            }
            for name in required where object[name] == nil {
                return SchemaViolation(path: join(name), message: "is required but missing")
            }
            for property in properties {
                guard let child = object[property.name] else { continue }
                if let violation = property.schema.validate(child, at: join(property.name)) { return violation }
            }
            return nil

        case .array(let items, let minItems, let maxItems, _):
            guard case .array(let array) = value else { return fail("must be an array, got \(describe(value))") }
            if let minItems, array.count < minItems { return fail("must have at least \(minItems) item(s), got \(array.count)") }
            if let maxItems, array.count > maxItems { return fail("must have at most \(maxItems) items, got \(array.count)") }
            for (offset, item) in array.enumerated() {
                if let violation = items.validate(item, at: "\(path)[\(offset)]") { return violation }
            }
            return nil

        case .string(let minLength, let maxLength, let pattern, let enumeration, _, _, _):
            guard case .string(let string) = value else { return fail("must be a string, got \(describe(value))") }
            if let enumeration, !enumeration.contains(string) {
                return fail("must be one of \(enumeration.map { "'\($0)'" }.joined(separator: ", ")), got '\(truncate(string))'")
            }
            let length = string.unicodeScalars.count
            if let minLength, length < minLength {
                return fail(minLength == 1 ? "must not be empty" : "must be at least \(minLength) characters long")
            }
            if let maxLength, length > maxLength { return fail("must be at most \(maxLength) characters long, got \(length)") }
            if let pattern, !pattern.matches(string) {
                return fail("'\(truncate(string))' is not valid: use \(pattern.hint)")
            }
            return nil

        case .integer(let minimum, let maximum, let nonZero, _):
            guard let integer = value.integerValue else { return fail("must be an integer, got \(describe(value))") }
            if let minimum, let maximum, integer < minimum || integer > maximum {
                return fail("must be an integer from \(minimum) to \(maximum), got \(integer)")
            }
            if let minimum, integer < minimum { return fail("must be at least \(minimum), got \(integer)") }
            if let maximum, integer > maximum { return fail("must be at most \(maximum), got \(integer)") }
            if nonZero, integer == 0 { return fail("must not be 0") }
            return nil

        case .number(let minimum, _):
            let number: Double
            switch value {
            case .int(let i): number = Double(i)
            case .double(let d) where d.isFinite: number = d
            default: return fail("must be a number, got \(describe(value))")
            }
            if let minimum, number < minimum { return fail("must be at least \(minimum)") }
            return nil

        case .boolean:
            guard case .bool = value else { return fail("must be true or false, got \(describe(value))") }
            return nil
        }
    }
}

/// A short description of a value for error messages: its type, and the value itself when small.
func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool(let b): return "boolean \(b)"
    case .int(let i): return "integer \(i)"
    case .double(let d): return d.isFinite ? "number \(d)" : "a number out of range"
    case .string(let s): return "string '\(truncate(s))'"
    case .array(let a): return "an array of \(a.count) item(s)"
    case .object(let o):
        let text = JSONWriter.string(.object(o))
        return text.count <= 60 ? "object \(text)" : "an object"
    }
}

/// Cuts long client text in error messages, escaping control characters: the message must stay
/// readable, one line, and bounded whatever the client sent.
func truncate(_ text: String, to limit: Int = 60) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit { return out + "…" }
        if scalar.value < 0x20 || scalar.value == 0x7F {
            out += "\\u{" + String(scalar.value, radix: 16) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
        count += 1
    }
    return out
}
