import TestSupport
import Foundation
import JSON

/// What a line on the server's stdout must be: one JSON-RPC 2.0 response (or, under 2025-03-26,
/// an array of them), and nothing else.
enum JSONRPCLine {
    /// Nil when `line` is a well-formed JSON-RPC 2.0 response or batch of responses; otherwise
    /// what is wrong with it.
    static func problem(_ line: [UInt8]) -> String? {
        let value: JSONValue
        do { value = try JSONParser.parse(line) } catch {
            return "not JSON (\(error)): \(String(decoding: line.prefix(200), as: UTF8.self))"
        }
        if case .array(let batch) = value {
            if batch.isEmpty { return "an empty array" }
            return batch.lazy.compactMap(problem(message:)).first
        }
        return problem(message: value)
    }

    static func problem(message value: JSONValue) -> String? {
        guard case .object(let object) = value else { return "not an object: \(JSONWriter.string(value).prefix(200))" }
        guard object["jsonrpc"] == "2.0" else { return "'jsonrpc' is not \"2.0\": \(JSONWriter.string(value).prefix(200))" }
        switch object["id"] {
        case .int?, .string?, .null?: break
        default: return "'id' missing or not an integer, string or null: \(JSONWriter.string(value).prefix(200))"
        }
        let allowed: Set<String> = ["jsonrpc", "id", "result", "error"]
        if let extra = object.keys.first(where: { !allowed.contains($0) }) { return "unexpected member '\(extra)'" }
        switch (object["result"], object["error"]) {
        case (.object?, nil):
            return object["id"] == .null ? "a result with a null id" : nil
        case (nil, .object(let error)?):
            guard error["code"]?.integerValue != nil, error["message"]?.stringValue != nil else {
                return "an error without an integer code and a string message"
            }
            return nil
        default:
            return "not exactly one of 'result' (an object) and 'error' (an object)"
        }
    }
}

/// A JSON Schema (2020-12) validator over `JSONValue` for the keywords the tools' schemas use, so
/// that tests check results against the schema the server *publishes* in `tools/list`, not against
/// its Swift definition. A keyword it does not know is reported as a violation, so that a schema
/// it cannot fully check never passes silently.
enum SchemaValidator {
    static let annotations: Set<String> = ["description", "title", "default", "examples", "$schema", "$comment"]

    static func violations(of value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let schema) = schema else {
            if schema == true { return [] }
            if schema == false { return ["\(path): the schema false accepts nothing"] }
            return ["\(path): schema is not an object"]
        }
        var found: [String] = []
        func fail(_ message: String) { found.append("\(path): \(message)") }

        for (keyword, rule) in schema {
            switch keyword {
            case _ where annotations.contains(keyword):
                continue
            case "type":
                let types = rule.arrayValue?.compactMap(\.stringValue) ?? [rule.stringValue ?? "?"]
                if !types.contains(where: { matches(value, type: $0) }) { fail("expected \(types.joined(separator: "|")), got \(value.typeName)") }
            case "properties":
                guard case .object(let object) = value, case .object(let properties) = rule else { continue }
                for (name, subschema) in properties {
                    if let child = object[name] { found += violations(of: child, against: subschema, at: "\(path).\(name)") }
                }
            case "required":
                guard case .object(let object) = value else { continue }
                for name in rule.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
                    fail("required member '\(name)' is missing")
                }
            case "additionalProperties":
                guard case .object(let object) = value else { continue }
                let known = Set(schema["properties"]?.objectValue?.keys ?? [])
                for (name, child) in object where !known.contains(name) {
                    found += violations(of: child, against: rule, at: "\(path).\(name)")
                }
            case "items":
                guard case .array(let array) = value else { continue }
                for (offset, item) in array.enumerated() { found += violations(of: item, against: rule, at: "\(path)[\(offset)]") }
            case "minItems":
                if case .array(let array) = value, let limit = rule.integerValue, array.count < limit { fail("fewer than \(limit) items") }
            case "maxItems":
                if case .array(let array) = value, let limit = rule.integerValue, array.count > limit { fail("more than \(limit) items") }
            case "enum":
                if !(rule.arrayValue ?? []).contains(value) { fail("\(JSONWriter.string(value)) is not in \(JSONWriter.string(rule))") }
            case "const":
                if !sameNumberOrValue(value, rule) { fail("must be \(JSONWriter.string(rule))") }
            case "not":
                if violations(of: value, against: rule, at: path).isEmpty { fail("must not match \(JSONWriter.string(rule))") }
            case "minimum":
                if let actual = numeric(value), let limit = numeric(rule), actual < limit { fail("\(actual) < minimum \(limit)") }
            case "maximum":
                if let actual = numeric(value), let limit = numeric(rule), actual > limit { fail("\(actual) > maximum \(limit)") }
            case "minLength":
                if case .string(let text) = value, let limit = rule.integerValue, text.unicodeScalars.count < limit { fail("shorter than \(limit)") }
            case "maxLength":
                if case .string(let text) = value, let limit = rule.integerValue, text.unicodeScalars.count > limit { fail("longer than \(limit)") }
            case "pattern":
                guard case .string(let text) = value, let pattern = rule.stringValue else { continue }
                guard let regex = try? NSRegularExpression(pattern: pattern) else { fail("bad pattern \(pattern)"); continue }
                let range = NSRange(text.startIndex..., in: text)
                if regex.firstMatch(in: text, range: range) == nil { fail("'\(text.prefix(60))' does not match \(pattern)") }
            case "format":
                guard case .string(let text) = value else { continue }
                if rule == "date-time", !isDateTime(text) { fail("'\(text)' is not an RFC 3339 date-time") }
            default:
                fail("keyword '\(keyword)' is not supported by the test validator")
            }
        }
        return found
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): true
        case ("integer", _): value.integerValue != nil
        case ("number", .int), ("number", .double): true
        default: false
        }
    }

    private static func numeric(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    private static func sameNumberOrValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = numeric(a), let y = numeric(b) { return x == y }
        return a == b
    }

    static func isDateTime(_ text: String) -> Bool {
        text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/) != nil
    }
}
