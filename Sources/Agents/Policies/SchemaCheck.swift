import JSON

/// A call is made only to one of the agent's tools, with a JSON object that matches the tool's
/// input schema; otherwise the model is told exactly what to fix. Every profile.
struct SchemaCheck: AgentPolicy {
    let name = "schema-check"
    /// The agent's tool names, listed in a refusal.
    let toolNames: [String]
    /// Tools of other agents, by name, with whose they are: a call to one is told where it belongs.
    let foreignTools: [String: String]
    /// What to add when the arguments fail the schema (nil: nothing); see `RequestGrounding.hint`.
    var hint: (@Sendable (JSONValue) -> String?)?

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard let tool = call.tool else {
            let names = toolNames.joined(separator: ", ")
            if let owner = foreignTools[call.name] {
                return .malformed("'\(call.name)' is not one of your tools (\(owner)). Nothing was called. Your tools: \(names).")
            }
            return .malformed("unknown tool '\(call.name)'. Your tools: \(names).")
        }
        switch call.arguments {
        case .failure(let error):
            return .malformed("invalid arguments for \(call.name): \(error.detail). Send one JSON object that matches the "
                + "tool's schema. Nothing was called.")
        case .success(let arguments):
            guard let violation = SchemaDocument(tool.definition.parameters).validate(arguments) else { return .allow }
            return .malformed("invalid arguments for \(call.name): \(violation). " + (hint?(arguments).map { $0 + " " } ?? "")
                + "Fix the call to match the tool's schema. Nothing was called.")
        }
    }
}
