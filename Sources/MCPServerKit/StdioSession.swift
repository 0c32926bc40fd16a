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
    public func serve(input: Int32 = STDIN_FILENO, output: LineWriter) async {
        let slots = DispatchSemaphore(value: maxInFlight)
        let (events, continuation) = AsyncStream<InputEvent>.makeStream()
        let reader = FileLineReader(fd: input, maxLineBytes: maxLineBytes)
        let thread = Thread {
            reader.run { event in
                // Back-pressure: with every slot taken, stop reading; the client's writes then block.
                slots.wait()
                continuation.yield(event)
            }
            continuation.finish()
        }
        thread.name = "stdin-reader"
        thread.start()

        await withDiscardingTaskGroup { group in
            for await event in events {
                let version = version
                switch prepare(event, version: version, negotiated: { self.remember($0) }) {
                case .reply(let response):
                    if let response { await output.send(JSONWriter.bytes(response)) }
                    slots.signal()
                case .call(let id, let tool, let arguments):
                    group.addTask {
                        let response = await self.call(tool, arguments: arguments, id: id, version: version)
                        await output.send(JSONWriter.bytes(response))
                        slots.signal()
                    }
                case .batch(let batch):
                    group.addTask {
                        if let response = await self.handleBatch(batch, version: version, negotiated: { self.remember($0) }) {
                            await output.send(JSONWriter.bytes(response))
                        }
                        slots.signal()
                    }
                }
            }
        }
        logger.debug("session.end")
    }
}
