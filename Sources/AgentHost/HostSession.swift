import Agents
import ArgumentParser
import Dispatch
import Foundation
import HostCommandLine
import JSON
import LLMClient
import MCPClient

/// One invocation: resolves the settings, starts the trace and the ToolServer, runs the agents,
/// prints the answer or the report, stops the server, and exits with the run's status.
struct HostSession {
    let options: HostOptions
    let environment = ProcessInfo.processInfo.environment

    func run(instruction: String) async throws {
        try await run { _ in [instruction] }
    }

    /// `makeInstructions` gets the form stored text must take for this endpoint (see
    /// `UntrustedData`); each instruction gets its own manager, in turn.
    func run(instructions makeInstructions: (UntrustedData) -> [String],
             goal: RunGoal? = nil, plan: KnownPlan? = nil) async throws {
        let llm = try resolveLLM()
        let settings = try resolveSettings(llm)
        let tracer = try makeTracer()
        let server = try await startServer(tracer: tracer)

        let instructions = makeInstructions(settings.data)
        let runTask = Task {
            await HostRun.run(instructions: instructions, models: llm.models(tracer: tracer), server: server,
                              settings: settings, tracer: tracer, goal: goal, plan: plan)
        }
        let signals = ProcessSupport.cancelOnSignals(runTask)
        let report = await runTask.value
        signals.forEach { $0.cancel() }
        _ = await server.shutdown()

        if options.json {
            print(JSONWriter.string(report.json))
        } else if !report.finalAnswer.isEmpty {
            print(report.finalAnswer)
        }
        switch report.status {
        case .completed: return
        case .failed: Self.say("error: \(report.error ?? "the run failed")")
        case .incomplete:
            let notes = report.agents.filter { $0.status == .incomplete }.map { "\($0.id): \($0.note ?? "stopped early")" }
            let limits = notes.contains { $0.contains("step limit") } ? " (--max-steps, --manager-max-steps)" : ""
            Self.say("the run is incomplete: \(notes.joined(separator: "; "))\(limits)")
        }
        throw ExitCode(report.exitCode)
    }

    /// `warm-up`: every agent's prompt read once by its endpoint; a line per agent on stderr.
    /// `agents`: the ones to warm up (nil: all).
    func warmUp(agents: Set<String>? = nil) async throws {
        let llm = try resolveLLM()
        let settings = try resolveSettings(llm)
        let tracer = Tracer(sinks: [])
        let server = try await startServer(tracer: tracer)
        let started = ContinuousClock.now
        var failure: AgentFailure?
        do throws(AgentFailure) {
            let names = AgentModels.agents.filter { agents?.contains($0) ?? true }
            Self.say("warm-up: each agent's endpoint reads its prompt (\(names.joined(separator: ", ")))")
            try await HostRun.warmUp(models: llm.models(tracer: tracer), server: server,
                                     settings: settings, tracer: tracer, agents: agents) { agent, ms in
                Self.say("warm-up: \(agent) read its prompt in \(String(format: "%.1f", Double(ms) / 1000)) s")
            }
        } catch {
            failure = error
        }
        _ = await server.shutdown()
        if let failure { throw Self.fail(1, "warm-up: \(failure)") }
        Self.say("warm-up: done in \(String(format: "%.1f", (ContinuousClock.now - started).seconds)) s")
    }

    /// The run settings: limits, profile, and who approves held writes (`--yes`, else the person at
    /// the terminal, else nobody: then a held write is refused and the run never waits for input).
    func resolveSettings(_ llm: ResolvedLLM, approval: ApprovalMode = .never) throws -> HostSettings {
        do {
            var settings = try options.limits.settings(for: llm, environment: environment)
            settings.approval = try options.approvalMode(environment: environment, default: approval)
            if options.yes {
                settings.approver = ApproveAll()
            } else if TerminalApprover.available {
                settings.approver = TerminalApprover(colour: environment["NO_COLOR"] == nil)
            }
            return settings
        } catch {
            throw Self.fail(3, "\(error)")
        }
    }

    func resolveLLM() throws -> ResolvedLLM {
        do { return try options.llm.resolve(environment: environment) } catch { throw Self.fail(3, "\(error)") }
    }

    /// The ToolServer, started (its stderr lines go to the trace as warnings), or the running one
    /// at --server-url.
    func startServer(tracer: Tracer) async throws -> MCPClient {
        if let url = options.serverURL {
            guard let endpoint = ServerEndpoint(url, token: environment["TOOLSERVER_TOKEN"]) else {
                throw Self.fail(3, "--server-url \(url) is not an http:// or https:// URL")
            }
            do { return try await MCPClient.connect(endpoint, callTimeout: .seconds(options.toolTimeout)) } catch { throw Self.fail(3, "\(error)") }
        }
        let launch = try serverLaunch()
        do {
            return try await MCPClient.launch(launch, callTimeout: .seconds(options.toolTimeout), stderrLine: { line in
                tracer.emit(TraceEvent(kind: .warning, agent: "server", message: line))
            })
        } catch {
            throw Self.fail(3, "\(error)")
        }
    }

    /// The trace: `console` on stderr unless --quiet, and the --trace file.
    func makeTracer(console: any TraceSink = ConsoleTraceSink()) throws -> Tracer {
        var sinks: [any TraceSink] = []
        if !options.quiet { sinks.append(console) }
        if let path = options.trace {
            do { sinks.append(try JSONLinesTraceSink(path: path)) } catch { throw Self.fail(3, "cannot write --trace \(path)") }
        }
        return Tracer(sinks: sinks)
    }

    /// The ToolServer next to this executable unless --server-command says otherwise, with the
    /// database settings in its environment.
    private func serverLaunch() throws -> ServerLaunch {
        var env = environment
        if let uri = options.mongodbURI { env["MONGODB_URI"] = uri }
        if let database = options.database { env["MONGODB_DATABASE"] = database }
        if env["LOG_LEVEL"] == nil { env["LOG_LEVEL"] = "warning" }
        if let command = options.serverCommand { return .shell(command, environment: env) }
        let path = ProcessSupport.sibling("ToolServer")
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Self.fail(3, "no ToolServer next to AgentHost (\(path)): build it with `swift build --product ToolServer`, "
                + "or pass --server-command")
        }
        return ServerLaunch(executable: path, environment: env)
    }

    static func say(_ message: String) {
        FileHandle.standardError.write(Data("AgentHost: \(message)\n".utf8))
    }

    /// Prints the message and returns the exit code to throw.
    static func fail(_ code: Int32, _ message: String) -> ExitCode {
        say("error: \(message)")
        return ExitCode(code)
    }
}
