import TestSupport
import Foundation
import Testing

@Suite struct CommandLineTests {
    func agentHost(_ arguments: [String], environment: [String: String] = TestEnvironment.childEnvironment)
        async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(TestEnvironment.agentHostPath, arguments, environment: environment, timeout: .seconds(30))
    }

    @Test func helpExplainsEveryFlagAndVariable() async throws {
        let top = try await agentHost(["--help"])
        let run = try await agentHost(["run", "--help"])
        let orders = try await agentHost(["process-orders", "--help"])
        let text = String(decoding: top.stdout + run.stdout + orders.stdout, as: UTF8.self)
        for word in ["LLM_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "LLM_COMPAT", "MONGODB_URI", "MONGODB_DATABASE", "NO_COLOR",
                     "--model", "--base-url", "--api-key-env", "--compat", "--temperature", "--llm-timeout", "--llm-attempts",
                     "--server-command", "--mongodb-uri", "--database", "--tool-timeout", "--max-steps", "--manager-max-steps",
                     "--max-parallel", "--quiet", "--json", "--trace", "--file", "Exit codes", "No generated code is ever executed"] {
            #expect(text.contains(word), "help does not mention \(word)")
        }
    }

    @Test func withoutAnLLMItSaysWhatToSet() async throws {
        let result = try await agentHost(["run", "ship everything"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("set OPENAI_API_KEY"))
        var env = TestEnvironment.childEnvironment
        env["LLM_MODEL"] = "deepseek/deepseek-chat"
        let deepseek = try await agentHost(["run", "ship everything"], environment: env)
        #expect(deepseek.status == 3)
        #expect(deepseek.stderr.contains("set DEEPSEEK_API_KEY"))
        let compat = try await agentHost(["run", "x", "--model", "ollama/x", "--compat", "nope"])
        #expect(compat.status == 3)
        #expect(compat.stderr.contains("unknown --compat 'nope'; use one of llama-cpp, llama-server, openai"))
    }

    @Test func badOrdersFilesAreRefusedBeforeAnythingStarts() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("orders-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"[{"items": [{"product_id": "prod1", "quantity": 1}]}]"#.utf8).write(to: file)
        let missing = try await agentHost(["process-orders", file.path, "--model", "ollama/x"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("orders[0] is missing 'address'"))
        try Data("[]".utf8).write(to: file)
        let empty = try await agentHost(["process-orders", file.path, "--model", "ollama/x"])
        #expect(empty.status == 3 && empty.stderr.contains("the list of orders is empty"))
        let usage = try await agentHost(["run"])
        #expect(usage.status == 64)
    }
}
