import JSON
import LLMClient

/// A rule that may change, refuse, hold or stop what a model does. The agent loop runs the list of
/// policies its profile gives it (see `AgentProfile`): `check` before each tool call, `review`
/// after each step. A policy is a value: what it needs from the run is in `RunView`, so that each
/// can be tested alone.
public protocol AgentPolicy: Sendable {
    /// The policy's name in the trace, the run report and docs/agent-host.md.
    var name: String { get }
    /// Before a call runs, with its arguments as the policies before this one left them.
    func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome
    /// After a step: the model's reply, and the results of its calls if it made any.
    func review(_ step: StepView, in run: RunView) -> PolicyOutcome
}

extension AgentPolicy {
    public func check(_ call: PendingCall, in run: RunView) -> PolicyOutcome { .allow }
    public func review(_ step: StepView, in run: RunView) -> PolicyOutcome { .allow }
}

/// What a policy decides.
public enum PolicyOutcome: Sendable, Equatable {
    /// Nothing to say: the next policy decides.
    case allow
    /// The call goes on with these arguments; `note` (if any) is told to the model with the result.
    case rewrite(JSONValue, note: String?)
    /// A call is not made, or a final answer not taken; the model reads why.
    case reject(Refusal)
    /// The call waits for a person's yes (see `Approver`); `reason` is shown to them.
    case askPerson(reason: String)
    /// The agent's run ends now.
    case stop(Stop)
}

/// Why a call is not made (or an answer not taken), as the model reads it.
public struct Refusal: Sendable, Equatable {
    public var message: String
    /// The call was malformed or a repeat: it counts toward `AgentLimits.maxMalformedSteps`, and
    /// the manager does not read it among the agent's results.
    public var malformed: Bool
    /// A write refused: kept for the answer's `Failed:` line like a tool's own refusal.
    public var failsWrite: Bool

    public init(_ message: String, malformed: Bool = false, failsWrite: Bool = false) {
        self.message = message
        self.malformed = malformed
        self.failsWrite = failsWrite
    }
}

/// How a run is stopped.
public enum Stop: Sendable, Equatable {
    /// With this answer, made by the host.
    case answer(String)
    /// With the model's answer to `prompt`, asked with no tool allowed.
    case askForAnswer(prompt: String)
    /// Incomplete: with `note` as its answer and reason.
    case incomplete(note: String)
}

extension PolicyOutcome {
    static func malformed(_ message: String) -> PolicyOutcome { .reject(Refusal(message, malformed: true)) }
    static func refused(_ message: String, failsWrite: Bool = false) -> PolicyOutcome {
        .reject(Refusal(message, failsWrite: failsWrite))
    }
}

/// A call the model asked for, before it runs.
public struct PendingCall: Sendable {
    public var name: String
    /// The arguments, or why they are not a JSON object.
    public var arguments: Result<JSONValue, ArgumentsError>
    /// The agent's tool of that name (nil: it has none).
    public var tool: (any AgentTool)?
    /// The calls before this one in the same message, as checked (name and arguments).
    public var earlierInMessage: [CallKey]

    public var parsed: JSONValue? { try? arguments.get() }
    public var isWrite: Bool { tool.map { !$0.readOnly } ?? false }
}

/// A call by what it asks: tool and arguments.
public struct CallKey: Sendable, Equatable {
    public let name: String
    public let arguments: JSONValue
}

/// Arguments that are not a JSON object.
public struct ArgumentsError: Error, Sendable, Equatable {
    public let detail: String
}

/// A step as the policies review it.
public struct StepView: Sendable {
    /// The model's text (its final answer when it made no calls).
    public var content: String
    /// The step's calls, with how each went (empty: the model answered).
    public var calls: [ToolCallRecord]
    public var isAnswer: Bool { calls.isEmpty }
}

/// What the policies may read of the run so far.
public struct RunView: Sendable {
    public var agent: String
    /// The tool the delegation named, which the agent starts with (nil: the manager).
    public var firstTool: String?
    /// The call the delegation gave, when the manager gave the call itself (see `DelegateTool.calls`).
    public var delegated: CallKey? = nil
    /// The stock level the host worked the delegated call's delta out from (see `StockChange`).
    var stockLevel: StockChange? = nil
    /// The finished steps, oldest first.
    public var steps: [StepRecord]
    /// The calls that reached their tool, oldest first, each with the instruction's write count after it.
    public var made: [MadeCall]
    /// How many writes the instruction has made so far (all agents).
    public var writeCount: Int
    /// The names of the step policies that acted so far, in order (a policy that acts once checks it).
    public var interventions: [String]
    /// A person can be asked now (a terminal): a policy that doubts a call may hold it rather than refuse it.
    public var canAskPerson: Bool

    /// The calls that reached their tool and succeeded.
    public var succeeded: [ToolCallRecord] { made.map(\.record).filter { !$0.isError } }
}

/// A call that reached its tool, and the instruction's write count after it.
public struct MadeCall: Sendable {
    public let record: ToolCallRecord
    public let writesAfter: Int
}
