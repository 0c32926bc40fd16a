import TestSupport
import Agents
import Foundation
import JSON
import Testing

@Suite struct DemoRunTests {
    @Test func demoOrdersAreCreatedAndShipped() async throws {
        let database = try await TestDatabase.make("demo")
        defer { database.drop() }
        let outcome = try await HostHarness.run("Process these orders and ship them: 2 Laptops (prod1) and 1 Smartphone (prod2) to "
                                                + "123 Main St; 3 Headphones (prod3) to 456 Elm St.", routes: DemoScript.routes, database: database)
        print(outcome.trace)
        let report = outcome.report
        #expect(report.status == .completed, "\(report.error ?? "")")
        #expect(report.exitCode == 0)

        // What ended up in the database.
        #expect(try database.stock() == ["prod1": 8, "prod2": 14, "prod3": 27])
        let orders = try database.orders()
        #expect(orders.count == 2)
        #expect(Set(orders.compactMap { $0["status"]?.stringValue }) == ["in_transit"])
        #expect(Set(orders.compactMap { $0["delivery_address"]?.stringValue }) == ["123 Main St", "456 Elm St"])
        let ids = orders.compactMap { $0["_id"]?.stringValue }
        for id in ids { #expect(report.finalAnswer.contains(id)) }

        // What the host sent: each agent was offered only its own tools.
        let llm = outcome.llm
        #expect(llm.requests("unmatched").isEmpty)
        #expect(llm.requests("manager").count == 3)
        for request in llm.requests("manager") { #expect(request.toolNames == ["inventory", "orders", "delivery"]) }
        for request in llm.requests("orders") { #expect(request.toolNames == ["create_order", "get_order", "list_orders", "list_products"]) }
        for request in llm.requests("delivery") { #expect(request.toolNames == ["update_delivery_status", "get_order", "list_orders"]) }
        #expect(llm.requests.allSatisfy { $0.body["temperature"] == 0 })

        // Tool results went back with the ids of the calls they answer.
        for route in ["manager", "orders", "delivery"] {
            let requests = llm.requests(route)
            for (previous, next) in zip(requests, requests.dropFirst()) where !previous.answeredCallIDs.isEmpty {
                #expect(next.lastToolResults.compactMap { $0["tool_call_id"]?.stringValue } == previous.answeredCallIDs)
            }
        }
        // The manager got the orders agent's structured results (order ids, status) without asking again.
        let ordersReport = try #require(llm.requests("manager")[1].lastResults.first)
        let results = try #require(ordersReport["results"]?.arrayValue)
        #expect(results.count == 2)
        #expect(results.allSatisfy { $0["ok"] == true && $0["result"]?["status"] == "pending" })
        #expect(Set(results.compactMap { $0["result"]?["order_id"]?.stringValue }) == Set(ids))

        // The report has every agent's steps and token totals.
        #expect(report.agents.map(\.role) == ["manager", "orders", "delivery"])
        #expect(report.usage.total == llm.requests.count * 110)
        #expect(report.agents[1].steps[0].toolCalls.map(\.name) == ["create_order", "create_order"])
        #expect(outcome.trace.contains("→ create_order"))
        #expect(outcome.trace.contains("✓ update_delivery_status"))
    }

    @Test func processOrdersThroughTheBinary() async throws {
        let database = try await TestDatabase.make("demobin")
        defer { database.drop() }
        let llm = try ScriptedLLMServer(DemoScript.perOrderRoutes)
        defer { llm.stop() }
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(database.name).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "process-orders", TestEnvironment.repositoryFile("examples/demo-orders.json"),
            "--base-url", llm.baseURL, "--model", "scripted", "--trace", trace, "--agent-profile", "small",
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(60))
        print(result.stderr)
        #expect(result.status == 0, "\(result.stderr)")
        let ids = try database.orders().compactMap { $0["_id"]?.stringValue }
        #expect(ids.count == 2)
        // One numbered line per order, each with its order's id.
        let answer = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(answer.count == 2 && answer[0].hasPrefix("1. ") && answer[1].hasPrefix("2. "), "\(answer)")
        #expect(Set(answer.flatMap { ScriptedLLMServer.Request.orderIDs(in: $0) }) == Set(ids))
        // Each line ends with what the host saw written for that order.
        for line in answer {
            let id = ScriptedLLMServer.Request.orderIDs(in: line).first ?? "?"
            #expect(line.hasSuffix("Changes: create_order \(id) pending; update_delivery_status \(id) in_transit."), "\(line)")
        }
        #expect(try database.stock() == ["prod1": 8, "prod2": 14, "prod3": 27])
        // Each order has its own manager, whose instruction carries the order as data, last.
        let tasks = Array(Set(llm.requests("manager").map(\.task))).sorted()
        #expect(tasks.count == 2)
        // (then the request for a plan: see PlanTests)
        #expect(tasks.first?.contains(#"Order: <data>{"items":[{"product_id":"prod1","quantity":2},{"product_id":"prod2","quantity":1}],"delivery_address":"123 Main St"}</data>\#nReply with the list"#) == true)
        #expect(tasks.last?.contains(#"Order: <data>{"items":[{"product_id":"prod3","quantity":3}],"delivery_address":"456 Elm St"}</data>\#nReply with the list"#) == true)
        // The live trace on stderr, and the same events as JSON lines.
        #expect(result.stderr.contains("manager#2") && result.stderr.contains("orders#2") && result.stderr.contains("→ create_order"))
        // The small profile's manager plans: one model call per order, asked for a list of calls,
        // shown as a plan; the host answers once the order is in transit.
        #expect(llm.requests("manager").count == 2)
        #expect(llm.requests("manager").allSatisfy { $0.body["tool_choice"] == "required" && $0.body["parallel_tool_calls"] == true })
        #expect(result.stderr.contains("plan: 1. orders create_order  2. delivery update_delivery_status"))
        #expect(answer.allSatisfy { $0.contains("Done: that completes the instruction.") })
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        let events = try lines.map { try JSONParser.parse(String($0)) }
        // (The server's own stderr lines, relayed as warnings, may come before the run starts.)
        #expect(events.first { $0["agent"] != "server" }?["event"] == "run_started")
        #expect(events.last?["event"] == "run_finished")
        #expect(events.filter { $0["event"] == "tool_call" }.count == 8)  // per order: 2 delegations, a create, a status update
    }

    @Test func jsonReportThroughTheBinary() async throws {
        let database = try await TestDatabase.make("demojson")
        defer { database.drop() }
        let llm = try ScriptedLLMServer(DemoScript.routes)
        defer { llm.stop() }
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "Process these orders and ship them: 2 Laptops (prod1) and 1 Smartphone (prod2) to 123 Main St; "
                + "3 Headphones (prod3) to 456 Elm St.", "--json", "--quiet", "--base-url", llm.baseURL, "--model", "scripted", "--agent-profile", "small",
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let report = try JSONParser.parse(Array(result.stdout))
        #expect(report["status"] == "completed")
        #expect(report["final_answer"]?.stringValue?.hasPrefix("Created and shipped") == true)
        #expect(report["tokens"]?["total_tokens"] == .int(Int64(llm.requests.count * 110)))
        let agents = try #require(report["agents"]?.arrayValue)
        #expect(agents.compactMap { $0["id"]?.stringValue } == ["manager", "orders#1", "delivery#1"])
        let creates = agents[1]["steps"]?.arrayValue?.first?["tool_calls"]?.arrayValue ?? []
        #expect(creates.count == 2 && creates.allSatisfy { $0["is_error"] == false && $0["result"]?["order_id"] != nil })
        #expect(report["wall_time_ms"]?.integerValue != nil)
    }
}
