import Agents
import ArgumentParser

/// The agents' limits, shared by AgentHost and AgentEval.
public struct AgentLimitOptions: ParsableArguments {
    @Option(name: .customLong("max-steps"), help: ArgumentHelp("Model calls per sub-agent before it must answer (the run is then incomplete).", valueName: "n"))
    public var maxSteps: Int = 12

    @Option(name: .customLong("manager-max-steps"), help: ArgumentHelp("Model calls for the manager before it must answer.", valueName: "n"))
    public var managerMaxSteps: Int = 20

    @Option(name: .customLong("max-parallel"), help: ArgumentHelp("Sub-agents run at once when the manager delegates several tasks in one message.", valueName: "n"))
    public var maxParallel: Int = 3

    public init() {}

    public func validate() throws {
        guard maxSteps >= 1, managerMaxSteps >= 1 else { throw ValidationError("--max-steps and --manager-max-steps must be at least 1") }
        guard maxParallel >= 1 else { throw ValidationError("--max-parallel must be at least 1") }
    }

    /// The run settings for a model behind `llm`.
    public func settings(for llm: ResolvedLLM) -> HostSettings {
        HostSettings(managerMaxSteps: managerMaxSteps, subAgentMaxSteps: maxSteps, maxParallelDelegations: maxParallel,
                     finalAnswerTool: llm.compatibility.finalAnswerTool,
                     data: UntrustedData(plainText: llm.compatibility.plainTextData), model: llm.endpoint.model)
    }
}
