import JSON

/// A tool as `tools/list` describes it.
public struct MCPToolInfo: Sendable, Hashable {
    public var name: String
    public var description: String
    public var inputSchema: JSONValue
    /// The server's `annotations.readOnlyHint`: the tool changes nothing.
    public var readOnly: Bool

    public init(name: String, description: String, inputSchema: JSONValue, readOnly: Bool = false) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.readOnly = readOnly
    }

    init?(_ value: JSONValue) {
        guard let name = value["name"]?.stringValue else { return nil }
        self.init(name: name, description: value["description"]?.stringValue ?? "",
                  inputSchema: value["inputSchema"] ?? ["type": "object"],
                  readOnly: value["annotations"]?["readOnlyHint"] == .bool(true))
    }
}

/// The result of `tools/call`: success with structured content, or `isError` with a text that
/// says how to fix the call.
public struct MCPToolResult: Sendable, Hashable {
    public var isError: Bool
    public var text: String
    public var structured: JSONValue?

    public init(isError: Bool, text: String, structured: JSONValue? = nil) {
        self.isError = isError
        self.text = text
        self.structured = structured
    }

    init(_ value: JSONValue) {
        isError = value["isError"]?.boolValue ?? false
        text = (value["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        structured = value["structuredContent"]
    }
}
