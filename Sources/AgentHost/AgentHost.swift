import ArgumentParser

/// The agent host (a manager and three sub-agents over MCP) is not built yet; see issue 4.
@main
struct AgentHost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "AgentHost",
        abstract: "Runs a manager agent and its inventory, orders and delivery sub-agents against the ToolServer.",
        discussion: "Not implemented yet: this executable is a placeholder until the agent host lands.",
        version: "0.1.0")

    func run() throws {
        FileHandle.standardError.write("AgentHost: not implemented yet\n")
        throw ExitCode(2)
    }
}

import Foundation
extension FileHandle {
    func write(_ text: String) { write(Data(text.utf8)) }
}
