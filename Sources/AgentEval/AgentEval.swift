import Agents
import ArgumentParser
import Evaluation
import Foundation
import HostCommandLine
import MongoStore

/// Runs the agent evaluation: every scenario k times, each run on a fresh database, judged by the
/// database's end state and the facts the final answer states.
@main
struct AgentEval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "AgentEval",
        abstract: "Runs the agent evaluation scenarios against the configured LLM and prints pass rates and costs.",
        discussion: """
            Each scenario (evals/scenarios/*.json and the held-out set evals/held-out/*.json, reported apart; the \
            format is in evals/README.md) runs k times. Every run gets a \
            fresh database seeded with the scenario's catalogue, a ToolServer on it, the scenario's set-up calls, then \
            the manager agent and its sub-agents on the instruction. The end state is read directly from the database \
            and compared with the expected one (stock of every product; exactly the expected orders with their lines, \
            addresses and statuses); the final answer must state the expected facts. The database is dropped afterwards.

            One line per run as it goes, then a table per scenario: pass^1 (fraction of runs passed), pass^k (all k \
            passed), mean LLM calls, tokens and wall time per run; EVAL.md gets the same with the model, the machine, \
            the date and the command (EVAL_COMMAND, when set, is recorded as the command).

            The model settings are AgentHost's: --model / LLM_MODEL, --base-url / OPENAI_BASE_URL, OPENAI_API_KEY \
            (or --api-key-env), --compat / LLM_COMPAT. --reference runs each scenario's reference solution instead \
            (no LLM): it checks the scenarios and the judge.

            Exit codes: 0 the evaluation ran (failed runs are results, not errors), 1 with --require-pass when a run \
            failed, 3 setup error (scenario file, model settings, database, ToolServer, a scenario's set-up call, a model \
            that never answered), \
            64 bad command line, 130 interrupted.
            """,
        version: "0.1.0")

    @Argument(help: ArgumentHelp("Scenario files, or directories of them (*.json).", valueName: "path"))
    var paths: [String] = ["evals/scenarios", "evals/held-out"]

    @Option(name: .shortAndLong, help: ArgumentHelp("Runs per scenario (the k of pass^k).", valueName: "k"))
    var runs: Int = 3

    @Option(help: ArgumentHelp("Only scenarios whose id contains this text (repeatable).", valueName: "text"))
    var filter: [String] = []

    @Option(help: ArgumentHelp("Write the report here. Default: EVAL.md, or nothing with --reference.", valueName: "file"))
    var output: String?

    @Flag(name: .customLong("require-pass"), help: "Exit with 1 unless every run passed.")
    var requirePass = false

    @Flag(help: "Show the agents' live trace on stderr.")
    var trace = false

    @Option(name: .customLong("trace-dir"), help: ArgumentHelp("Write each run's trace as JSON lines to DIR/<scenario>-run<i>.jsonl.", valueName: "dir"))
    var traceDirectory: String?

    @Flag(help: "Run each scenario's reference solution instead of the agents (no LLM).")
    var reference = false

    @Option(name: .customLong("model-label"), help: ArgumentHelp("The model's name in the report, when the server ignores --model (a local llama.cpp server).", valueName: "text"))
    var modelLabel: String?

    @OptionGroup var llm: LLMOptions

    @OptionGroup var limits: AgentLimitOptions

    @Option(name: .customLong("mongodb-uri"), help: ArgumentHelp("MongoDB for the runs' databases (created and dropped per run). Env: MONGODB_URI; default mongodb://127.0.0.1:27017.", valueName: "uri"))
    var mongodbURI: String?

    @Option(help: ArgumentHelp("The ToolServer executable. Default: the one built next to AgentEval.", valueName: "path"))
    var toolserver: String?

    @Option(name: .customLong("tool-timeout"), help: ArgumentHelp("Seconds before one tool call times out.", valueName: "seconds"))
    var toolTimeout: Double = 60

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard toolTimeout > 0 else { throw ValidationError("--tool-timeout must be positive") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let scenarios = try Self.setup { () throws(EvalError) in try ScenarioFiles.load(paths, filter: filter) }
        let (performer, model, settings) = try makePerformer(environment: environment)
        let toolServerPath = toolserver ?? ProcessSupport.sibling("ToolServer")
        guard FileManager.default.isExecutableFile(atPath: toolServerPath) else {
            throw Self.fail(3, "no ToolServer at \(toolServerPath): build it (swift build --product ToolServer) or pass --toolserver")
        }
        if let traceDirectory {
            do { try FileManager.default.createDirectory(atPath: traceDirectory, withIntermediateDirectories: true) } catch {
                throw Self.fail(3, "cannot create --trace-dir \(traceDirectory): \(error)")
            }
        }
        let uri = mongodbURI ?? environment["MONGODB_URI"].flatMap { $0.isEmpty ? nil : $0 } ?? "mongodb://127.0.0.1:27017"
        let runner = ScenarioRunner(mongoURI: uri, toolServer: toolServerPath, toolTimeout: .seconds(toolTimeout), performer: performer,
                                    liveTrace: trace, traceDirectory: traceDirectory)

        Console.out("AgentEval: \(Summary.count(scenarios.count, "scenario")) × \(Summary.count(runs, "run")), "
            + "\(model); database \(uri.redactingCredentials)\n")
        let runs = runs
        let task = Task { await Self.evaluate(scenarios, runs: runs, runner: runner) }
        let signals = ProcessSupport.cancelOnSignals(task)
        let outcome = await task.value
        signals.forEach { $0.cancel() }

        let summary = outcome.summary
        if !summary.runs.isEmpty {
            Console.out("\n\(summary.table)\n\nTotals: \(summary.totals).\n")
            if !summary.failures.isEmpty { Console.out("\nFailed runs:\n\(summary.failureList)") }
        }
        switch outcome {
        case .setupFailed(_, let error):
            throw Self.fail(3, error.description)
        case .interrupted:
            Self.say("interrupted; no report written")
            throw ExitCode(130)
        case .finished:
            break
        }
        if let path = output ?? (reference ? nil : "EVAL.md") {
            let context = EvalContext(
                model: model, settings: settings, machine: Machine.description, date: Machine.date, command: environment["EVAL_COMMAND"] ?? Machine.commandLine,
                scenarioSource: paths.joined(separator: ", ") + (filter.isEmpty ? "" : " (--filter \(filter.joined(separator: ", ")))"))
            do { try EvalDocument.render(context, summary).write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw Self.fail(3, "cannot write \(path): \(error)")
            }
            Console.out("Wrote \(path).\n")
        }
        if requirePass, !summary.allPassed { throw ExitCode(1) }
    }

    /// Who carries out the instructions, the model's name and the settings that EVAL.md records.
    private func makePerformer(environment: [String: String]) throws -> (Performer, model: String, settings: [String]) {
        if reference { return (.reference, "none: the scenarios' reference solutions (--reference)", ["no LLM"]) }
        let resolved: ResolvedLLM
        do { resolved = try llm.resolve(environment: environment) } catch { throw Self.fail(3, "\(error)") }
        let endpoint = "model '\(resolved.endpoint.model)' at \(resolved.endpoint.baseURL.absoluteString)"
        let hostSettings: HostSettings
        do { hostSettings = try limits.settings(for: resolved, environment: environment) } catch { throw Self.fail(3, "\(error)") }
        let settings = ["--compat \(resolved.compatName)", "--agent-profile \(hostSettings.profile.rawValue)",
                        "--delegations \(hostSettings.typedDelegations ? "typed" : "task")",
                        "temperature \(llm.temperature)", "--llm-timeout \(Int(llm.llmTimeout)) s",
                        "--max-steps \(limits.maxSteps)", "--manager-max-steps \(limits.managerMaxSteps)",
                        "--max-parallel \(limits.maxParallel)"]
        return (.agents(resolved, hostSettings), modelLabel.map { "\($0) (\(endpoint))" } ?? endpoint, settings)
    }

    enum Outcome: Sendable {
        case finished(Summary)
        case interrupted(Summary)
        case setupFailed(Summary, EvalError)

        var summary: Summary {
            switch self {
            case .finished(let summary), .interrupted(let summary), .setupFailed(let summary, _): summary
            }
        }
    }

    /// Every scenario, `runs` times, one run at a time, printing a line per run.
    static func evaluate(_ scenarios: [Scenario], runs: Int, runner: ScenarioRunner) async -> Outcome {
        var summary = Summary(k: runs)
        summary.sets = Dictionary(scenarios.map { ($0.id, $0.set) }, uniquingKeysWith: { first, _ in first })
        let width = scenarios.map(\.id.count).max() ?? 0
        for scenario in scenarios {
            for run in 1...runs {
                if Task.isCancelled { return .interrupted(summary) }
                let result: RunResult
                do { result = try await runner.run(scenario, run: run, of: runs) } catch {
                    return .setupFailed(summary, error)
                }
                if Task.isCancelled { return .interrupted(summary) }
                // The model never answered: its endpoint is down or misconfigured, which says
                // nothing about the agents; the remaining runs would fail the same way.
                if result.status == "failed", result.llmCalls == 0 {
                    let error = result.differences.first.map { "\($0)" } ?? "the run failed"
                    return .setupFailed(summary, EvalError("\(scenario.id) run \(run): \(error), before the model answered once"))
                }
                summary.add(result)
                Console.out(progressLine(result, runs: runs, width: width) + "\n")
            }
        }
        return .finished(summary)
    }

    /// `PASS  01-single-order  run 1/3   12.4 s   5 calls   4,210 tokens` (and the first difference).
    static func progressLine(_ result: RunResult, runs: Int, width: Int) -> String {
        var line = "\(result.passed ? "PASS" : "FAIL")  \(result.scenario.padding(toLength: width, withPad: " ", startingAt: 0))"
        line += "  run \(result.run)/\(runs)  \(Summary.seconds(result.wallMs).leftPadded(8))"
        line += "  \(String(result.llmCalls).leftPadded(3)) calls  \(Summary.grouped(result.tokens).leftPadded(7)) tokens"
        if result.status != "completed", result.status != "reference" { line += "  [\(result.status)]" }
        if let first = result.differences.first {
            line += "  \(first)"
            if result.differences.count > 1 { line += " (+\(result.differences.count - 1) more)" }
        }
        return line
    }

    /// Runs a set-up step; its error ends the command with exit code 3.
    static func setup<T>(_ body: () throws(EvalError) -> T) throws -> T {
        do { return try body() } catch { throw fail(3, error.description) }
    }

    static func say(_ message: String) {
        FileHandle.standardError.write(Data("AgentEval: \(message)\n".utf8))
    }

    static func fail(_ code: Int32, _ message: String) -> ExitCode {
        say("error: \(message)")
        return ExitCode(code)
    }
}

/// Unbuffered stdout, so that progress lines appear as runs finish even through a pipe.
enum Console {
    static func out(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
