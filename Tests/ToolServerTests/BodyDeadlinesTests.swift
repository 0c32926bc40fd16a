@testable import MCPHTTPServer
import Synchronization
import Testing

@Suite("Body deadlines")
struct BodyDeadlinesTests {
    @Test("a read that finishes in time gives its value and leaves nothing watched")
    func readsInTime() async {
        let deadlines = BodyDeadlines(timeout: .seconds(30))
        for index in 0..<100 {
            let value = await deadlines.run(expire: { Issue.record("expired") }) { index * 2 }
            #expect(value == index * 2)
        }
        #expect(deadlines.watching == 0)
    }

    @Test("a read still going at its deadline is told to end and gives nil")
    func slowReadsAreCutOff() async {
        let deadlines = BodyDeadlines(timeout: .milliseconds(100))
        let enforcing = Task { await deadlines.enforce() }
        defer { enforcing.cancel() }
        let ended = Atomic<Bool>(false)
        let started = ContinuousClock.now
        // Never finishes on its own: only `expire` ends it, as closing the connection's input does.
        let value = await deadlines.run(expire: { ended.store(true, ordering: .releasing) }) { () -> Bool in
            while !ended.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(10)) }
            return true
        }
        #expect(value == nil)
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        #expect(deadlines.watching == 0)
    }
}
