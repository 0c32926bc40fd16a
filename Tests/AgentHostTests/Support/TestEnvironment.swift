import Foundation
import JSON
import MongoStore

/// Where the binaries under test and the database are: set by scripts/test.sh, with fallbacks for
/// running `swift test` by hand after `scripts/mongo-standin.sh start`. (A copy of the
/// ToolServerTests helper, plus the AgentHost binary; test targets cannot share sources.)
enum TestEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    static var mongoURI: String {
        environment["TEST_MONGODB_URI"] ?? environment["MONGODB_URI"] ?? "mongodb://127.0.0.1:27018/?retryWrites=false"
    }

    static var toolServerPath: String {
        if let path = environment["TOOLSERVER_BIN"] { return path }
        // Tests/AgentHostTests/Support/TestEnvironment.swift → package root
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/ToolServer").path
    }

    static var agentHostPath: String {
        environment["AGENTHOST_BIN"] ?? URL(fileURLWithPath: toolServerPath).deletingLastPathComponent()
            .appendingPathComponent("AgentHost").path
    }

    /// A file under Tests/AgentHostTests/Fixtures.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// A database of its own for one test, so tests can run in parallel.
    static func freshDatabaseName(_ label: String = "t") -> String {
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return "test_\(label)_\(suffix)".prefix(60).description
    }
}

/// A test database seeded through `ToolServer seed`, dropped by `drop()`.
struct TestDatabase {
    let name: String
    let inspector: DatabaseInspector

    static func make(_ label: String = "t", products: [(String, String, String, Int)] = demoProducts) async throws -> TestDatabase {
        let name = TestEnvironment.freshDatabaseName(label)
        let database = TestDatabase(name: name, inspector: try DatabaseInspector(uri: TestEnvironment.mongoURI, database: name))
        if !products.isEmpty { try await database.seed(products) }
        return database
    }

    static let demoProducts: [(String, String, String, Int)] = [
        ("prod1", "Laptop", "999.99", 10), ("prod2", "Smartphone", "599.99", 15), ("prod3", "Headphones", "99.99", 30),
    ]

    /// Seeds through the real binary's `seed` command.
    func seed(_ products: [(String, String, String, Int)]) async throws {
        let list = JSONValue.array(products.map { id, name, price, stock in
            ["product_id": .string(id), "name": .string(name), "price": .string(price), "stock": .int(Int64(stock))]
        })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(name).json")
        try Data(JSONWriter.bytes(list)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await ProcessRunner.run(TestEnvironment.toolServerPath,
                                                 ["seed", file.path, "--mongodb-uri", TestEnvironment.mongoURI, "--database", name])
        guard result.status == 0 else { throw TestFailure("seed failed: \(result.stderr)") }
    }

    var serverArguments: [String] { ["--mongodb-uri", TestEnvironment.mongoURI, "--database", name] }

    func stock() throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for product in try inspector.documents("products") {
            if let id = product["_id"]?.stringValue, let stock = product["stock"]?.integerValue { result[id] = stock }
        }
        return result
    }

    func orders() throws -> [JSONValue] { try inspector.documents("orders") }

    func drop() { try? inspector.drop() }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestEnvironment {
    /// The package root.
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func repositoryFile(_ path: String) -> String { root.appendingPathComponent(path).path }

    /// The environment for a spawned AgentHost: no LLM settings or keys from the developer's shell.
    static var childEnvironment: [String: String] {
        var env = environment.filter { !$0.key.hasSuffix("_API_KEY") }
        for name in ["LLM_MODEL", "OPENAI_BASE_URL", "LLM_COMPAT", "MONGODB_URI", "MONGODB_DATABASE", "LOG_LEVEL"] {
            env[name] = nil
        }
        return env
    }
}
