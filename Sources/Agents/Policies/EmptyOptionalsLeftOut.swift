import JSON

/// Optional arguments sent as "" are left out before the schema check: a small model filled an
/// optional filter it had no value for with "" (`list_orders` with `delivery_address: ""`), which
/// the schema refuses, and gave up; left out, the call is the one it meant. Small profile.
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
