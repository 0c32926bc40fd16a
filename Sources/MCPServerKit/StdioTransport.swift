import Dispatch
import Foundation
import Synchronization

/// What the reader found on its input.
public enum InputEvent: Sendable {
    /// One line without its terminator.
    case line([UInt8])
    /// A line longer than the cap, skipped without being buffered; the count is its size.
    case oversized(bytes: Int)
}

/// Splits a byte stream into lines in one pass, keeping at most `maxLineBytes` of a line in
/// memory: a longer line is skipped up to its newline and reported by size, so both time and
/// memory stay linear whatever a client sends.
public struct LineSplitter {
    public let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var discarded = 0  // > 0 while skipping an oversized line

    public init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Emits each complete line of `chunk`, telling `emit` whether more of the chunk follows it.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer, emit: (InputEvent, _ moreInChunk: Bool) -> Void) {
        var start = 0
        let count = chunk.count
        while start < count {
            let newline = chunk[start..<count].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline ?? count
            let segment = UnsafeRawBufferPointer(rebasing: chunk[start..<end])
            if discarded > 0 || pending.count + segment.count > maxLineBytes {
                discarded += pending.count + segment.count
                pending.removeAll(keepingCapacity: false)
            } else {
                pending.append(contentsOf: segment)
            }
            guard newline != nil else { return }
            let more = end + 1 < count
            finishLine { emit($0, more) }
            start = end + 1
        }
    }

    /// Call at end of input: a last line without a newline still counts.
    public mutating func finish(emit: (InputEvent) -> Void) {
        if discarded > 0 || !pending.isEmpty { finishLine(emit: emit) }
    }

    private mutating func finishLine(emit: (InputEvent) -> Void) {
        if discarded > 0 {
            emit(.oversized(bytes: discarded))
            discarded = 0
            return
        }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        // Blank lines between messages are not messages.
        if pending.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) { emit(.line(pending)) }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Reads a file descriptor on a dedicated thread with blocking reads: no polling, no wake-ups
/// while idle, and it never changes the descriptor's flags (the parent shares them).
public final class FileLineReader: Sendable {
    let fd: Int32
    let maxLineBytes: Int

    public init(fd: Int32, maxLineBytes: Int) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
    }

    /// Blocks the calling thread until end of input; `emit` may block to apply back-pressure.
    public func run(emit: (InputEvent) -> Void) {
        run { (event: InputEvent, _: Bool) in emit(event) }
    }

    /// As `run(emit:)`, also telling `emit` whether more of what the last read returned follows
    /// the line (known without a system call; bytes still in the pipe are not counted).
    public func run(emit: (InputEvent, _ moreRead: Bool) -> Void) {
        var splitter = LineSplitter(maxLineBytes: maxLineBytes)
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, capacity)
            if count > 0 {
                splitter.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), emit: emit)
            } else if count == 0 {
                break
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                // Someone else made the descriptor non-blocking: wait for data instead of spinning.
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, -1)
            } else {
                break
            }
        }
        splitter.finish { emit($0, false) }
    }
}

/// Writes whole lines to a file descriptor, one line at a time under a lock, so that concurrent
/// responses never interleave, and suspends the sender until its line is written (back-pressure
/// instead of an unbounded queue when the client reads slowly).
///
/// A line of at most `PIPE_BUF` bytes is written at once by the sender when the lock is free and
/// the descriptor has room (poll without waiting), which cannot block; any other line is written
/// by a serial queue while the sender waits, so that a slow reader never blocks a thread of the
/// cooperative pool. The fast path saves two thread hand-offs per response.
public final class LineWriter: Sendable {
    private let fd: Int32
    private let queue = DispatchQueue(label: "stdout-writer")
    /// Held for the whole of one line's write, by whichever path writes it.
    private let writing = Mutex<Void>(())

    public init(fd: Int32) { self.fd = fd }

    public func send(_ line: [UInt8]) async {
        var bytes = line
        bytes.append(UInt8(ascii: "\n"))
        if bytes.count <= Int(PIPE_BUF), writing.withLockIfAvailable({ _ in writeIfReady(bytes) }) == true {
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { [self, bytes] in
                writing.withLock { _ in LineWriter.writeAll(fd: fd, bytes) }
                continuation.resume()
            }
        }
    }

    /// Writes the line on the calling thread, waiting for the lock and the descriptor: for threads
    /// that may block (the reader's own answers, a call on a `BlockingExecutor`'s worker), never
    /// for the cooperative pool's.
    public func sendBlocking(_ line: [UInt8]) {
        var bytes = line
        bytes.append(UInt8(ascii: "\n"))
        writing.withLock { _ in LineWriter.writeAll(fd: fd, bytes) }
    }

    /// Writes `bytes` (at most PIPE_BUF) if the descriptor can take them now; false when it cannot.
    private func writeIfReady(_ bytes: [UInt8]) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&descriptor, 1, 0) == 1, descriptor.revents & Int16(POLLOUT) != 0 else { return false }
        LineWriter.writeAll(fd: fd, bytes)
        return true
    }

    private static func writeAll(fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, -1)
                } else {
                    return  // EPIPE: the client is gone; nothing left to tell it.
                }
            }
        }
    }
}
