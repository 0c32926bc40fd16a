import Agents
import Foundation
import JSON

/// Asks the person at the terminal about each held write, one at a time: the agent, the call, why
/// it is held, and the order or product as it stands now; then "Allow this write? [y/N]" on
/// stderr, and a line from stdin. Anything but y or yes declines, and so does the end of input or
/// Ctrl-C.
final class TerminalApprover: Approver, Sendable {
    private let turns = OneAtATime()
    private let colour: Bool

    init(colour: Bool) { self.colour = colour }

    var isInteractive: Bool { true }

    /// Whether a person can answer here: stdin and stderr are a terminal.
    static var available: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 }

    func decide(_ request: ApprovalRequest) async -> ApprovalDecision {
        let prompt = render(request)
        let answer = await turns.run {
            Self.say(prompt)
            return await StdinLines.shared.next()
        }
        let yes = ["y", "yes"].contains((answer ?? "").trimmingCharacters(in: .whitespaces).lowercased())
        Self.say(yes ? "  approved.\n" : "\n  declined: nothing is written.\n")
        return yes ? .approved : .declined(Declined.message)
    }

    func render(_ request: ApprovalRequest) -> String {
        func bold(_ text: String) -> String { colour ? "\u{1B}[1;33m\(text)\u{1B}[0m" : text }
        var lines = ["", bold("Approval needed: \(request.agent) wants to call \(request.tool)"),
                     "  arguments: \(PlainText.render(request.arguments))"]
        lines += request.reasons.map { "  why held:  \($0)" }
        lines += request.current.map { "  now:       \($0)" }
        return lines.joined(separator: "\n") + "\n" + bold("Allow this write? [y/N] ")
    }

    static func say(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
