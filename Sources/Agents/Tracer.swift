import Foundation
import JSON
import Synchronization

/// Where trace events go.
public protocol TraceSink: Sendable {
    func receive(_ event: TraceEvent)
}

/// Stamps events with the run's clock and hands them to every sink, one event at a time so
/// lines from concurrent agents never interleave.
public final class Tracer: Sendable {
    private let sinks: [any TraceSink]
    private let start = ContinuousClock.now
    private let lock = Mutex(())

    public init(sinks: [any TraceSink]) { self.sinks = sinks }

    public var elapsed: Duration { ContinuousClock.now - start }

    public func emit(_ event: TraceEvent) {
        var stamped = event
        let elapsed = elapsed
        stamped.time = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        lock.withLock { _ in for sink in sinks { sink.receive(stamped) } }
    }
}

/// Writes events as JSON lines to a file as the run goes (`--trace FILE`).
public final class JSONLinesTraceSink: TraceSink {
    private let handle: FileHandle

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    public func receive(_ event: TraceEvent) {
        var line = JSONWriter.bytes(event.json)
        line.append(UInt8(ascii: "\n"))
        handle.write(Data(line))
    }
}

/// Keeps every event in memory (tests, and the report's event count).
public final class CollectingTraceSink: TraceSink {
    private let store = Mutex<[TraceEvent]>([])
    public init() {}
    public func receive(_ event: TraceEvent) { store.withLock { $0.append(event) } }
    public var events: [TraceEvent] { store.withLock { $0 } }
}
