import Foundation
import JSON
import Testing
import TestSupport

/// `--approve` on a real terminal: AgentHost runs in tmux, a person (send-keys) answers y to one
/// cancellation and n to the other, and the screen (capture-pane) shows what they decided on.
@Suite struct TerminalApprovalTests {
    @Test func aPersonApprovesOneCancellationAndDeclinesTheOther() async throws {
        let database = try await TestDatabase.make("tmux", products: IdealCase.catalogue)
        defer { database.drop() }
        let ideal = IdealCase(
            label: "two cancellations",
            before: [.init(items: [("prod1", 1)], address: "1 Yes St"), .init(items: [("prod2", 2)], address: "2 No St")],
            request: "Cancel {0} and {1}.",
            plan: [.init(role: "delivery", tool: "update_delivery_status", task: "Cancel {0}.",
                         steps: [[("update_delivery_status", #"{"order_id":"{0}","status":"cancelled"}"#)]]),
                   .init(role: "delivery", tool: "update_delivery_status", task: "Cancel {1}.",
                         steps: [[("update_delivery_status", #"{"order_id":"{1}","status":"cancelled"}"#)]])])
        let ids = try await ideal.placeOrders(in: database)
        let llm = try ScriptedLLMServer(ideal.routes(seeded: ids))
        defer { llm.stop() }

        let script = Terminal.script([TestEnvironment.agentHostPath, "run", "Cancel \(ids[0]) and \(ids[1]).", "--approve", "destructive",
                                      "--base-url", llm.baseURL, "--model", "scripted"] + database.serverArguments)
        try await Terminal.with { try await Self.answer(on: $0, script: script, ids: ids) }

        let statuses = try database.statuses()
        #expect(statuses == [ids[0]: "cancelled", ids[1]: "pending"])
        #expect(try database.stock()["prod1"] == 10 && database.stock()["prod2"] == 13)
    }

    /// Starts the run in tmux and answers its two prompts: y, then n.
    static func answer(on terminal: Terminal, script: String, ids: [String]) async throws {
        try await terminal.start(script)

        let first = try await terminal.waitFor("the first approval prompt") { $0.contains("Allow this write? [y/N]") }
        #expect(first.contains("Approval needed: delivery#1 wants to call update_delivery_status"), "\(first)")
        #expect(first.contains("arguments: {order_id: \(ids[0]), status: cancelled}"), "\(first)")
        #expect(first.contains("why held:  a cancellation cannot be undone"), "\(first)")
        #expect(first.contains("now:       {order_id: \(ids[0]), status: pending"), "\(first)")
        try await terminal.send("y", "Enter")

        let second = try await terminal.waitFor("the second approval prompt") {
            $0.components(separatedBy: "Allow this write? [y/N]").count == 3
        }
        #expect(second.contains("approved."), "\(second)")
        #expect(second.contains("Approval needed: delivery#2 wants to call update_delivery_status"), "\(second)")
        try await terminal.send("n", "Enter")

        let end = try await terminal.waitFor("the end of the run") { $0.contains("[exit ") }
        #expect(end.contains("declined: nothing is written."), "\(end)")
        #expect(end.contains("Changes: update_delivery_status \(ids[0]) cancelled."), "\(end)")
        #expect(end.contains("Failed: update_delivery_status \(ids[1]): the user declined this call."), "\(end)")
        #expect(end.contains("[exit 0]"), "\(end)")
    }
}
