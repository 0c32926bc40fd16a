import TestSupport
import Foundation
import JSON
import Testing

/// The AgentEval binary against the scripted LLM server and the test database: a scenario the
/// scripted model gets right is reported passed, one it gets wrong failed with its difference,
/// with the right figures in the table and in EVAL.md.
@Suite struct EvaluationRunnerTests {
    typealias Request = ScriptedLLMServer.Request

    /// For each run: the manager delegates to the orders agent, which creates 2 × prod1 to
    /// 9 Pine St, whatever was asked (and is done: that was the call named); the manager answers
    /// with the new order's id. 3 model calls, 330 tokens per run.
    static func routes(runs: Int) -> [ScriptedLLMServer.Route] {
        let manager: [ScriptedLLMServer.Turn] = [
            .calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod1 x2 to \"9 Pine St\"."])]),
            .dynamic { request in .answer("Created \(Request.orderIDs(in: request.lastResultText).joined(separator: ", ")).") },
        ]
        let orders: [ScriptedLLMServer.Turn] = [
            .calls([.init("create_order", ["items": [["product_id": "prod1", "quantity": 2]], "delivery_address": "9 Pine St"])]),
        ]
        return [.agent("manager", Array(Array(repeating: manager, count: runs).joined())),
                .agent("orders", Array(Array(repeating: orders, count: runs).joined()))]
    }

    func agentEval(_ arguments: [String], llm: ScriptedLLMServer? = nil,
                   environment extra: [String: String] = [:]) async throws -> ProcessRunner.Result {
        var environment = TestEnvironment.childEnvironment
        environment.merge(extra) { _, new in new }
        let model = llm.map { ["--base-url", $0.baseURL, "--model", "scripted", "--agent-profile", "small"] } ?? []
        return try await ProcessRunner.run(TestEnvironment.agentEvalPath, arguments + model + [
            "--mongodb-uri", TestEnvironment.mongoURI, "--toolserver", TestEnvironment.toolServerPath,
        ], environment: environment, timeout: .seconds(180))
    }

    static func fixture(_ name: String) -> String { TestEnvironment.fixture("eval/\(name).json") }

    @Test func aPassingAndAFailingScenario() async throws {
        let llm = try ScriptedLLMServer(Self.routes(runs: 2))
        defer { llm.stop() }
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("EVAL-\(UUID().uuidString).md").path
        defer { try? FileManager.default.removeItem(atPath: report) }
        let result = try await agentEval([Self.fixture("eval-pass"), Self.fixture("eval-fail"), "--runs", "1", "--output", report],
                                         llm: llm, environment: ["EVAL_COMMAND": "./scripts/eval.sh --runs 1"])
        let output = String(decoding: result.stdout, as: UTF8.self)
        print(output, result.stderr)
        // Failed runs are results: the evaluation itself succeeded.
        #expect(result.status == 0, "\(result.stderr)")
        #expect(llm.requests("unmatched").isEmpty)
        #expect(llm.requests.count == 6)

        // One line per run as it goes.
        let lines = result.lines
        let passLine = try #require(lines.first { $0.hasPrefix("PASS  eval-pass") })
        #expect(passLine.contains("run 1/1") && passLine.contains("3 calls") && passLine.contains("330 tokens"))
        let failLine = try #require(lines.first { $0.hasPrefix("FAIL  eval-fail") })
        #expect(failLine.contains("stock of prod1 is 8, expected 7 (+1 more)"))

        // The table and totals, on stdout and in EVAL.md.
        let rows = ["| eval-pass | 1.00 (1/1) | yes | 3.0 | 330 |", "| eval-fail | 0.00 (0/1) | no | 3.0 | 330 |",
                    "| **all 2 scenarios** | **0.50 (1/2)** | **0.50 (1/2)** | 3.0 | 330 |",
                    "Totals: 2 runs, 6 LLM calls, 660 tokens"]
        for row in rows { #expect(output.contains(row), "stdout lacks \(row)") }
        let document = try String(contentsOfFile: report, encoding: .utf8)
        for row in rows { #expect(document.contains(row), "EVAL.md lacks \(row)") }
        for part in ["**Model:** model 'scripted' at \(llm.baseURL)", "**Command:** `./scripts/eval.sh --runs 1`",
                     "cores", "**Date:** ", "--compat openai", "## Failed runs", "- eval-fail run 1 (completed):",
                     "  - stock of prod1 is 8, expected 7", "items is prod1 ×2, expected prod1 ×3"] {
            #expect(document.contains(part), "EVAL.md lacks \(part)")
        }
        #expect(!document.contains("eval-pass run 1"))
    }

    @Test func requirePassTurnsAFailedRunIntoExitCode1() async throws {
        let llm = try ScriptedLLMServer(Self.routes(runs: 1))
        defer { llm.stop() }
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("EVAL-\(UUID().uuidString).md").path
        defer { try? FileManager.default.removeItem(atPath: report) }
        let result = try await agentEval([Self.fixture("eval-fail"), "--runs", "1", "--require-pass", "--output", report], llm: llm)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.lines.contains { $0.hasPrefix("FAIL  eval-fail") })
        #expect(FileManager.default.fileExists(atPath: report))
    }

    @Test func setupErrorsAreExitCode3() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken.json")
        try Data(#"{"id": "x", "title": "t", "catalogue": [], "instruction": "i"}"#.utf8).write(to: broken)
        let badFile = try await agentEval([broken.path, "--reference"])
        #expect(badFile.status == 3)
        #expect(badFile.stderr.contains("broken.json: catalogue is empty"))

        let noMatch = try await agentEval([Self.fixture("eval-pass"), "--reference", "--filter", "nothing"])
        #expect(noMatch.status == 3 && noMatch.stderr.contains("no scenario id contains 'nothing'"))

        // A set-up call the ToolServer refuses stops the evaluation.
        var scenario = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Self.fixture("eval-pass")))))
        scenario = try #require(Self.replacing(scenario, "setup", with: [["tool": "create_order", "arguments": [
            "items": [["product_id": "prod2", "quantity": 50]], "delivery_address": "5 Oak St"], "bind": "order1"]]))
        let impossible = directory.appendingPathComponent("impossible.json")
        try Data(JSONWriter.bytes(scenario)).write(to: impossible)
        let setup = try await agentEval([impossible.path, "--reference", "--runs", "1"])
        #expect(setup.status == 3)
        #expect(setup.stderr.contains("eval-pass: setup[0] (create_order) failed: insufficient stock: 'prod2'"))
    }

    /// Every scenario of the suite, solved by its reference solution through the real ToolServer,
    /// passes: the expectations are reachable with the tools, and the judge agrees.
    @Test func theReferenceSolutionsPassEveryScenario() async throws {
        let directories = ["evals/scenarios", "evals/held-out"].map(TestEnvironment.repositoryFile)
        let counts = try directories.map { try FileManager.default.contentsOfDirectory(atPath: $0).filter { $0.hasSuffix(".json") }.count }
        let count = counts.reduce(0, +)
        let result = try await agentEval(directories + ["--reference", "--runs", "1", "--require-pass"])
        let output = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "\(output)\n\(result.stderr)")
        #expect(result.lines.filter { $0.hasPrefix("PASS  ") }.count == count)
        #expect(count >= 60 && counts[1] >= 25)
        // The two sets are reported apart.
        #expect(output.contains("| **held-out: \(counts[1]) scenarios** | **1.00 (\(counts[1])/\(counts[1]))**"))
        #expect(output.contains("**all \(count) scenarios** | **1.00 (\(count)/\(count))**"))
    }

    static func replacing(_ value: JSONValue, _ key: String, with replacement: JSONValue) -> JSONValue? {
        guard var object = value.objectValue else { return nil }
        object[key] = replacement
        return .object(object)
    }
}
