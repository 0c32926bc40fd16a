import Agents
import ArgumentParser
import HostCommandLine

/// The flags shared by every subcommand (the model and limit flags are shared with AgentEval).
struct HostOptions: ParsableArguments {
    @OptionGroup var llm: LLMOptions

    // Tool server
    @Option(name: .customLong("server-command"), help: ArgumentHelp("Command line that starts the MCP tool server (run by /bin/sh). Default: the ToolServer built next to AgentHost.", valueName: "command"))
    var serverCommand: String?

    @Option(name: .customLong("server-url"), help: ArgumentHelp("URL of a running HTTP ToolServer to use instead of starting one, e.g. http://127.0.0.1:8000/mcp. Its token: env TOOLSERVER_TOKEN.", valueName: "url"))
    var serverURL: String?

    @Option(name: .customLong("mongodb-uri"), help: ArgumentHelp("MongoDB connection string for the ToolServer. Env: MONGODB_URI.", valueName: "uri"))
    var mongodbURI: String?

    @Option(help: ArgumentHelp("Database name for the ToolServer. Env: MONGODB_DATABASE (default warehouse).", valueName: "name"))
    var database: String?

    @Option(name: .customLong("tool-timeout"), help: ArgumentHelp("Seconds before one tool call times out.", valueName: "seconds"))
    var toolTimeout: Double = 60

    @OptionGroup var limits: AgentLimitOptions

    // Approvals
    @Option(help: ArgumentHelp("Which writes wait for your yes on the terminal: never, destructive (cancellations and stock decreases) or writes (all). Env: AGENT_APPROVE. Default: never; destructive in chat.", valueName: "mode"))
    var approve: String?

    @Flag(help: "Approve every held write without asking (for scripts). Without it and without a terminal, a held write is refused.")
    var yes = false

    // Output
    @Flag(name: .shortAndLong, help: "No live trace on stderr.")
    var quiet = false

    @Flag(help: "Print a machine-readable run report on stdout instead of the final answer.")
    var json = false

    @Option(help: ArgumentHelp("Also write every trace event as a JSON line to this file, as the run goes.", valueName: "file"))
    var trace: String?

    /// The approval mode from the flag, else AGENT_APPROVE, else the command's default.
    func approvalMode(environment: [String: String], default fallback: ApprovalMode) throws(SettingsError) -> ApprovalMode {
        guard let given = GivenSetting(flag: approve, named: "--approve", variable: "AGENT_APPROVE", environment: environment) else {
            return fallback
        }
        guard let mode = ApprovalMode(rawValue: given.value.lowercased()) else {
            throw SettingsError("\(given.source) '\(given.value)': use one of \(ApprovalMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return mode
    }

    func validate() throws {
        guard toolTimeout > 0 else { throw ValidationError("--tool-timeout must be positive") }
        guard serverURL == nil || serverCommand == nil else { throw ValidationError("give --server-url or --server-command, not both") }
    }
}
