import Agents
import Evaluation
import Foundation
import HostCommandLine
import JSON
import LLMClient
import MCPClient
import MongoStore

/// A problem that stops the evaluation (exit code 3): the database, the tool server or a
/// scenario's set-up failed. What a model does wrong is never one of these.
struct EvalError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Who carries out the instruction.
enum Performer: Sendable {
    /// The manager and its sub-agents, with this model.
    case agents(ResolvedLLM, HostSettings)
    /// The scenario's reference solution, through the same ToolServer (no LLM).
    case reference
}

/// What the performer did, for the judge and the table.
struct Performance {
    var answer: String
    var failure: String?
    /// Write tools that succeeded.
    var writes: [String]
    var status: String
    var llmCalls: Int
    var tokens: Int
    var wallMs: Int
}

/// One run of one scenario: a fresh database seeded with the catalogue, a ToolServer on it, the
/// set-up calls, the performer, then the end state read directly from the database and judged.
/// The database is dropped afterwards, whatever happened.
struct ScenarioRunner: Sendable {
    let mongoURI: String
    let toolServer: String
    let toolTimeout: Duration
    let performer: Performer
    let liveTrace: Bool
    let traceDirectory: String?

    func run(_ scenario: Scenario, run: Int, of runs: Int) async throws(EvalError) -> RunResult {
        let database = Self.databaseName(scenario.id, run: run)
        let inspector: DatabaseInspector
        do { inspector = try DatabaseInspector(uri: mongoURI, database: database) } catch {
            throw EvalError("cannot use MongoDB at \(mongoURI.redactingCredentials): \(error)")
        }
        defer {
            do { try inspector.drop() } catch {
                FileHandle.standardError.write(Data("AgentEval: warning: could not drop the database \(database): \(error)\n".utf8))
            }
        }
        try await seed(scenario, database: database)

        let tracer = try makeTracer(scenario, run: run, of: runs)
        let server: MCPClient
        do {
            server = try await MCPClient.launch(
                ServerLaunch(executable: toolServer, arguments: ["--mongodb-uri", mongoURI, "--database", database],
                             environment: Self.serverEnvironment),
                callTimeout: toolTimeout, clientName: "AgentEval",
                stderrLine: { line in tracer.emit(TraceEvent(kind: .warning, agent: "server", message: line)) })
        } catch {
            throw EvalError("the ToolServer did not start: \(error)")
        }
        let bindings: [String: String]
        let performance: Performance
        do throws(EvalError) {
            bindings = try await setUp(scenario, server: server)
            performance = try await perform(scenario, bindings: bindings, server: server, tracer: tracer)
        } catch {
            _ = await server.shutdown()
            throw error
        }
        _ = await server.shutdown()

        let state: (stock: [String: Int64], orders: [ActualOrder])
        do {
            state = Observation.databaseState(products: try inspector.documents("products"), orders: try inspector.documents("orders"))
        } catch {
            throw EvalError("cannot read the end state of \(database): \(error)")
        }
        let observation = Observation(stock: state.stock, orders: state.orders, answer: performance.answer,
                                      failure: performance.failure, writes: performance.writes)
        return RunResult(scenario: scenario.id, run: run,
                         differences: Judge.judge(scenario.expectation, setupBindings: bindings, observation: observation),
                         status: performance.status, llmCalls: performance.llmCalls, tokens: performance.tokens,
                         wallMs: performance.wallMs, answer: performance.answer)
    }

    // MARK: Steps

    private func seed(_ scenario: Scenario, database: String) async throws(EvalError) {
        do {
            let store = try MongoOrderStore(MongoOrderStore.Configuration(uri: mongoURI, database: database), log: { _, _ in })
            _ = try await store.upsert(scenario.catalogue)
        } catch {
            throw EvalError("\(scenario.id): cannot seed the catalogue into \(database): \(error.message)")
        }
    }

    /// Runs the set-up calls; each must succeed. Returns the bound order ids.
    private func setUp(_ scenario: Scenario, server: MCPClient) async throws(EvalError) -> [String: String] {
        var bindings: [String: String] = [:]
        for (index, step) in scenario.setup.enumerated() {
            let label = "\(scenario.id): setup[\(index)] (\(step.tool))"
            let result: MCPToolResult
            do {
                result = try await server.callTool(step.tool, arguments: try Placeholders.fill(step.arguments, bindings))
            } catch {
                throw EvalError("\(label): \(error)")
            }
            guard !result.isError else { throw EvalError("\(label) failed: \(result.text)") }
            if let name = step.bind {
                guard let id = result.structured?["order_id"]?.stringValue else {
                    throw EvalError("\(label): bind '\(name)' needs an order_id in the result, got \(result.text)")
                }
                bindings[name] = id
            }
        }
        return bindings
    }

    private func perform(_ scenario: Scenario, bindings: [String: String], server: MCPClient,
                         tracer: Tracer) async throws(EvalError) -> Performance {
        switch performer {
        case .agents(let llm, let settings):
            let instruction: String
            do { instruction = try Placeholders.fill(scenario.instruction, bindings) } catch {
                throw EvalError("\(scenario.id): instruction: \(error)")
            }
            let report = await HostRun.run(instruction: instruction, models: llm.models(tracer: tracer), server: server,
                                           settings: settings, tracer: tracer)
            let calls = report.agents.flatMap(\.steps).flatMap(\.toolCalls)
            let writes = calls.filter { ToolNames.writes.contains($0.name) && !$0.isError && !$0.rejected }
                .map { "\($0.name) \(Self.short(JSONWriter.string($0.arguments)))" }
            return Performance(answer: report.finalAnswer, failure: report.status == .failed ? report.error ?? "failed" : nil,
                               writes: writes, status: report.status.rawValue,
                               llmCalls: report.agents.map { $0.steps.filter(\.byModel).count }.reduce(0, +), tokens: report.usage.total,
                               wallMs: report.wallTimeMs)
        case .reference:
            return await performReference(scenario, bindings: bindings, server: server)
        }
    }

    /// The reference solution's calls, each expected to succeed (or to fail, with expect_error);
    /// a call that does otherwise fails the run, which means the scenario is wrong.
    private func performReference(_ scenario: Scenario, bindings: [String: String], server: MCPClient) async -> Performance {
        let started = ContinuousClock.now
        var names = bindings
        var writes: [String] = []
        var failure: String?
        for (index, step) in scenario.reference.calls.enumerated() {
            let label = "reference call \(index + 1) (\(step.tool))"
            let result: MCPToolResult
            do {
                result = try await server.callTool(step.tool, arguments: try Placeholders.fill(step.arguments, names))
            } catch {
                failure = "\(label): \(error)"
                break
            }
            guard result.isError == step.expectError else {
                failure = result.isError ? "\(label) failed: \(result.text)" : "\(label) succeeded, but the scenario says it fails"
                break
            }
            if !result.isError, ToolNames.writes.contains(step.tool) { writes.append(step.tool) }
            if let name = step.bind {
                guard let id = result.structured?["order_id"]?.stringValue else {
                    failure = "\(label): bind '\(name)' needs an order_id in the result"
                    break
                }
                names[name] = id
            }
        }
        let answer = (try? Placeholders.fill(scenario.reference.answer, names)) ?? ""
        return Performance(answer: answer, failure: failure, writes: writes, status: "reference", llmCalls: 0, tokens: 0,
                           wallMs: (ContinuousClock.now - started).milliseconds)
    }

    // MARK: Helpers

    private func makeTracer(_ scenario: Scenario, run: Int, of runs: Int) throws(EvalError) -> Tracer {
        var sinks: [any TraceSink] = []
        if liveTrace {
            FileHandle.standardError.write(Data("\n── \(scenario.id), run \(run)/\(runs) ──\n".utf8))
            sinks.append(ConsoleTraceSink())
        }
        if let traceDirectory {
            let path = URL(fileURLWithPath: traceDirectory).appendingPathComponent("\(scenario.id)-run\(run).jsonl").path
            do { sinks.append(try JSONLinesTraceSink(path: path)) } catch { throw EvalError("cannot write the trace file \(path)") }
        }
        return Tracer(sinks: sinks)
    }

    /// A database of its own: `eval_<scenario>_r<run>_<random>`, at most 63 characters.
    static func databaseName(_ scenario: String, run: Int) -> String {
        let safe = String(scenario.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "_" }.prefix(40))
        return "eval_\(safe)_r\(run)_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    private static var serverEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if environment["LOG_LEVEL"] == nil { environment["LOG_LEVEL"] = "warning" }
        return environment
    }

    private static func short(_ text: String) -> String { text.count <= 100 ? text : String(text.prefix(99)) + "…" }
}

extension Duration {
    var milliseconds: Int { Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000) }
}
