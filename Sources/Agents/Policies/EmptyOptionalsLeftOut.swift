import JSON

/// Optional arguments sent as "" are left out before the schema check: a model with no value for
/// an optional filter means no filter, and the schema would refuse "". Small profile.
struct EmptyOptionalsLeftOut: AgentPolicy {
    let name = "empty-optionals-left-out"

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard let tool = call.tool, case .object(var object)? = call.parsed else { return .allow }
        let required = Set(tool.definition.parameters["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let empty = object.keys.filter { object[$0] == .string("") && !required.contains($0) }
        guard !empty.isEmpty else { return .allow }
        for key in empty { object[key] = nil }
        return .rewrite(.object(object), note: nil)
    }
}
