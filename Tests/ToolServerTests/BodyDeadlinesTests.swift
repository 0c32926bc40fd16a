@testable import MCPHTTPServer
import Testing

@Suite("Body deadlines")
struct BodyDeadlinesTests {
    @Test("a read that finishes in time gives its value and leaves nothing watched")
    func readsInTime() async {
        let deadlines = BodyDeadlines(timeout: .seconds(30))
        for index in 0..<100 {
            let value = await deadlines.run { index * 2 }
            #expect(value == index * 2)
        }
        #expect(deadlines.watching == 0)
    }

    @Test("a read still going at its deadline is cancelled and gives nil")
    func slowReadsAreCutOff() async {
        let deadlines = BodyDeadlines(timeout: .milliseconds(100))
        let enforcing = Task { await deadlines.enforce() }
        defer { enforcing.cancel() }
        let started = ContinuousClock.now
        // Never finishes on its own: only cancellation ends it.
        let value = await deadlines.run { () -> Bool in
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
            return true
        }
        #expect(value == nil)
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        #expect(deadlines.watching == 0)
    }
}
