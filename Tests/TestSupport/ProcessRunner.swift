import Foundation
import Synchronization

/// Runs a process to completion, feeding it `input` and collecting stdout and stderr, without
/// blocking the cooperative thread pool.
package enum ProcessRunner {
    package struct Result: Sendable {
        package let status: Int32
        package let stdout: Data
        package let stderr: String
        /// stdout split into lines (the terminator removed).
        package var lines: [String] {
            String(decoding: stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .dropLast(stdout.last == UInt8(ascii: "\n") ? 1 : 0).map(String.init)
        }
    }

    /// `timeout`: the process is killed (SIGKILL) if it is still running then.
    package static func run(_ path: String, _ arguments: [String], input: Data = Data(), environment: [String: String]? = nil,
                    timeout: Duration = .seconds(120)) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let seconds = Double(timeout.components.seconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                // Write input on its own thread so a process that answers while we write never deadlocks.
                let writer = Thread {
                    stdin.fileHandleForWriting.write(input)
                    try? stdin.fileHandleForWriting.close()
                }
                writer.start()
                let errors = Mutex(Data())
                let errorReader = Thread { errors.withLock { $0 = stderr.fileHandleForReading.readDataToEndOfFile() } }
                errorReader.start()
                let output = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                while errorReader.isExecuting || !errorReader.isFinished { usleep(1000) }
                continuation.resume(returning: Result(status: process.terminationStatus, stdout: output,
                                                      stderr: String(decoding: errors.withLock { $0 }, as: UTF8.self)))
            }
        }
    }
}
