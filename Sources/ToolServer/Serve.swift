import ArgumentParser
import Foundation
import MCPHTTPServer
import MCPServerKit
import MongoStore
import OrderDomain

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve MCP over stdio (the default) or Streamable HTTP.",
        discussion: "Starts even when the database is down: tool calls then fail with \"database unavailable\" "
            + "and work again once it is back. With --transport http, MCP is served at http://HOST:PORT/mcp "
            + "(POST, application/json, stateless); clients send Authorization: Bearer $TOOLSERVER_TOKEN when "
            + "it is set, which it must be unless --host is loopback.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("stdio (one client that spawned the server) or http (a shared service).",
                               valueName: "transport"))
    var transport = Transport.stdio

    @OptionGroup(title: "HTTP transport") var http: HTTPOptions

    @Flag(help: "Offer only the read tools (check_stock, get_order, list_orders, list_products).")
    var readOnly = false

    @Option(name: .customLong("disable-tools"), parsing: .singleValue,
            help: ArgumentHelp("Comma-separated tools to leave out, e.g. update_stock,create_order.", valueName: "names"))
    var disabledTools: [String] = []

    @Option(name: .customLong("max-message-bytes"),
            help: ArgumentHelp("Largest accepted message; longer lines are answered with an error and skipped "
                               + "(over HTTP, longer bodies get 413).",
                               valueName: "bytes"))
    var maxMessageBytes = 4 * 1024 * 1024

    @Option(name: .customLong("max-in-flight"),
            help: ArgumentHelp("Most requests handled at once over stdio; reading pauses beyond it "
                               + "(over HTTP, --max-connections bounds them).", valueName: "n"))
    var maxInFlight = 64

    var disabled: Set<String> {
        Set(disabledTools.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    func validate() throws {
        let unknown = disabled.subtracting(ToolCatalog.allNames)
        guard unknown.isEmpty else {
            throw ValidationError("unknown tool(s) in --disable-tools: \(unknown.sorted().joined(separator: ", ")); "
                                  + "tools are \(ToolCatalog.allNames.joined(separator: ", "))")
        }
        guard maxMessageBytes >= 1024 else { throw ValidationError("--max-message-bytes must be at least 1024") }
        guard (1...10_000).contains(maxInFlight) else { throw ValidationError("--max-in-flight must be 1-10000") }
        if transport == .http { try http.validate(maxBodyBytes: maxMessageBytes) }
    }

    func run() async throws {
        // A client that goes away must not kill us mid-write; the write just fails.
        signal(SIGPIPE, SIG_IGN)
        let logger = database.makeLogger()
        let store = try database.makeStore(logger: logger)
        let tools = ToolCatalog(store: store).tools(readOnly: readOnly, disabled: disabled)
        logger.info("server.start", [
            "version": ToolServerCommand.version, "pid": String(getpid()),
            "mongodb": database.resolvedURI.redactingCredentials, "database": database.resolvedDatabase,
            "tools": tools.map(\.name).joined(separator: ","),
        ])
        let server = MCPServer(
            info: .init(name: "order-tools", title: "Order management tools", version: ToolServerCommand.version,
                        instructions: "Tools for stock, orders and deliveries. create_order reserves stock itself; "
                            + "use update_stock only for restocks and write-offs. Errors say how to fix the call."),
            tools: tools, logger: logger, maxLineBytes: maxMessageBytes, maxInFlight: maxInFlight)
        // Connect, create indexes and repair unfinished work in the background: initialize and
        // tools/list never wait for the database.
        store.startMaintenance()
        let warmUp = Task {
            do throws(OrderError) { try await store.prepare() } catch {
                logger.warning("store.unavailable", ["error": error.message])
            }
        }
        switch transport {
        case .stdio:
            await server.serve(output: LineWriter(fd: STDOUT_FILENO))
        case .http:
            do {
                try await MCPHTTPService.run(server, settings: http.settings(maxBodyBytes: maxMessageBytes), logger: logger)
            } catch {
                logger.error("http.failed", ["error": String(describing: error)])
                _exit(1)
            }
        }
        warmUp.cancel()
        logger.info("server.stop")
        // Every request has been answered and every response written (stdout and stderr are written
        // with write(2), nothing is buffered). Leave without the atexit handlers: the warm-up may
        // still be inside libmongoc on another thread, and mongoc_cleanup/OpenSSL's cleanup racing
        // it crashed the process (SIGSEGV, exit status 139) in about 1 exit in 30 on a loaded
        // machine. Work cut short here is what a crash would leave, which recovery repairs.
        _exit(0)
    }
}
