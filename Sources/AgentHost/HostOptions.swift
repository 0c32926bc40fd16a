import ArgumentParser

/// The flags shared by every subcommand.
struct HostOptions: ParsableArguments {
    // LLM
    @Option(help: ArgumentHelp("Model name, optionally with a provider prefix (ollama/qwen2.5, deepseek/deepseek-chat). Env: LLM_MODEL.", valueName: "name"))
    var model: String?

    @Option(name: .customLong("base-url"), help: ArgumentHelp("OpenAI-compatible base URL, e.g. http://127.0.0.1:4000 for a LiteLLM proxy; the model name is sent to it as is. Env: OPENAI_BASE_URL.", valueName: "url"))
    var baseURL: String?

    @Option(name: .customLong("api-key-env"), help: ArgumentHelp("Read the API key from this environment variable instead of OPENAI_API_KEY (or the provider's).", valueName: "NAME"))
    var apiKeyEnv: String?

    @Option(help: ArgumentHelp("Server quirks to work around: openai (plain, the default) or llama-cpp (tool results repeated as user messages, final answer through a final_answer tool). Env: LLM_COMPAT.", valueName: "preset"))
    var compat: String?

    @Option(help: "Sampling temperature.")
    var temperature: Double = 0

    @Option(name: .customLong("llm-timeout"), help: ArgumentHelp("Seconds before one model call times out.", valueName: "seconds"))
    var llmTimeout: Double = 120

    @Option(name: .customLong("llm-attempts"), help: ArgumentHelp("Attempts per model call (retries on 429, 5xx, timeouts, connection errors and cut-off or empty answers, honouring Retry-After).", valueName: "n"))
    var llmAttempts: Int = 4

    // Tool server
    @Option(name: .customLong("server-command"), help: ArgumentHelp("Command line that starts the MCP tool server (run by /bin/sh). Default: the ToolServer built next to AgentHost.", valueName: "command"))
    var serverCommand: String?

    @Option(name: .customLong("mongodb-uri"), help: ArgumentHelp("MongoDB connection string for the ToolServer. Env: MONGODB_URI.", valueName: "uri"))
    var mongodbURI: String?

    @Option(help: ArgumentHelp("Database name for the ToolServer. Env: MONGODB_DATABASE (default warehouse).", valueName: "name"))
    var database: String?

    @Option(name: .customLong("tool-timeout"), help: ArgumentHelp("Seconds before one tool call times out.", valueName: "seconds"))
    var toolTimeout: Double = 60

    // Agents
    @Option(name: .customLong("max-steps"), help: ArgumentHelp("Model calls per sub-agent before it must answer (the run is then incomplete).", valueName: "n"))
    var maxSteps: Int = 12

    @Option(name: .customLong("manager-max-steps"), help: ArgumentHelp("Model calls for the manager before it must answer.", valueName: "n"))
    var managerMaxSteps: Int = 20

    @Option(name: .customLong("max-parallel"), help: ArgumentHelp("Sub-agents run at once when the manager delegates several tasks in one message.", valueName: "n"))
    var maxParallel: Int = 3

    // Output
    @Flag(name: .shortAndLong, help: "No live trace on stderr.")
    var quiet = false

    @Flag(help: "Print a machine-readable run report on stdout instead of the final answer.")
    var json = false

    @Option(help: ArgumentHelp("Also write every trace event as a JSON line to this file, as the run goes.", valueName: "file"))
    var trace: String?

    func validate() throws {
        guard maxSteps >= 1, managerMaxSteps >= 1 else { throw ValidationError("--max-steps and --manager-max-steps must be at least 1") }
        guard maxParallel >= 1 else { throw ValidationError("--max-parallel must be at least 1") }
        guard llmTimeout > 0, toolTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard llmAttempts >= 1 else { throw ValidationError("--llm-attempts must be at least 1") }
    }
}
