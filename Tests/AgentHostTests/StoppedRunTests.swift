import Agents
import Foundation
import LLMClient
import MCPClient
import Synchronization
import Testing
import TestSupport

/// A run stopped (Ctrl-C) while a write is at the ToolServer: the server makes it anyway, so the
/// report must name it, or the person is told "stopped" about a change that was made.
@Suite struct StoppedRunTests {
    @Test func aWriteAlreadySentIsWaitedForAndReported() async throws {
        let database = try await TestDatabase.make("stopped", products: IdealCase.catalogue)
        defer { database.drop() }
        let ideal = IdealCase(label: "stopped", before: [.init(items: [("prod2", 3)], address: "Calle Luna 3")],
                              request: "Cancel {0}.",
                              plan: [.init(role: "delivery", tool: "update_delivery_status", task: "Cancel {0}.",
                                           steps: [[("update_delivery_status", #"{"order_id":"{0}","status":"cancelled"}"#)]])])
        let seeded = try await ideal.placeOrders(in: database)
        let id = try #require(seeded.first)
        let llm = try ScriptedLLMServer(ideal.routes(seeded: seeded))
        defer { llm.stop() }
        let url = try #require(URL(string: llm.baseURL))
        let client = ChatClient(endpoint: LLMEndpoint(baseURL: url, model: "scripted"),
                                options: ChatClientOptions(requestTimeout: .seconds(20), retry: RetryPolicy(maxAttempts: 1)))

        // The server pauses inside the cancellation, before its first write; the run is stopped
        // the moment the server says it has paused, so the call is sent and not yet answered.
        let run = Mutex<Task<RunReport, Never>?>(nil)
        let paused = Mutex(false)
        let launch = ServerLaunch(executable: TestEnvironment.toolServerPath, arguments: database.serverArguments,
                                  environment: ["LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin",
                                                "TOOLSERVER_FAULTS": "cancel.before_first_write=pause:1500"])
        let server = try await MCPClient.launch(launch, callTimeout: .seconds(20)) { line in
            guard line.contains("event=fault.pause") else { return }
            paused.withLock { $0 = true }
            run.withLock { $0 }?.cancel()
        }
        let settings = HostSettings(profile: .capable, approval: .never, approver: NobodyToAsk())
        let task = Task { await HostRun.run(instructions: ["Cancel \(id)."], models: AgentModels(client), server: server,
                                            settings: settings, tracer: Tracer(sinks: [])) }
        run.withLock { $0 = task }
        if paused.withLock({ $0 }) { task.cancel() }
        let report = await task.value
        _ = await server.shutdown(grace: .seconds(2))

        #expect(paused.withLock { $0 }, "the server never paused: the call was not made")
        #expect(report.status == .failed && (report.error ?? "").contains("cancelled"), "\(report.status) \(report.error ?? "")")
        #expect(try database.orders().first?["status"]?.stringValue == "cancelled")
        #expect(report.writes.map(\.tool) == ["update_delivery_status"], "\(report.finalAnswer)")
        #expect(report.finalAnswer.contains("Changes: update_delivery_status \(id) cancelled."), "\(report.finalAnswer)")
    }
}
