/// How to start the tool server: a binary with arguments, or a shell command line, and the
/// environment it gets (the host's, plus MONGODB_URI / MONGODB_DATABASE when given).
public struct ServerLaunch: Sendable, Hashable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    /// How the command reads in messages.
    public var display: String

    public init(executable: String, arguments: [String] = [], environment: [String: String]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        display = ([executable] + arguments).joined(separator: " ")
    }

    /// A command line run by /bin/sh (`exec` replaces the shell, so signals reach the server).
    public static func shell(_ command: String, environment: [String: String]) -> ServerLaunch {
        var launch = ServerLaunch(executable: "/bin/sh", arguments: ["-c", "exec \(command)"], environment: environment)
        launch.display = command
        return launch
    }
}
