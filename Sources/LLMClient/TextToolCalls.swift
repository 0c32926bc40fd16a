import JSON

/// Recovers tool calls that a model wrote as JSON text in its message instead of `tool_calls`,
/// as small open models often do: `{"name": "check_stock", "arguments": {…}}`, bare, in a
/// ```json fenced block, in `<tool_call>` tags, as a list, or one object per line. Only calls
/// naming an offered tool count, so ordinary JSON in an answer is left alone.
enum TextToolCalls {
    static func parse(_ content: String, offered: Set<String>) -> [ToolCall] {
        for candidate in candidates(content) {
            let calls = parseCandidate(candidate, offered: offered)
            if !calls.isEmpty {
                return calls.enumerated().map { offset, call in
                    ToolCall(id: "text_call_\(offset + 1)", name: call.name, arguments: call.arguments)
                }
            }
        }
        return []
    }

    /// The texts that may hold the JSON: the whole message, fenced blocks, tagged blocks.
    private static func candidates(_ content: String) -> [String] {
        var out = [content.trimmingWhitespace]
        out += blocks(in: content, open: "<tool_call>", close: "</tool_call>")
        var fenced: [String] = []
        for block in blocks(in: content, open: "```", close: "```") {
            // Drop a language tag on the fence line ("json").
            if let newline = block.firstIndex(of: "\n"), !block[..<newline].contains("{") {
                fenced.append(String(block[block.index(after: newline)...]))
            } else {
                fenced.append(block)
            }
        }
        return (out + fenced).map(\.trimmingWhitespace).filter { !$0.isEmpty }
    }

    private static func blocks(in text: String, open: String, close: String) -> [String] {
        var out: [String] = []
        var rest = text[...]
        while let start = rest.range(of: open) {
            let after = rest[start.upperBound...]
            guard let end = after.range(of: close) else { break }
            out.append(String(after[..<end.lowerBound]))
            rest = after[end.upperBound...]
        }
        return out
    }

    private static func parseCandidate(_ text: String, offered: Set<String>) -> [(name: String, arguments: String)] {
        if let value = try? JSONParser.parse(text) {
            return calls(in: value, offered: offered)
        }
        // One object per line.
        let lines = text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
        guard lines.count > 1 else { return [] }
        var out: [(name: String, arguments: String)] = []
        for line in lines {
            guard let value = try? JSONParser.parse(line) else { return [] }
            let found = calls(in: value, offered: offered)
            if found.isEmpty { return [] }
            out += found
        }
        return out
    }

    private static func calls(in value: JSONValue, offered: Set<String>) -> [(name: String, arguments: String)] {
        if case .array(let items) = value {
            let found = items.compactMap { call(in: $0, offered: offered) }
            return found.count == items.count ? found : []
        }
        return call(in: value, offered: offered).map { [$0] } ?? []
    }

    private static func call(in value: JSONValue, offered: Set<String>) -> (name: String, arguments: String)? {
        guard case .object(let object) = value else { return nil }
        let function = object["function"]?.objectValue
        guard let name = object["name"]?.stringValue ?? function?["name"]?.stringValue ?? object["tool"]?.stringValue,
              offered.contains(name) else { return nil }
        let arguments = object["arguments"] ?? object["parameters"] ?? function?["arguments"] ?? [:]
        switch arguments {
        case .string(let text): return (name, text)
        default: return (name, JSONWriter.string(arguments))
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
