import Dispatch
import Foundation

public enum ProcessSupport {
    /// The path of `name` in the directory of the running executable (symlinks resolved): where
    /// AgentHost and AgentEval look for the ToolServer built with them. It may not exist.
    public static func sibling(_ name: String) -> String {
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// SIGINT and SIGTERM cancel `task` instead of killing the process, so that what it started
    /// (a tool server, a database) is still cleaned up. Cancel the returned sources when done.
    public static func cancelOnSignals<Success: Sendable>(_ task: Task<Success, Never>) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
    }
}
