// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "OrderAgents",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ToolServer", targets: ["ToolServer"]),
        .executable(name: "AgentHost", targets: ["AgentHost"]),
        .executable(name: "AgentEval", targets: ["AgentEval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already Hummingbird's dependencies; named for the types the HTTP transport uses directly.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // libmongoc / libbson from Debian's libmongoc-dev, found through pkg-config.
        .systemLibrary(name: "CMongoc", pkgConfig: "libmongoc-1.0",
                       providers: [.apt(["libmongoc-dev", "libbson-dev"])]),
        // JSON values, a strict linear parser, a compact writer and a small JSON Schema DSL. No I/O.
        .target(name: "JSON", swiftSettings: strict),
        // Orders, stock, status transitions, validation and the store protocol. No I/O.
        .target(name: "OrderDomain", dependencies: ["JSON"], swiftSettings: strict),
        // Reused threads for blocking work, and a task executor on them: where a tool call may block.
        .target(name: "BlockingThreads", swiftSettings: strict),
        // The MongoDB implementation of the store, over libmongoc.
        .target(name: "MongoStore", dependencies: ["OrderDomain", "CMongoc", "JSON", "BlockingThreads"], swiftSettings: strict),
        // JSON-RPC 2.0, the MCP dispatch every transport shares, and the stdio session (newline-delimited).
        .target(name: "MCPServerKit", dependencies: ["JSON", "BlockingThreads"], swiftSettings: strict),
        // MCP's Streamable HTTP transport (POST /mcp, JSON answers) over Hummingbird, with its guards.
        .target(name: "MCPHTTPServer", dependencies: [
            "MCPServerKit", "JSON",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .executableTarget(name: "ToolServer", dependencies: [
            "OrderDomain", "MongoStore", "MCPServerKit", "MCPHTTPServer", "JSON",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // OpenAI-compatible chat-completions client: wire format, server quirks, retries. No MCP.
        .target(name: "LLMClient", dependencies: ["JSON"], swiftSettings: strict),
        // MCP client over a spawned server process (stdio, requests multiplexed by id) or a running
        // HTTP server (posts through LLMClient's HTTP transport).
        .target(name: "MCPClient", dependencies: ["JSON", "MCPServerKit", "LLMClient"], swiftSettings: strict),
        // The manager and sub-agent loops, tool dispatch, the trace and the run report.
        .target(name: "Agents", dependencies: ["JSON", "LLMClient", "MCPClient"], swiftSettings: strict),
        // The command-line options AgentHost and AgentEval share (the model, the agents' limits).
        .target(name: "HostCommandLine", dependencies: [
            "Agents", "LLMClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        .executableTarget(name: "AgentHost", dependencies: [
            "Agents", "LLMClient", "MCPClient", "JSON", "HostCommandLine",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // The agent evaluation's scenarios, placeholders and judge. No I/O.
        .target(name: "Evaluation", dependencies: ["JSON", "OrderDomain"], swiftSettings: strict),
        // Runs the scenarios against the configured LLM, each on a fresh database (evals/README.md).
        .executableTarget(name: "AgentEval", dependencies: [
            "Evaluation", "HostCommandLine", "Agents", "LLMClient", "MCPClient", "MongoStore", "OrderDomain", "JSON",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "BlockingThreadsTests", dependencies: ["BlockingThreads"]),
        .testTarget(name: "OrderDomainTests", dependencies: ["OrderDomain", "JSON"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "OrderDomain", "JSON"]),
        // Helpers both integration suites share: running processes, fresh test databases.
        .target(name: "TestSupport", dependencies: ["JSON", "MongoStore"], path: "Tests/TestSupport"),
        .testTarget(name: "ToolServerTests", dependencies: ["JSON", "MongoStore", "MCPClient", "TestSupport", "MCPHTTPServer", "MCPServerKit"]),
        .testTarget(name: "AgentHostTests", dependencies: ["JSON", "MongoStore", "LLMClient", "MCPClient", "Agents", "TestSupport"],
                    exclude: ["Fixtures"]),
    ]
)
