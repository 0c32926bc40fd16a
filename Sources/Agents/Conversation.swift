/// What the manager of a chat is told of the turns before the current one: each turn's request
/// and the answer it got (with its `Changes:` line, so that "those" and "it" can be resolved to
/// ids). The newest turns whole, older ones condensed to their request and changes, the oldest left
/// out with a count, within `budget` characters: nothing is cut mid-sentence without saying so.
public struct Conversation: Sendable {
    public struct Turn: Sendable, Equatable {
        public var request: String
        public var answer: String

        public init(request: String, answer: String) {
            self.request = request
            self.answer = answer
        }
    }

    public private(set) var turns: [Turn] = []

    public init() {}

    public mutating func add(_ turn: Turn) { turns.append(turn) }
    public mutating func forget() { turns = [] }

    /// The earlier turns as the manager reads them (nil: none).
    public func context(budget: Int) -> String? {
        guard !turns.isEmpty else { return nil }
        var lines: [String] = []
        var used = 0
        var condensing = false
        var left = 0
        for (offset, turn) in turns.enumerated().reversed() {
            let number = offset + 1
            let whole = "\(number). User: \(turn.request)\n   Answer: \(turn.answer.replacingOccurrences(of: "\n", with: "\n   "))"
            let short = "\(number). User: \(Self.clipped(turn.request, 200))" + (Self.changes(in: turn.answer).map { " — \($0)" } ?? "")
            if !condensing, used + whole.count <= budget {
                lines.insert(whole, at: 0)
                used += whole.count
                continue
            }
            condensing = true
            if used + short.count <= budget {
                lines.insert(short, at: 0)
                used += short.count
            } else {
                left = number
                break
            }
        }
        let head = left > 0 ? "Earlier in this conversation (the first \(left) turn\(left == 1 ? "" : "s") left out):"
            : "Earlier in this conversation:"
        return ([head] + lines).joined(separator: "\n")
    }

    /// The answer's `Changes:` line (nil: none): the ids and statuses a later turn may refer to.
    static func changes(in answer: String) -> String? {
        answer.split(separator: "\n").last { $0.hasPrefix("Changes: ") }.map(String.init)
    }

    /// `text` whole, or cut at a word before `limit` with "…" to say so.
    static func clipped(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        let cut = text.prefix(limit)
        return (cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? String(cut)) + " …"
    }
}
