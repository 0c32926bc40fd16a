import Agents
import ArgumentParser

/// The agents' limits, shared by AgentHost and AgentEval.
public struct AgentLimitOptions: ParsableArguments {
    @Option(name: .customLong("max-steps"), help: ArgumentHelp("Model calls per sub-agent before it must answer (the run is then incomplete).", valueName: "n"))
    public var maxSteps: Int = 12

    @Option(name: .customLong("manager-max-steps"), help: ArgumentHelp("Model calls for the manager before it must answer.", valueName: "n"))
    public var managerMaxSteps: Int = 20

    @Option(name: .customLong("agent-profile"), help: ArgumentHelp("Which policies guard the agents: capable (nothing judges the request's words; for GPT-4-class and 7B-70B models) or small (extra guards for the bundled 1.5B model, some reading English words). Env: AGENT_PROFILE. Default: small with --compat llama-cpp or llama-server, else capable.", valueName: "profile"))
    public var profile: String?

    @Option(name: .customLong("delegations"), help: ArgumentHelp("How the small profile's manager delegates: typed (the call itself, held by the server's grammar to the tool's schema, made by the host) or task (a task in words the agent carries out). Env: AGENT_DELEGATIONS. Default: typed with --compat llama-server, else task.", valueName: "form"))
    public var delegations: String?

    @Option(name: .customLong("max-parallel"), help: ArgumentHelp("Sub-agents run at once when the manager delegates several tasks in one message.", valueName: "n"))
    public var maxParallel: Int = 3

    public init() {}

    public func validate() throws {
        guard maxSteps >= 1, managerMaxSteps >= 1 else { throw ValidationError("--max-steps and --manager-max-steps must be at least 1") }
        guard maxParallel >= 1 else { throw ValidationError("--max-parallel must be at least 1") }
    }

    /// The run settings for a model behind `llm`: the profile from the flag, else AGENT_PROFILE,
    /// else the one for its `--compat` preset.
    public func settings(for llm: ResolvedLLM, environment: [String: String]) throws(SettingsError) -> HostSettings {
        let profile = try resolvedProfile(for: llm, environment: environment)
        var settings = HostSettings(managerMaxSteps: managerMaxSteps, subAgentMaxSteps: maxSteps, maxParallelDelegations: maxParallel,
                                    finalAnswerTool: llm.compatibility.finalAnswerTool,
                                    data: UntrustedData(plainText: llm.compatibility.plainTextData), model: llm.endpoint.model,
                                    profile: profile)
        settings.typedDelegations = try typedDelegations(profile: profile, llm: llm, environment: environment)
        return settings
    }

    /// From the flag, else AGENT_DELEGATIONS, else typed where the server holds the manager's reply
    /// to the call's schema (`--compat llama-server`). Only the small profile delegates typed calls.
    func typedDelegations(profile: AgentProfile, llm: ResolvedLLM, environment: [String: String]) throws(SettingsError) -> Bool {
        guard let given = GivenSetting(flag: delegations, named: "--delegations", variable: "AGENT_DELEGATIONS",
                                       environment: environment) else {
            return profile == .small && llm.compatibility.toolCallSchema
        }
        switch given.value.lowercased() {
        case "typed": return profile == .small
        case "task": return false
        default: throw SettingsError("\(given.source) '\(given.value)': use typed or task")
        }
    }

    public func resolvedProfile(for llm: ResolvedLLM, environment: [String: String]) throws(SettingsError) -> AgentProfile {
        guard let given = GivenSetting(flag: profile, named: "--agent-profile", variable: "AGENT_PROFILE", environment: environment) else {
            return AgentProfile.forCompat(llm.compatName)
        }
        guard let chosen = AgentProfile(rawValue: given.value.lowercased()) else {
            throw SettingsError("\(given.source) '\(given.value)': use one of \(AgentProfile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return chosen
    }
}
