import Foundation
import JSON

/// The live, human-readable trace on stderr: time, agent, step, each tool call with its
/// arguments and a short result, errors highlighted (in colour on a terminal), durations.
public final class ConsoleTraceSink: TraceSink {
    private let colour: Bool
    private let write: @Sendable (String) -> Void

    public init(colour: Bool? = nil, write: (@Sendable (String) -> Void)? = nil) {
        self.colour = colour ?? Self.colourOnStderr
        self.write = write ?? Self.toStderr
    }

    /// Colour when stderr is a terminal and NO_COLOR is not set.
    static var colourOnStderr: Bool { isatty(2) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }
    static let toStderr: @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

    public func receive(_ event: TraceEvent) {
        guard let text = Self.render(event, colour: colour) else { return }
        write(text + "\n")
    }

    static func render(_ event: TraceEvent, colour: Bool) -> String? {
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let time = String(format: "%7.2fs", event.time)
        let agent = event.agent.padding(toLength: max(event.agent.count, 11), withPad: " ", startingAt: 0)
        let step = event.step.map { "step \($0)".padding(toLength: 8, withPad: " ", startingAt: 0) } ?? "        "
        let head = "\(paint(time, "2")) \(paint(agent, "1")) \(step)"
        let duration = event.durationMs.map { " (\(Self.duration($0)))" } ?? ""
        switch event.kind {
        case .runStarted:
            return "\(head)\(paint("run", "1")): \(short(event.message ?? "", 300))"
        case .agentStarted:
            return "\(head)task: \(short(event.message ?? "", 200))"
        case .modelReplied:
            var parts: [String] = []
            if let ms = event.durationMs { parts.append(Self.duration(ms)) }
            if let usage = event.usage { parts.append("\(usage.prompt)+\(usage.completion) tokens") }
            let meta = parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
            let text = event.message.flatMap { $0.isEmpty ? nil : " \"\(short($0, 160))\"" } ?? ""
            return "\(head)\(paint("model", "36"))\(meta)\(text)"
        case .plan:
            return "\(head)\(paint("plan", "36")): \(short(event.message ?? "", 300))"
        case .toolCall:
            let arguments = event.arguments.map { short(JSONWriter.string($0), 240) } ?? ""
            return "\(head)\(paint("→ \(event.tool ?? "?")", "33")) \(arguments)"
        case .toolResult:
            let result = event.result.map { $0.stringValue ?? JSONWriter.string($0) } ?? ""
            // (The policy that refused the call, or rewrote it: what it told the model.)
            let policy = event.policy.map { " [\($0)]" } ?? ""
            if event.isError == true {
                return "\(head)\(paint("✗ \(event.tool ?? "?")\(policy)\(duration): \(short(result, 300))", "31"))"
            }
            let note = event.message.map { "\(policy) " + short($0, 160) } ?? ""
            return "\(head)\(paint("✓ \(event.tool ?? "?")", "32"))\(duration)\(note) \(short(result, 200))"
        case .agentFinished:
            let status = event.isError == true ? paint(event.message ?? "", "31") : paint("done", "32")
            let answer = event.result?.stringValue.map { ": \(short($0, 240))" } ?? ""
            return "\(head)\(status)\(duration)\(answer)"
        case .retry, .warning:
            return "\(head)\(paint("! \(event.message ?? "")", "33"))"
        case .error:
            return "\(head)\(paint("✗ \(event.message ?? "")", "1;31"))"
        case .runFinished:
            var text = event.message ?? ""
            if let ms = event.durationMs { text += " in \(Self.duration(ms))" }
            if let usage = event.usage { text += ", \(usage.total) tokens" }
            return "\(head)\(event.isError == true ? paint(text, "1;31") : paint(text, "1;32"))"
        }
    }

    static func duration(_ ms: Int) -> String { ms < 1000 ? "\(ms) ms" : String(format: "%.1f s", Double(ms) / 1000) }

    /// One line, at most `limit` characters.
    static func short(_ text: String, _ limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }
}
