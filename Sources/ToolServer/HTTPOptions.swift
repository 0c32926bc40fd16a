import ArgumentParser
import Foundation
import MCPHTTPServer

/// How the tools are served: stdio for a client that spawns the server, HTTP for a shared service.
enum Transport: String, ExpressibleByArgument, CaseIterable {
    case stdio
    case http
}

/// The options of `--transport http`. The bearer token is read from TOOLSERVER_TOKEN only: a
/// secret on the command line would show in `ps`.
struct HTTPOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Address to listen on with --transport http. Anything but loopback requires "
                               + "TOOLSERVER_TOKEN.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("Port for --transport http (0: any free port, logged as http.listening).",
                               valueName: "port"))
    var port = 8000

    @Option(name: .customLong("allow-origin"), parsing: .singleValue,
            help: ArgumentHelp("A browser Origin allowed besides loopback ones (repeatable), e.g. https://app.example.com; "
                               + "others get 403.", valueName: "origin"))
    var allowedOrigins: [String] = []

    @Option(name: .customLong("max-connections"),
            help: ArgumentHelp("HTTP connections served at once; more wait until one closes.", valueName: "n"))
    var maxConnections = 64

    @Option(name: .customLong("body-timeout-ms"),
            help: ArgumentHelp("How long a request body may take to arrive before 408.", valueName: "ms"))
    var bodyTimeoutMS = 10_000

    @Option(name: .customLong("idle-timeout-ms"),
            help: ArgumentHelp("How long an idle keep-alive connection is kept open.", valueName: "ms"))
    var idleTimeoutMS = 60_000

    static let tokenVariable = "TOOLSERVER_TOKEN"

    /// The settings, with the body cap of --max-message-bytes and the token from the environment.
    func settings(maxBodyBytes: Int, environment: [String: String] = ProcessInfo.processInfo.environment) -> HTTPSettings {
        let token = environmentSetting(Self.tokenVariable, in: environment)
        return HTTPSettings(host: host, port: port, token: token, allowedOrigins: allowedOrigins, maxBodyBytes: maxBodyBytes,
                            bodyTimeout: .milliseconds(bodyTimeoutMS), idleTimeout: .milliseconds(idleTimeoutMS),
                            maxConnections: maxConnections)
    }

    func validate(maxBodyBytes: Int) throws {
        guard (1...10_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1-10000") }
        guard (100...3_600_000).contains(bodyTimeoutMS) else { throw ValidationError("--body-timeout-ms must be 100-3600000") }
        guard (100...3_600_000).contains(idleTimeoutMS) else { throw ValidationError("--idle-timeout-ms must be 100-3600000") }
        do throws(HTTPSettingsError) {
            try settings(maxBodyBytes: maxBodyBytes).validate()
        } catch {
            throw ValidationError(error.description)
        }
    }
}
