import ArgumentParser

/// The agent host: a manager agent and its inventory, orders and delivery sub-agents, driving the
/// ToolServer over MCP stdio.
@main
struct AgentHost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "AgentHost",
        abstract: "Runs a manager agent and its inventory, orders and delivery sub-agents against the ToolServer.",
        discussion: """
            The manager plans and delegates; each sub-agent sees only its own ToolServer tools (over MCP stdio, \
            through a ToolServer process that AgentHost starts and stops). No generated code is ever executed: \
            a model's mistake can only be a bad tool call, which the ToolServer refuses cleanly.

            Environment:
            - LLM_MODEL: the model when --model is not given. Without a base URL, a provider \
            prefix picks the endpoint and key variable: openai/, ollama/ (http://127.0.0.1:11434/v1), \
            deepseek/, openrouter/, groq/, mistral/, together_ai/, lm_studio/, hosted_vllm/, llamacpp/.
            - OPENAI_BASE_URL: the chat-completions base URL when --base-url is not given; \
            the model name then goes to it as is (a LiteLLM proxy: http://127.0.0.1:4000). \
            Default: a prefix's URL, else https://api.openai.com/v1.
            - OPENAI_API_KEY: the API key (or the provider's variable, e.g. DEEPSEEK_API_KEY, \
            or the one named by --api-key-env). Not needed for a local endpoint.
            - LLM_COMPAT: the default for --compat.
            - AGENT_PROFILE: the default for --agent-profile (capable, or small for the bundled local model's \
            extra guards; default small with --compat llama-cpp, else capable).
            - AGENT_APPROVE: the default for --approve (never, destructive, writes): which writes wait for \
            your yes on the terminal. Without a terminal they are refused, unless --yes.
            - MONGODB_URI, MONGODB_DATABASE: passed to the ToolServer (or --mongodb-uri, --database).
            - NO_COLOR: a plain trace even on a terminal.

            Exit codes: 0 the run completed; 1 the run failed (model or tool server error); \
            2 the run is incomplete (an agent reached its step limit, made only malformed calls three steps in \
            a row, or replied empty twice); 3 setup failed \
            (settings, orders file, server start); 64 bad command line.
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, ProcessOrdersCommand.self, ChatCommand.self, WarmUpCommand.self])
}
