import JSON

/// A tool as MCP publishes it, with the function that runs it.
public struct MCPTool: Sendable {
    public struct Annotations: Sendable {
        public var readOnly: Bool
        public var destructive: Bool
        public var idempotent: Bool
        public init(readOnly: Bool, destructive: Bool, idempotent: Bool) {
            self.readOnly = readOnly
            self.destructive = destructive
            self.idempotent = idempotent
        }
    }

    /// What a call produced: structured content, or an error text for the model to act on.
    public enum Outcome: Sendable {
        case success(JSONObject)
        case failure(String)
    }

    public let name: String
    public let title: String
    public let description: String
    public let inputSchema: JSONValue
    public let outputSchema: JSONValue
    public let annotations: Annotations
    public let handler: @Sendable (JSONObject) async -> Outcome

    public init(name: String, title: String, description: String, inputSchema: JSONValue, outputSchema: JSONValue,
                annotations: Annotations, handler: @escaping @Sendable (JSONObject) async -> Outcome) {
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.annotations = annotations
        self.handler = handler
    }

    func listing(for version: ProtocolVersion) -> JSONValue {
        var tool: JSONObject = ["name": .string(name)]
        if version.hasStructuredOutput { tool["title"] = .string(title) }
        tool["description"] = .string(description)
        tool["inputSchema"] = inputSchema
        if version.hasStructuredOutput { tool["outputSchema"] = outputSchema }
        tool["annotations"] = [
            "title": .string(title),
            "readOnlyHint": .bool(annotations.readOnly),
            "destructiveHint": .bool(annotations.destructive),
            "idempotentHint": .bool(annotations.idempotent),
            "openWorldHint": false,
        ]
        return .object(tool)
    }
}

/// The MCP revisions this server speaks, newest first.
public enum ProtocolVersion: String, CaseIterable, Sendable {
    case v2025_11_25 = "2025-11-25"
    case v2025_06_18 = "2025-06-18"
    case v2025_03_26 = "2025-03-26"

    public static let latest = ProtocolVersion.v2025_11_25

    /// `title`, `outputSchema` and `structuredContent` arrived in 2025-06-18.
    var hasStructuredOutput: Bool { self != .v2025_03_26 }
    /// JSON-RPC batches were part of 2025-03-26 only.
    var allowsBatches: Bool { self == .v2025_03_26 }
}
