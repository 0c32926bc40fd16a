/// What EVAL.md records besides the results: enough to reproduce and compare a run.
public struct EvalContext: Sendable {
    public var model: String
    /// Base URL, server quirks, sampling and limits.
    public var settings: [String]
    /// Cores, CPU model, memory, OS.
    public var machine: String
    public var date: String
    public var command: String
    public var scenarioSource: String

    public init(model: String, settings: [String], machine: String, date: String, command: String, scenarioSource: String) {
        self.model = model
        self.settings = settings
        self.machine = machine
        self.date = date
        self.command = command
        self.scenarioSource = scenarioSource
    }
}

/// The EVAL.md document.
public enum EvalDocument {
    public static func render(_ context: EvalContext, _ summary: Summary) -> String {
        var text = """
            # Agent evaluation

            - **Model:** \(context.model)
            - **Settings:** \(context.settings.joined(separator: "; "))
            - **Machine:** \(context.machine)
            - **Date:** \(context.date)
            - **Command:** `\(context.command)`
            - **Scenarios:** \(summary.scenarios.count) from \(context.scenarioSource), \(Summary.count(summary.k, "run")) each, every run on a fresh database

            pass^1 is the fraction of a scenario's runs that passed; pass^\(summary.k) says whether all \(summary.k) of its \
            runs passed (in the last row: the fraction of scenarios whose runs all passed). A run passes when the database's end state \
            (every product's stock; exactly the expected orders with their lines, addresses and statuses) is the expected one, \
            no write tool succeeded where nothing may be written, and the final answer states the expected facts. \
            LLM calls, tokens and time are means per run (time: the agents' run, without set-up).

            \(summary.table)

            Totals: \(summary.totals).

            """
        if summary.failures.isEmpty {
            text += "\nEvery run passed.\n"
        } else {
            text += "\n## Failed runs\n\n" + summary.failureList
        }
        return text
    }
}
