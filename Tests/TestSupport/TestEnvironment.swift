import Foundation
import JSON
import MongoStore
import Synchronization

/// Where the binary under test and the database are: set by scripts/test.sh, with fallbacks for
/// running `swift test` by hand after `scripts/mongo-standin.sh start`.
package enum TestEnvironment {
    package static let environment = ProcessInfo.processInfo.environment

    package static var mongoURI: String {
        environment["TEST_MONGODB_URI"] ?? environment["MONGODB_URI"] ?? "mongodb://127.0.0.1:27018/?retryWrites=false"
    }

    /// The database for the crash tests. They kill servers inside transactions, and each restart
    /// waits until the database aborts the abandoned one (`transactionLifetimeLimitSeconds`), so
    /// scripts/test.sh gives them a stand-in of their own that aborts after 3 s. Everything else
    /// keeps mongod's 60 s: a 3 s lifetime also aborted the suite's largest legitimate
    /// transaction (100 lines) when the machine was loaded. Falls back to `mongoURI`.
    package static var crashMongoURI: String {
        environment["TEST_CRASH_MONGODB_URI"] ?? mongoURI
    }

    /// The URI the tests' own connections use: a database that stops answering fails their reads
    /// and drops after 20 s instead of libmongoc's 5 minutes, so a wedged server fails the run
    /// instead of hanging it; and a server slow to answer on a loaded machine gets 30 s to be
    /// selected instead of 5.
    package static func inspectorURI(for base: String) -> String {
        var uri = base
        for (option, value) in [("socketTimeoutMS", "20000"), ("serverSelectionTimeoutMS", "30000")]
        where !uri.lowercased().contains(option.lowercased()) {
            let hasPath = uri.split(separator: "://", maxSplits: 1).last?.contains("/") ?? false
            uri += (uri.contains("?") ? "&" : hasPath ? "?" : "/?") + "\(option)=\(value)"
        }
        return uri
    }

    package static var toolServerPath: String {
        if let path = environment["TOOLSERVER_BIN"] { return path }
        // Tests/TestSupport/TestEnvironment.swift → package root
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/ToolServer").path
    }

    /// A database of its own for one test, so tests can run in parallel.
    package static func freshDatabaseName(_ label: String = "t") -> String {
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return "test_\(label)_\(suffix)".prefix(60).description
    }
}

/// A test database seeded through `ToolServer seed`, dropped by `drop()`.
package struct TestDatabase {
    package let name: String
    /// The deployment it lives on.
    package let uri: String
    package var inspector: DatabaseInspector { Inspectors.shared.inspector(for: name, on: uri) }

    package static func make(_ label: String = "t", products: [(String, String, String, Int)] = demoProducts,
                             on uri: String = TestEnvironment.mongoURI) async throws -> TestDatabase {
        let name = TestEnvironment.freshDatabaseName(label)
        try Inspectors.shared.open(name, on: uri)
        let database = TestDatabase(name: name, uri: uri)
        if !products.isEmpty { try await database.seed(products) }
        return database
    }

    package static let demoProducts: [(String, String, String, Int)] = [
        ("prod1", "Laptop", "999.99", 10), ("prod2", "Smartphone", "599.99", 15), ("prod3", "Headphones", "99.99", 30),
    ]

    /// Seeds through the real binary's `seed` command.
    package func seed(_ products: [(String, String, String, Int)]) async throws {
        let list = JSONValue.array(products.map { id, name, price, stock in
            ["product_id": .string(id), "name": .string(name), "price": .string(price), "stock": .int(Int64(stock))]
        })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(name).json")
        try Data(JSONWriter.bytes(list)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await ProcessRunner.run(TestEnvironment.toolServerPath,
                                                 ["seed", file.path, "--mongodb-uri", TestEnvironment.inspectorURI(for: uri), "--database", name])
        guard result.status == 0 else { throw TestFailure("seed failed: \(result.stderr)") }
    }

    package var serverArguments: [String] { ["--mongodb-uri", uri, "--database", name] }

    package func stock() throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for product in try inspector.documents("products") {
            if let id = product["_id"]?.stringValue, let stock = product["stock"]?.integerValue { result[id] = stock }
        }
        return result
    }

    package func orders() throws -> [JSONValue] { try inspector.documents("orders") }

    /// Drops the database (waiting up to 25 s for it) and releases its inspector.
    package func drop() { Inspectors.shared.close(name) }
}

/// The inspectors of the test databases, by name.
///
/// Destroying a libmongoc pool joins its monitor threads, which takes up to 500 ms (the minimum
/// heartbeat interval). Done on the cooperative thread pool, which has one thread per core, that
/// would stall every other test; so the registry holds the only long-lived reference and a closed
/// inspector is released on a thread of its own.
package final class Inspectors: Sendable {
    package static let shared = Inspectors()
    private let open = Mutex<[String: DatabaseInspector]>([:])

    package func open(_ name: String, on uri: String) throws {
        let inspector = try DatabaseInspector(uri: TestEnvironment.inspectorURI(for: uri), database: name)
        open.withLock { $0[name] = inspector }
    }

    package func inspector(for name: String, on uri: String) -> DatabaseInspector {
        if let inspector = open.withLock({ $0[name] }) { return inspector }
        // Closed already, or never opened: a short-lived one still works (and costs the wait).
        do { return try DatabaseInspector(uri: TestEnvironment.inspectorURI(for: uri), database: name) } catch {
            fatalError("cannot create an inspector for \(name): \(error)")
        }
    }

    /// Drops the database and releases its inspector on a thread of their own. Waits for the drop,
    /// but not forever: a test must not hang on a server that stopped answering.
    package func close(_ name: String) {
        // Retained here and released on the thread, so that the last release happens there.
        guard let handle = open.withLock({ $0.removeValue(forKey: name).map { Unmanaged.passRetained($0) } }) else { return }
        let box = UncheckedHandle(handle: handle)
        let dropped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? box.handle.takeUnretainedValue().drop()
            dropped.signal()
            box.handle.release()
        }
        _ = dropped.wait(timeout: .now() + .seconds(25))
    }

    private struct UncheckedHandle: @unchecked Sendable {
        let handle: Unmanaged<DatabaseInspector>
    }
}

package struct TestFailure: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
