import Agents
import Dispatch
import Foundation
import JSON
import Synchronization

/// `AgentHost chat`: a conversation with the order team. Each line is a turn the manager carries
/// out with the sub-agents, told the earlier turns (see `Conversation`); its answer, with its
/// `Changes:` and `Failed:` lines, goes to stdout. One ToolServer for the whole session. Ctrl-C
/// stops the turn under way (what it wrote is listed) and returns to the prompt; Ctrl-D or /quit
/// ends the session; /new forgets the conversation.
struct ChatSession {
    let host: HostSession
    let transcript: String?
    let verbose: Bool

    /// Characters of earlier turns the manager reads: the small profile's model has 4096 tokens in all.
    static func contextBudget(_ profile: AgentProfile) -> Int { profile == .small ? 1_200 : 12_000 }

    func run() async throws {
        let llm = try host.resolveLLM()
        let settings = try host.resolveSettings(llm, approval: .destructive)
        let tracer = try host.makeTracer(console: verbose ? ConsoleTraceSink() : DelegationTraceSink())
        let log = try transcript.map(TranscriptWriter.init(path:))
        let server = try await host.startServer(tracer: tracer)
        let interactive = isatty(STDIN_FILENO) == 1
        let current = Mutex<Task<RunReport, Never>?>(nil)
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler {
            if let turn = current.withLock({ $0 }) { turn.cancel() } else if interactive { Self.tell("\n(Ctrl-D or /quit ends the session)\n› ") }
        }
        interrupt.resume()
        defer { interrupt.cancel() }

        if interactive {
            Self.tell("Order desk (\(settings.model ?? "model"), profile \(settings.profile.rawValue), approvals: "
                + "\(settings.approval.rawValue)). Type a request; /new forgets the conversation; /quit or Ctrl-D ends.\n")
        }
        var conversation = Conversation()
        var number = 0
        while true {
            if interactive { Self.tell("› ") }
            guard let line = await StdinLines.shared.next() else { break }
            let request = line.trimmingCharacters(in: .whitespaces)
            if request.isEmpty { continue }
            if request == "/quit" || request == "/exit" { break }
            if request == "/new" {
                conversation.forget()
                Self.tell("(a new conversation: the earlier turns are forgotten)\n")
                continue
            }
            number += 1
            let context = conversation.context(budget: Self.contextBudget(settings.profile))
            let turn = Task {
                await HostRun.run(instructions: [request], models: llm.models(tracer: tracer), server: server,
                                  settings: settings, tracer: tracer, context: context)
            }
            current.withLock { $0 = turn }
            let report = await turn.value
            current.withLock { $0 = nil }
            var answer = report.finalAnswer
            if report.status == .failed, !(report.error ?? "").contains("cancelled") {
                answer += (answer.isEmpty ? "" : "\n") + "(the turn failed: \(report.error ?? "unknown error"))"
            }
            FileHandle.standardOutput.write(Data(((answer.isEmpty ? "(no answer)" : answer) + "\n").utf8))
            conversation.add(.init(request: request, answer: answer))
            log?.write(turn: number, request: request, report: report, answer: answer)
        }
        if interactive { Self.tell("\n") }
        _ = await server.shutdown()
    }

    static func tell(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// `--transcript FILE`: the conversation as JSON lines, one per turn (request, answer, status,
/// writes) and one per tool call of it (agent, tool, arguments, result).
final class TranscriptWriter: Sendable {
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw HostSession.fail(3, "cannot write --transcript \(path)")
        }
        self.handle = handle
    }

    func write(turn: Int, request: String, report: RunReport, answer: String) {
        var lines: [JSONValue] = [[
            "turn": .int(Int64(turn)), "request": .string(request), "answer": .string(answer),
            "status": .string(report.status.rawValue),
            "writes": .array(report.writes.map { ["tool": .string($0.tool), "result": $0.result] }),
        ]]
        for agent in report.agents {
            for call in agent.steps.flatMap(\.toolCalls) {
                var entry: JSONObject = ["turn": .int(Int64(turn)), "agent": .string(agent.id), "tool": .string(call.name),
                                         "arguments": call.arguments, "is_error": .bool(call.isError), "result": call.result]
                if let policy = call.policy { entry["policy"] = .string(policy) }
                lines.append(.object(entry))
            }
        }
        var bytes: [UInt8] = []
        for line in lines {
            bytes += JSONWriter.bytes(line)
            bytes.append(UInt8(ascii: "\n"))
        }
        handle.write(Data(bytes))
    }
}
