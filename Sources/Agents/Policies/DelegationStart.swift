import JSON

/// How a small manager's delegation starts: an empty task is the tool's name (the agent has the
/// request to take the values from); a task that names another tool of the agent than the one
/// given starts with that one, and one that names several is refused, since the forced first call
/// would be a write on a lookup's task. Small profile, on the manager's delegations.
struct DelegationStart: AgentPolicy {
    let name = "delegation-start"

    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome {
        guard let role = AgentRole(rawValue: call.name), case .object(var object)? = call.parsed,
              let tool = object["tool"]?.stringValue else { return .allow }
        let given = object["task"]?.stringValue ?? ""
        let task = given.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? tool : given
        let named = role.toolNames.filter { task.contains($0) }
        let start: String
        if named.isEmpty || named.contains(tool) {
            start = tool
        } else if named.count == 1 {
            start = named[0]
        } else {
            return .refused("the task names \(named.joined(separator: " and ")) but tool is \(tool), and the agent starts with "
                + "that tool. Set tool to the call the task needs. Nothing was called.")
        }
        guard start != tool || task != given else { return .allow }
        (object["tool"], object["task"]) = (.string(start), .string(task))
        return .rewrite(.object(object), note: nil)
    }
}
