import TestSupport
import Foundation
import JSON
import Synchronization
import Testing

/// A client that floods the server with 100,000 requests and does not read the responses: the
/// server must stop reading (back-pressure) instead of buffering without bound, keep its memory
/// bounded, and answer every request exactly once when the client reads again.
@Suite struct FloodTests {
    static let requests = 100_000
    /// Peak RSS allowed: a server that buffered the flood would hold 100,000 requests and their
    /// responses (tens of MB); one that applies back-pressure stays near its idle size.
    static let rssLimitKiB = 80 * 1024

    @Test func aFloodWithoutReadingKeepsMemoryBounded() async throws {
        let database = try await TestDatabase.make("flood")
        defer { database.drop() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.toolServerPath)
        process.arguments = database.serverArguments + ["--log-level", "warning"]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let pid = process.processIdentifier

        // Every tenth request is a tool call that reaches the database; the rest are pings.
        let written = Atomic<Int>(0)
        let writer = Thread {
            let handle = stdin.fileHandleForWriting
            handle.write(Data((String.initialize + "\n").utf8))
            for index in 1...Self.requests {
                let line = index % 10 == 0
                    ? String.call(Int64(index), "check_stock", ["product_id": "prod1"])
                    : String.request(Int64(index), "ping")
                handle.write(Data((line + "\n").utf8))
                written.store(index, ordering: .relaxed)
            }
            try? handle.close()
        }
        writer.start()

        // Wait until the writer is stuck: the server has stopped reading because nobody reads
        // its responses. Measure the server's memory while it is held there.
        var last = -1
        var stalledPolls = 0
        while stalledPolls < 5 {
            try await Task.sleep(for: .milliseconds(100))
            let now = written.load(ordering: .relaxed)
            stalledPolls = now == last && now < Self.requests ? stalledPolls + 1 : 0
            last = now
            if now == Self.requests { break }
        }
        let stalledAt = last
        #expect(stalledAt < Self.requests, "the server read all 100,000 requests without anyone reading a response")
        let stalledRSS = Self.memoryKiB(pid, "VmRSS")

        // Now read everything: each request answered exactly once.
        var ids = Set<Int64>()
        var duplicates = 0
        var lines = 0
        var buffer = Data()
        let output = stdout.fileHandleForReading
        var peak = 0
        while true {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            var start = buffer.startIndex
            while let newline = buffer[start...].firstIndex(of: 0x0A) {
                lines += 1
                if let message = try? JSONParser.parse(Array(buffer[start..<newline])), let id = message["id"]?.integerValue {
                    if !ids.insert(id).inserted { duplicates += 1 }
                }
                start = newline + 1
            }
            buffer = Data(buffer[start...])
            peak = max(peak, Self.memoryKiB(pid, "VmHWM"))
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(lines == Self.requests + 1)
        #expect(ids.count == Self.requests + 1, "every request answered")
        #expect(duplicates == 0)
        #expect(stalledRSS > 0 && stalledRSS < Self.rssLimitKiB, "RSS while flooded: \(stalledRSS) KiB")
        #expect(peak < Self.rssLimitKiB, "peak RSS: \(peak) KiB")
        print("flood: writer held at \(stalledAt) of \(Self.requests) requests; RSS then \(stalledRSS / 1024) MiB, "
              + "peak \(peak / 1024) MiB (VmHWM)")
    }

    /// A field of /proc/PID/status in KiB (0 once the process is gone).
    static func memoryKiB(_ pid: Int32, _ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
