import Evaluation
import Testing

@Suite struct SummaryTests {
    func result(_ scenario: String, _ run: Int, passed: Bool, calls: Int, tokens: Int, ms: Int) -> RunResult {
        RunResult(scenario: scenario, run: run, differences: passed ? [] : [.stock(product: "prod1", actual: 8, expected: 7)],
                  status: "completed", llmCalls: calls, tokens: tokens, wallMs: ms, answer: "Created ord_x.")
    }

    var summary: Summary {
        var summary = Summary(k: 2)
        summary.add(result("a", 1, passed: true, calls: 4, tokens: 440, ms: 1000))
        summary.add(result("a", 2, passed: true, calls: 6, tokens: 660, ms: 2000))
        summary.add(result("b", 1, passed: true, calls: 3, tokens: 1000, ms: 500))
        summary.add(result("b", 2, passed: false, calls: 5, tokens: 2000, ms: 1500))
        return summary
    }

    @Test func theTable() {
        let lines = summary.table.split(separator: "\n").map(String.init)
        #expect(lines[0] == "| scenario | pass^1 | pass^2 | LLM calls/run | tokens/run | time/run |")
        #expect(lines[2] == "| a | 1.00 (2/2) | yes | 5.0 | 550 | 1.5 s |")
        #expect(lines[3] == "| b | 0.50 (1/2) | no | 4.0 | 1,500 | 1.0 s |")
        #expect(lines[4] == "| **all 2 scenarios** | **0.75 (3/4)** | **0.50 (1/2)** | 4.5 | 1,025 | 1.3 s |")
        #expect(summary.totals == "4 runs, 18 LLM calls, 4,100 tokens, 5.0 s of agent time")
        #expect(!summary.allPassed && summary.failures.count == 1)
        #expect(summary.failureList.contains("- b run 2 (completed):\n  - stock of prod1 is 8, expected 7\n  - answer: \"Created ord_x.\""))
    }

    @Test func eachSetHasItsRow() {
        var summary = summary
        summary.add(result("h1", 1, passed: false, calls: 2, tokens: 100, ms: 1000))
        summary.add(result("h1", 2, passed: true, calls: 2, tokens: 100, ms: 1000))
        summary.sets = ["a": "scenarios", "b": "scenarios", "h1": "held-out"]
        let lines = summary.table.split(separator: "\n").map(String.init)
        #expect(lines[5] == "| **scenarios: 2 scenarios** | **0.75 (3/4)** | **0.50 (1/2)** | 4.5 | 1,025 | 1.3 s |")
        #expect(lines[6] == "| **held-out: 1 scenario** | **0.50 (1/2)** | **0.00 (0/1)** | 2.0 | 100 | 1.0 s |")
        #expect(lines[7] == "| **all 3 scenarios** | **0.67 (4/6)** | **0.33 (1/3)** | 3.7 | 717 | 1.2 s |")
        summary.sets = ["a": "scenarios", "b": "scenarios", "h1": "scenarios"]
        #expect(summary.table.split(separator: "\n").count == 6)  // one set: no rows of its own
    }

    @Test func numbers() {
        #expect(Summary.grouped(0) == "0" && Summary.grouped(999) == "999" && Summary.grouped(1_234_567) == "1,234,567")
        #expect(Summary.duration(12_345) == "12.3 s")
        #expect(Summary.duration(187_000) == "3 min 07 s")
        #expect(Summary.duration(3_725_000) == "1 h 02 min 05 s")
        #expect(Summary.fraction(2, 3) == "0.67 (2/3)")
    }

    @Test func theDocument() {
        let context = EvalContext(model: "qwen (model 'default' at http://127.0.0.1:8080/v1)", settings: ["--compat llama-cpp"],
                                  machine: "2 cores, Some CPU", date: "2026-01-01 10:00 UTC", command: "./scripts/eval.sh --runs 2",
                                  scenarioSource: "evals/scenarios")
        let text = EvalDocument.render(context, summary)
        for part in ["**Model:** qwen", "**Machine:** 2 cores, Some CPU", "**Date:** 2026-01-01 10:00 UTC",
                     "**Command:** `./scripts/eval.sh --runs 2`", "2 from evals/scenarios, 2 runs each",
                     "| b | 0.50 (1/2) | no |", "## Failed runs", "stock of prod1 is 8, expected 7"] {
            #expect(text.contains(part), "EVAL.md lacks \(part)")
        }
    }
}
