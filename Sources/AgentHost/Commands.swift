import Agents
import ArgumentParser
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Carry out an instruction in plain language.",
        discussion: "Example: AgentHost run \"Order 2 of prod1 to 123 Main St and ship it\"")

    @Argument(help: "The instruction, e.g. \"process these orders and ship them: …\".")
    var instruction: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Read the instruction from this file.", valueName: "file"))
    var file: String?

    @OptionGroup var options: HostOptions

    func validate() throws {
        guard (instruction == nil) != (file == nil) else {
            throw ValidationError("give the instruction either as an argument or with --file, not both or neither")
        }
    }

    func run() async throws {
        let text: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw HostSession.fail(3, "cannot read --file \(file)")
            }
            text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            text = instruction ?? ""
        }
        guard !text.isEmpty else { throw HostSession.fail(3, "the instruction is empty") }
        try await HostSession(options: options).run(instruction: text)
    }
}

struct ProcessOrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process-orders", abstract: "Create and ship the orders of a JSON file.",
        discussion: """
            The file is a list of orders: [{"items": [{"product_id": "prod1", "quantity": 2}], "address": "123 Main St"}, …]. \
            Each order is created (which reserves its stock) and then set in_transit; an order that cannot be \
            created is not shipped, and the answer says why. The orders are handled in turn, each by its own \
            manager run (manager#1, manager#2, …); the answer has one numbered line per order.
            """)

    @Argument(help: "The orders file (JSON).")
    var file: String

    @OptionGroup var options: HostOptions

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw HostSession.fail(3, "cannot read \(file)") }
        let orders: [OrderRequest]
        do { orders = try OrderRequest.decodeList(data) } catch {
            throw HostSession.fail(3, "\(file): \(error)")
        }
        try await HostSession(options: options).run(instructions: { data in orders.map { $0.instruction(data: data) } },
                                                   goal: OrderRequest.isShipped, plan: .createThenShip)
    }
}

struct WarmUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warm-up", abstract: "Have each agent's model endpoint read that agent's prompt once, ahead of a run.",
        discussion: """
            Sends every agent (manager, inventory, orders, delivery), or those named with --agent, its system prompt \
            and tools with a placeholder task, one request each, and calls no tool. A local server that keeps the \
            prompts it has read (llama.cpp's server: one slot per prompt, picked by similarity) then starts each \
            agent's first step from there instead of reading it all again (10 to 15 s per agent on 2 cores). \
            scripts/eval.sh and bench/demo-runs.sh warm every agent after starting the local model; scripts/run.sh \
            only the manager (the demo's calls are made by the host). Prints each agent's time on stderr.
            """)

    @OptionGroup var options: HostOptions

    @Option(name: .customLong("agent"), help: ArgumentHelp(
        "An agent to warm up: manager, inventory, orders or delivery (repeat it for several; default: all).",
        valueName: "name"))
    var agents: [String] = []

    func validate() throws {
        if let unknown = agents.first(where: { !AgentModels.agents.contains($0) }) {
            throw ValidationError("unknown agent '\(unknown)': choose among \(AgentModels.agents.joined(separator: ", ")).")
        }
    }

    func run() async throws {
        try await HostSession(options: options).warmUp(agents: agents.isEmpty ? nil : Set(agents))
    }
}

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "A conversation with the order team: one request per line, each with what was said before.",
        discussion: """
            On a terminal: a prompt; each line is carried out by the manager and its agents, who are told the earlier \
            turns (their requests, answers and changes; older turns condensed), so "restock those" refers to what \
            came before. The answer of each turn goes to stdout with its Changes: and Failed: lines; the live trace \
            shows one line per delegation (--verbose: all of it). Cancellations and stock decreases wait for your y \
            (--approve; default destructive here). Ctrl-C stops the turn under way and returns to the prompt (what \
            it wrote is listed); /new forgets the conversation; /quit or Ctrl-D ends the session.

            From a pipe: one turn per line, answers on stdout; held writes are refused unless --yes.
            """)

    @Option(help: ArgumentHelp("Also write the conversation and every tool call as JSON lines to this file.", valueName: "file"))
    var transcript: String?

    @Flag(name: .shortAndLong, help: "The full live trace (every model reply and tool call) instead of one line per delegation.")
    var verbose = false

    @OptionGroup var options: HostOptions

    func run() async throws {
        try await ChatSession(host: HostSession(options: options), transcript: transcript, verbose: verbose).run()
    }
}
