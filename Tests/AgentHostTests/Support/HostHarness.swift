import TestSupport
import Agents
import Foundation
import JSON
import LLMClient
import MCPClient
import Synchronization

/// Runs the agents in-process against the scripted LLM and a real ToolServer on a fresh,
/// seeded test database.
struct HostHarness {
    struct Outcome {
        let report: RunReport
        let llm: ScriptedLLMServer
        let events: [TraceEvent]
        /// The live trace as it would appear on stderr (no colour).
        let trace: String
    }

    static func run(_ instruction: String, routes: [ScriptedLLMServer.Route], database: TestDatabase,
                    settings: HostSettings = HostSettings(profile: .small), compatibility: Compatibility = .openAI,
                    serverLaunch: ServerLaunch? = nil) async throws -> Outcome {
        try await run(instructions: [instruction], routes: routes, database: database, settings: settings,
                      compatibility: compatibility, serverLaunch: serverLaunch)
    }

    /// Several instructions, one manager run each (as `process-orders` does).
    static func run(instructions: [String], routes: [ScriptedLLMServer.Route], database: TestDatabase,
                    settings: HostSettings = HostSettings(profile: .small), compatibility: Compatibility = .openAI,
                    serverLaunch: ServerLaunch? = nil,
                    goal: RunGoal? = nil, plan: KnownPlan? = nil) async throws -> Outcome {
        let llm = try ScriptedLLMServer(routes)
        defer { llm.stop() }
        let collected = CollectingTraceSink()
        let text = Mutex("")
        let console = ConsoleTraceSink(colour: false) { line in text.withLock { $0 += line } }
        let tracer = Tracer(sinks: [collected, console])
        guard let url = URL(string: llm.baseURL) else { throw TestFailure("bad URL \(llm.baseURL)") }
        let endpoint = LLMEndpoint(baseURL: url, model: "scripted")
        let client = ChatClient(endpoint: endpoint,
                                options: ChatClientOptions(requestTimeout: .seconds(20), retry: RetryPolicy(maxAttempts: 1),
                                                           compatibility: compatibility))
        let launch = serverLaunch ?? ServerLaunch(executable: TestEnvironment.toolServerPath, arguments: database.serverArguments,
                                                  environment: ["LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"])
        let server = try await MCPClient.launch(launch, callTimeout: .seconds(20))
        let report = await HostRun.run(instructions: instructions, models: AgentModels(client), server: server,
                                       settings: settings, tracer: tracer, goal: goal, plan: plan)
        _ = await server.shutdown(grace: .seconds(2))
        return Outcome(report: report, llm: llm, events: collected.events, trace: text.withLock { $0 })
    }
}

extension ScriptedLLMServer.Request {
    /// The parsed JSON of each tool result after the last assistant message.
    var lastResults: [JSONValue] {
        lastToolResults.compactMap { $0["content"]?.stringValue.flatMap { try? JSONParser.parse(Self.unwrapData($0)) } }
    }
    /// The JSON inside a result's `<data>…</data>` (results are sent as data; a delegation's is
    /// followed by the host's line of progress).
    static func unwrapData(_ text: String) -> String {
        guard text.hasPrefix("<data>"), let end = text.range(of: "</data>", options: .backwards) else { return text }
        return String(text[text.index(text.startIndex, offsetBy: "<data>".count)..<end.lowerBound])
    }
    /// All text of the last tool results.
    var lastResultText: String { lastToolResults.compactMap { $0["content"]?.stringValue }.joined(separator: "\n") }
}
