import ArgumentParser
import Foundation
import JSON
import MCPServerKit
import MongoStore
import OrderDomain

@main
struct ToolServerCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ToolServer",
        abstract: "An MCP server (stdio or HTTP) for order management: stock, orders and deliveries in MongoDB.",
        discussion: """
            With no subcommand it serves MCP over stdin/stdout (one JSON-RPC message per line). stdout carries \
            only protocol messages; logs go to stderr.

            ENVIRONMENT
              MONGODB_URI        MongoDB connection string (default mongodb://127.0.0.1:27017)
              MONGODB_DATABASE   database name (default warehouse)
              LOG_LEVEL          debug, info, warning, error or off (default info)
              TOOLSERVER_TOKEN   bearer token HTTP clients must send (required unless --host is loopback)

            EXAMPLES
              ToolServer                                   serve MCP on stdio
              ToolServer --read-only                       only check_stock, get_order, list_orders, list_products
              ToolServer --transport http --port 8000      serve MCP at http://127.0.0.1:8000/mcp
              ToolServer seed --demo                       load the demo catalogue (prod1 Laptop, ...)
              ToolServer seed products.json                upsert products from a JSON file
            """,
        version: version,
        subcommands: [Serve.self, Seed.self, Tools.self],
        defaultSubcommand: Serve.self)
}

/// Options every subcommand that touches the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("mongodb-uri"),
            help: ArgumentHelp("MongoDB connection string; overrides MONGODB_URI.", valueName: "uri"))
    var uri: String?

    @Option(help: ArgumentHelp("Database name; overrides MONGODB_DATABASE. Default: warehouse.", valueName: "name"))
    var database: String?

    @Flag(name: .customLong("no-transactions"),
          help: "Never use multi-document transactions, even where the deployment supports them.")
    var noTransactions = false

    @Option(name: .customLong("db-timeout-ms"),
            help: ArgumentHelp("How long a call waits for an unreachable database before failing.", valueName: "ms"))
    var dbTimeoutMS: Int32 = 5000

    @Option(name: .customLong("lease-ms"),
            help: ArgumentHelp("How long unfinished work of the no-transaction path is protected from recovery "
                               + "by other processes after this one stops renewing it (it crashed).", valueName: "ms"))
    var leaseMilliseconds: Int64 = 30_000

    @Option(help: ArgumentHelp("debug, info, warning, error or off; overrides LOG_LEVEL.", valueName: "level"))
    var logLevel: String?

    static let defaultURI = "mongodb://127.0.0.1:27017"

    var resolvedURI: String { uri ?? environmentSetting("MONGODB_URI") ?? Self.defaultURI }
    var resolvedDatabase: String { database ?? environmentSetting("MONGODB_DATABASE") ?? "warehouse" }

    func validate() throws {
        let name = resolvedDatabase
        guard !name.isEmpty, name.count <= 63, !name.contains(where: { "/\\. \"$\0".contains($0) }) else {
            throw ValidationError("invalid database name '\(name)': use 1-63 characters without / \\ . space \" $")
        }
        guard dbTimeoutMS > 0 else { throw ValidationError("--db-timeout-ms must be positive") }
        guard (100...3_600_000).contains(leaseMilliseconds) else { throw ValidationError("--lease-ms must be 100-3600000") }
        if let logLevel, Logger.Level(name: logLevel) == nil {
            throw ValidationError("unknown log level '\(logLevel)'; use debug, info, warning, error or off")
        }
    }

    func makeLogger() -> Logger {
        let name = logLevel ?? environmentSetting("LOG_LEVEL") ?? "info"
        return Logger(level: Logger.Level(name: name) ?? .info)
    }

    func makeStore(logger: Logger) throws -> MongoOrderStore {
        let configuration = MongoOrderStore.Configuration(
            uri: resolvedURI, database: resolvedDatabase, transactions: noTransactions ? .never : .auto,
            serverSelectionTimeoutMS: dbTimeoutMS, leaseMilliseconds: leaseMilliseconds)
        do {
            return try MongoOrderStore(configuration) { event, fields in logger.info(event, fields) }
        } catch {
            throw ValidationError(error.message)
        }
    }
}
