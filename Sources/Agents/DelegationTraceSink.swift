import Foundation
import JSON

/// The short live trace of a conversation, on stderr: one line per delegation of the manager (the
/// agent and its task), and a line for what went wrong (a delegation that failed, a run error).
/// `--verbose` gives the full trace (`ConsoleTraceSink`) instead.
public final class DelegationTraceSink: TraceSink {
    private let colour: Bool
    private let write: @Sendable (String) -> Void

    public init(colour: Bool? = nil, write: (@Sendable (String) -> Void)? = nil) {
        self.colour = colour ?? ConsoleTraceSink.colourOnStderr
        self.write = write ?? ConsoleTraceSink.toStderr
    }

    public func receive(_ event: TraceEvent) {
        guard let text = Self.render(event) else { return }
        write((colour ? "\u{1B}[2m\(text)\u{1B}[0m" : text) + "\n")
    }

    static func render(_ event: TraceEvent) -> String? {
        let manager = event.agent.hasPrefix("manager")
        switch event.kind {
        case .toolCall where manager:
            // A task in words, or a typed delegation's call: `create_order {delivery_address: …}`.
            let task = event.arguments?["task"]?.stringValue
                ?? [event.arguments?["tool"]?.stringValue, event.arguments?["arguments"].map(PlainText.render)]
                    .compactMap { $0 }.joined(separator: " ")
            return "  → \(event.tool ?? "?"): \(ConsoleTraceSink.short(task, 140))"
        case .toolResult where manager && event.isError == true:
            let result = event.result?["answer"]?.stringValue ?? event.result?[OrderReference.unresolvedKey]?.stringValue
                ?? event.result?.stringValue ?? ""
            return "  ✗ \(event.tool ?? "?"): \(ConsoleTraceSink.short(result, 160))"
        case .error:
            return "  ✗ \(event.message ?? "")"
        default:
            return nil
        }
    }
}
