import BlockingThreads
import Dispatch
import Foundation
import JSON

extension MCPServer {
    /// Serves one session over newline-delimited JSON-RPC until `input` ends, then waits for
    /// every request in flight to be answered.
    ///
    /// Control messages (`initialize`, `ping`, `tools/list`, errors) are answered in the order they
    /// arrive; `tools/call` requests run concurrently, at most `maxInFlight` at a time, and their
    /// responses are matched by id. The version `initialize` negotiates holds for the session.
    ///
    /// The reader thread reads, parses and answers control messages itself, and starts each call
    /// as a task on a `BlockingExecutor`: the call then validates, reaches the database, encodes
    /// and writes its response on one worker thread, one thread hand-off in all (every further
    /// one waits for a core on a busy machine). They are unstructured tasks because only the reader
    /// thread sees the calls come; it counts them, and the session ends when input has ended and
    /// the last one has been answered. A read that comes alone is run by the reader itself (see
    /// `ReaderCalls`), with no thread to wake: the latency of a client that waits for each answer.
    public func serve(input: Int32 = STDIN_FILENO, output: LineWriter) async {
        let slots = DispatchSemaphore(value: maxInFlight)
        let calls = DispatchGroup()
        let executor = BlockingExecutor(name: "mcp-call")
        let inline = CallingThreadExecutor()
        let readerCalls = ReaderCalls()
        let reader = FileLineReader(fd: input, maxLineBytes: maxLineBytes)
        let start = { @Sendable (work: @escaping @Sendable () async -> JSONValue?) in
            calls.enter()
            readerCalls.inFlight.add(1, ordering: .relaxed)
            Task(executorPreference: executor) {
                // A worker thread may wait for the client to read: no hop to the writer queue.
                if let response = await work() { output.sendBlocking(JSONWriter.bytes(response)) }
                readerCalls.inFlight.subtract(1, ordering: .relaxed)
                slots.signal()
                calls.leave()
            }
        }
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                reader.run { event, moreRead in
                    // Back-pressure: with every slot taken, stop reading; the client's writes then block.
                    slots.wait()
                    let version = self.version
                    switch self.prepare(event, version: version, negotiated: { self.remember($0) }) {
                    case .reply(let response):
                        if let response { output.sendBlocking(JSONWriter.bytes(response)) }
                        slots.signal()
                    case .call(let id, let tool, let arguments)
                        where readerCalls.runsOnReader(readOnly: tool.annotations.readOnly, moreRead: moreRead):
                        inline.run {
                            let response = await readerCalls.timed(read: true) {
                                await self.call(tool, arguments: arguments, id: id, version: version)
                            }
                            output.sendBlocking(JSONWriter.bytes(response))
                        }
                        slots.signal()
                    case .call(let id, let tool, let arguments):
                        let read = tool.annotations.readOnly
                        start { await readerCalls.timed(read: read) { await self.call(tool, arguments: arguments, id: id, version: version) } }
                    case .batch(let batch):
                        start { await self.handleBatch(batch, version: version, negotiated: { self.remember($0) }) }
                    }
                }
                calls.wait()
                finished.resume()
            }
            thread.name = "stdin-reader"
            thread.start()
        }
        logger.debug("session.end")
    }
}
