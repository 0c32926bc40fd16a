import Foundation

/// The outcome of one run of one scenario.
public struct RunResult: Sendable, Hashable {
    public var scenario: String
    /// 1-based.
    public var run: Int
    public var differences: [Difference]
    /// How the run ended: `completed`, `incomplete` (an agent hit a limit), `failed`, or `reference`.
    public var status: String
    public var llmCalls: Int
    public var tokens: Int
    public var wallMs: Int
    public var answer: String

    public init(scenario: String, run: Int, differences: [Difference], status: String, llmCalls: Int, tokens: Int,
                wallMs: Int, answer: String) {
        self.scenario = scenario
        self.run = run
        self.differences = differences
        self.status = status
        self.llmCalls = llmCalls
        self.tokens = tokens
        self.wallMs = wallMs
        self.answer = answer
    }

    public var passed: Bool { differences.isEmpty }
}

/// The runs of every scenario, and the table of pass rates and costs.
public struct Summary: Sendable {
    /// Runs per scenario that were asked for: the k of pass^k.
    public let k: Int
    /// Scenario ids in the order they ran, with their runs.
    public private(set) var scenarios: [(id: String, runs: [RunResult])] = []
    /// Each scenario's set (see `Scenario.set`): with more than one, the table gives each its row.
    public var sets: [String: String] = [:]

    public init(k: Int) { self.k = k }

    public mutating func add(_ result: RunResult) {
        if let index = scenarios.firstIndex(where: { $0.id == result.scenario }) {
            scenarios[index].runs.append(result)
        } else {
            scenarios.append((result.scenario, [result]))
        }
    }

    public var runs: [RunResult] { scenarios.flatMap(\.runs) }
    public var failures: [RunResult] { runs.filter { !$0.passed } }
    public var allPassed: Bool { failures.isEmpty }

    /// A Markdown table: per scenario pass^1 (the fraction of runs that passed), pass^k (whether
    /// all k runs passed), and the mean LLM calls, tokens and wall time of a run; then the totals.
    public var table: String {
        var lines = [
            "| scenario | pass^1 | pass^\(k) | LLM calls/run | tokens/run | time/run |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for scenario in scenarios {
            let runs = scenario.runs
            let passed = runs.filter(\.passed).count
            lines.append("| \(scenario.id) | \(Self.fraction(passed, runs.count)) | \(passed == runs.count && runs.count == k ? "yes" : "no") | "
                + "\(Self.mean(runs.map(\.llmCalls))) | \(Self.grouped(Self.average(runs.map(\.tokens)))) | "
                + "\(Self.seconds(Self.average(runs.map(\.wallMs)))) |")
        }
        let names = scenarios.compactMap { sets[$0.id] }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if names.count > 1 {
            for name in names {
                let members = scenarios.filter { sets[$0.id] == name }
                lines.append(totalRow("\(name): \(Self.count(members.count, "scenario"))", members))
            }
        }
        lines.append(totalRow("all \(Self.count(scenarios.count, "scenario"))", scenarios))
        return lines.joined(separator: "\n")
    }

    private func totalRow(_ label: String, _ scenarios: [(id: String, runs: [RunResult])]) -> String {
        let all = scenarios.flatMap(\.runs)
        let passedScenarios = scenarios.filter { $0.runs.count == k && $0.runs.allSatisfy(\.passed) }.count
        return "| **\(label)** | **\(Self.fraction(all.filter(\.passed).count, all.count))** | "
            + "**\(Self.fraction(passedScenarios, scenarios.count))** | \(Self.mean(all.map(\.llmCalls))) | "
            + "\(Self.grouped(Self.average(all.map(\.tokens)))) | \(Self.seconds(Self.average(all.map(\.wallMs)))) |"
    }

    /// One line of totals over all runs.
    public var totals: String {
        let all = runs
        return "\(Self.count(all.count, "run")), \(Self.grouped(all.map(\.llmCalls).reduce(0, +))) LLM calls, "
            + "\(Self.grouped(all.map(\.tokens).reduce(0, +))) tokens, \(Self.duration(all.map(\.wallMs).reduce(0, +))) of agent time"
    }

    /// Every failed run with all its differences and the start of its answer.
    public var failureList: String {
        failures.map { run in
            var text = "- \(run.scenario) run \(run.run) (\(run.status)):\n"
            text += run.differences.map { "  - \($0)\n" }.joined()
            let answer = run.answer.replacingOccurrences(of: "\n", with: " ")
            text += "  - answer: \(answer.isEmpty ? "(none)" : "\"\(answer.count > 300 ? String(answer.prefix(299)) + "…" : answer)\"")\n"
            return text
        }.joined()
    }

    // MARK: Formatting

    /// `1 run`, `3 runs`.
    public static func count(_ number: Int, _ noun: String) -> String { "\(grouped(number)) \(noun)\(number == 1 ? "" : "s")" }

    /// `0.67 (2/3)`.
    public static func fraction(_ part: Int, _ whole: Int) -> String {
        guard whole > 0 else { return "–" }
        return String(format: "%.2f", Double(part) / Double(whole)) + " (\(part)/\(whole))"
    }

    static func average(_ values: [Int]) -> Int {
        values.isEmpty ? 0 : Int((Double(values.reduce(0, +)) / Double(values.count)).rounded())
    }

    static func mean(_ values: [Int]) -> String {
        values.isEmpty ? "–" : String(format: "%.1f", Double(values.reduce(0, +)) / Double(values.count))
    }

    /// `12,345`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// `12.3 s` (rounded half up).
    public static func seconds(_ ms: Int) -> String {
        let tenths = (max(ms, 0) + 50) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }

    /// `1 h 02 min 05 s`, `3 min 07 s`, `12.3 s`.
    public static func duration(_ ms: Int) -> String {
        let total = ms / 1000
        if total < 60 { return seconds(ms) }
        let hours = total / 3600, minutes = total % 3600 / 60, secs = total % 60
        return hours > 0 ? String(format: "%d h %02d min %02d s", hours, minutes, secs) : String(format: "%d min %02d s", minutes, secs)
    }
}
