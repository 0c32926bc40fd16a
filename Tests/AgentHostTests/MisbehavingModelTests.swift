import TestSupport
import Foundation
import JSON
import LLMClient
import Testing

/// The agent host under a model or an endpoint that misbehaves on purpose, through the real
/// AgentHost binary: it never crashes or hangs, never sends the ToolServer a call that failed
/// validation, hands the model a precise error where a retry can help, and otherwise ends with a
/// clear error line and a non-zero exit code.
///
/// Times are only ever checked from below (a wait of at least Retry-After, a timeout after at
/// least --llm-timeout): the machine may be loaded; the only upper bound is the process timeout
/// that turns a hang into a failure.
@Suite struct MisbehavingModelTests {
    typealias Turn = ScriptedLLMServer.Turn
    typealias Request = ScriptedLLMServer.Request

    static let untouchedStock: [String: Int64] = ["prod1": 10, "prod2": 15, "prod3": 30]
    static let oneLaptop: JSONValue = ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": "1 Main St"]

    /// One run of the AgentHost binary with `--json`, its ToolServer's stdin copied to a file.
    struct BinaryRun {
        let status: Int32
        let report: JSONValue
        let stderr: String
        /// The `tools/call` requests the ToolServer received: name and arguments.
        let toolCalls: [(name: String, arguments: JSONValue)]

        /// The host's own lines on stderr ("AgentHost: error: …").
        var hostLines: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("AgentHost: ") } }

        func agent(_ id: String) -> JSONValue? { report["agents"]?.arrayValue?.first { $0["id"]?.stringValue == id } }

        /// Every tool call of an agent's steps, as in the report.
        func calls(_ id: String) -> [[JSONValue]] {
            (agent(id)?["steps"]?.arrayValue ?? []).map { $0["tool_calls"]?.arrayValue ?? [] }
        }
    }

    static func run(_ llm: ScriptedLLMServer, _ database: TestDatabase, _ flags: [String] = [],
                    instruction: String = "Order one laptop to 1 Main St.") async throws -> BinaryRun {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("toolserver-in-\(database.name)-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let command = "tee '\(log)' | '\(TestEnvironment.toolServerPath)'"
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", instruction, "--json", "--base-url", llm.baseURL, "--model", "scripted", "--server-command", command,
            "--agent-profile", "small",
        ] + flags + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(120))
        let report = (try? JSONParser.parse(Array(result.stdout))) ?? .null
        let lines = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        var calls = lines.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            .filter { $0["method"] == "tools/call" }
            .map { (name: $0["params"]?["name"]?.stringValue ?? "", arguments: $0["params"]?["arguments"] ?? .null) }
        // The host's own read of the catalogue, first (see `HostRun.productIDs`): not an agent's call.
        if calls.first?.name == "list_products", calls.first?.arguments == ["limit": 500] { calls.removeFirst() }
        return BinaryRun(status: result.status, report: report, stderr: result.stderr, toolCalls: calls)
    }

    /// An assistant message with tool calls given as raw text (`arguments` need not be JSON).
    static func rawCalls(_ prefix: String, _ calls: [(name: String, arguments: String)]) -> Turn {
        let list: [JSONValue] = calls.enumerated().map { index, call in
            ["id": .string("\(prefix)_\(index)"), "type": "function",
             "function": ["name": .string(call.name), "arguments": .string(call.arguments)]]
        }
        return .body(["choices": [["message": ["role": "assistant", "content": "", "tool_calls": .array(list)],
                                   "finish_reason": "tool_calls"]]])
    }

    /// The texts of the tool results the model was given in this request, by call id.
    static func results(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for message in request.lastToolResults {
            if let id = message["tool_call_id"]?.stringValue { out[id] = message["content"]?.stringValue ?? "" }
        }
        return out
    }

    /// Waits (at most 10 s) for the scripted server to see what the exited host left behind.
    static func settle(_ llm: ScriptedLLMServer, until done: @escaping @Sendable (ScriptedLLMServer) -> Bool) async throws {
        for _ in 0..<200 where !done(llm) { try await Task.sleep(for: .milliseconds(50)) }
    }

    // MARK: Calls the host must refuse

    @Test func argumentsThatAreNotJSONOrFailTheSchemaNeverReachTheToolServer() async throws {
        let database = try await TestDatabase.make("badargs")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod1 x1 to \"1 Main St\"."])]),
                .dynamic { request in .answer("Created \(Request.orderIDs(in: request.lastResultText).joined()).") },
            ]),
            .agent("orders", [
                Self.rawCalls("s1", [("create_order", "{items: oops"), ("create_order", "[1, 2]")]),
                .calls([
                    .init("create_order", ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": "1 Main St",
                                           "gift_wrap": true]),
                    .init("create_orders", Self.oneLaptop),
                ]),
                // Valid at last: the call the manager named succeeds, and the agent is done.
                .calls([.init("create_order", Self.oneLaptop)]),
            ]),
        ])
        defer { llm.stop() }
        let run = try await Self.run(llm, database)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.report["status"] == "completed")

        // Only the valid call reached the ToolServer; the database holds exactly its order.
        #expect(run.toolCalls.map(\.name) == ["create_order"])
        #expect(run.toolCalls.first?.arguments == Self.oneLaptop)
        let orders = try database.orders()
        #expect(orders.count == 1)
        #expect(try database.stock()["prod1"] == 9)

        // The model was told precisely what was wrong with each call, under its id.
        var parseError = ""
        do { _ = try JSONParser.parse("{items: oops") } catch { parseError = "\(error)" }
        #expect(!parseError.isEmpty)
        let requests = llm.requests("orders")
        #expect(requests.count == 3)
        let first = Self.results(requests[1])
        #expect(first["s1_0"] == "invalid arguments for create_order: not valid JSON (\(parseError)). "
            + "Send one JSON object that matches the tool's schema. Nothing was called.")
        #expect(first["s1_1"] == "invalid arguments for create_order: arguments must be a JSON object, got array. "
            + "Send one JSON object that matches the tool's schema. Nothing was called.")
        let second = requests[2].lastToolResults.compactMap { $0["content"]?.stringValue }
        #expect(second.count == 2)
        #expect(second.first?.hasPrefix("invalid arguments for create_order: gift_wrap: unknown field 'gift_wrap'; allowed fields: ")
            == true, "\(second)")
        #expect(second.first?.hasSuffix("Fix the call to match the tool's schema. Nothing was called.") == true)
        #expect(second.last == "unknown tool 'create_orders'. Your tools: create_order, get_order, list_orders, list_products.")
        #expect(requests[2].lastToolResults.compactMap { $0["tool_call_id"]?.stringValue } == requests[1].answeredCallIDs)

        // The report marks the refused calls as refused by the host.
        let steps = run.calls("orders#1")
        #expect(steps.count == 3)
        #expect(steps[0].count == 2 && steps[0].allSatisfy { $0["rejected_by_host"] == true && $0["is_error"] == true })
        #expect(steps[1].count == 2 && steps[1].allSatisfy { $0["rejected_by_host"] == true })
        #expect(steps[2].count == 1 && steps[2][0]["rejected_by_host"] == nil && steps[2][0]["is_error"] == false)
        let id = try #require(orders.first?["_id"]?.stringValue)
        // The model's answer, then the host's line of what was written.
        #expect(run.report["final_answer"]?.stringValue == "Created \(id).\nChanges: create_order \(id) pending.")
    }

    @Test func aCallToAnotherAgentsToolIsRefusedWithWhoseItIs() async throws {
        let database = try await TestDatabase.make("foreign")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([
            .agent("manager", [
                // The manager has no database tools: it must delegate.
                .calls([.init("create_order", Self.oneLaptop)]),
                .calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod1 x1 to \"1 Main St\"."])]),
                .answer("Done."),
            ]),
            .agent("orders", [
                // The orders agent must not touch the stock itself.
                .calls([.init("update_stock", ["product_id": "prod1", "delta": -1])]),
                .calls([.init("create_order", Self.oneLaptop)]),
                .answer("Created."),
            ]),
        ])
        defer { llm.stop() }
        let run = try await Self.run(llm, database)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.report["status"] == "completed")
        #expect(run.toolCalls.map(\.name) == ["create_order"])
        #expect(try database.stock()["prod1"] == 9)  // not 8: update_stock never ran
        #expect(try database.orders().count == 1)

        let manager = llm.requests("manager")
        #expect(manager[1].lastToolResults.first?["content"]?.stringValue == "'create_order' is not one of your tools (it belongs to the "
            + "orders agent: delegate with orders(tool: create_order, task)). Nothing was called. Your tools: inventory, orders, delivery.")
        let orders = llm.requests("orders")
        #expect(orders[1].lastToolResults.first?["content"]?.stringValue == "'update_stock' is not one of your tools (it belongs to the "
            + "inventory agent). Nothing was called. Your tools: create_order, get_order, list_orders, list_products.")
        #expect(run.calls("manager").first?.first?["rejected_by_host"] == true)
        #expect(run.calls("orders#1").first?.first?["rejected_by_host"] == true)
    }

    // MARK: Empty replies

    @Test func anEmptyReplyIsAskedForOnceMore() async throws {
        let database = try await TestDatabase.make("emptyonce")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([.agent("manager", [.answer(""), .answer("Nothing to do.")])])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, instruction: "Do nothing.")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.report["status"] == "completed")
        #expect(run.report["final_answer"] == "Nothing to do.")
        let second = try #require(llm.requests("manager").last)
        let tail = Array(second.messages.suffix(2))
        #expect(tail.count == 2)
        let assistant: JSONValue = ["role": "assistant", "content": ""]
        let nudge: JSONValue = ["role": "user", "content": "Your reply was empty. Give your final answer now."]
        #expect(tail == [assistant, nudge])
    }

    @Test func aModelThatStaysEmptyLeavesTheRunIncomplete() async throws {
        let database = try await TestDatabase.make("emptytwice")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([.agent("manager", [.answer(""), .answer("  \n")])])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, instruction: "Do nothing.")
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.report["status"] == "incomplete")
        #expect(run.report["final_answer"] == "(no final answer: the model's reply was empty twice)")
        #expect(run.agent("manager")?["note"] == "no final answer: the model's reply was empty twice")
        #expect(run.hostLines == ["AgentHost: the run is incomplete: manager: no final answer: the model's reply was empty twice"])
        #expect(llm.requests.count == 2)
        #expect(try database.stock() == Self.untouchedStock)
    }

    @Test func anEmptyBodyIsRetriedThenReported() async throws {
        let database = try await TestDatabase.make("emptybody")
        defer { database.drop() }
        let empty = Turn.status(200, body: "", headers: [:])
        let once = try ScriptedLLMServer([.agent("manager", [empty, .answer("Nothing to do.")])])
        defer { once.stop() }
        let recovered = try await Self.run(once, database, ["--llm-attempts", "2"], instruction: "Do nothing.")
        #expect(recovered.status == 0, "\(recovered.stderr)")
        #expect(recovered.report["final_answer"] == "Nothing to do.")
        #expect(recovered.stderr.contains("answered HTTP 200 with an empty body); retrying in"))

        let always = try ScriptedLLMServer([.agent("manager", [empty, empty, empty])])
        defer { always.stop() }
        let failed = try await Self.run(always, database, ["--llm-attempts", "2"], instruction: "Do nothing.")
        #expect(failed.status == 1)
        #expect(failed.report["status"] == "failed")
        #expect(failed.hostLines == ["AgentHost: error: manager: the LLM endpoint \(always.baseURL)/chat/completions answered "
            + "HTTP 200 with an empty body (gave up after 2 attempts, --llm-attempts)"])
        #expect(always.requests.count == 2)
        #expect(try database.stock() == Self.untouchedStock)
    }

    // MARK: Size and truncation

    @Test(arguments: [true, false])
    func aReplyOverTheSizeLimitIsNeitherReadToTheEndNorRetried(declaringLength: Bool) async throws {
        let database = try await TestDatabase.make("huge")
        defer { database.drop() }
        let total = 64 << 20
        let llm = try ScriptedLLMServer([
            .agent("manager", [.calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod1 x1 to \"1 Main St\"."])]), .answer("?")]),
            .agent("orders", [.large(bytes: total, declaringLength: declaringLength), .answer("unreachable")]),
        ])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, ["--llm-attempts", "3"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.report["status"] == "failed")
        #expect(run.hostLines == ["AgentHost: error: orders#1: the LLM endpoint \(llm.baseURL)/chat/completions sent a response "
            + "larger than 8 MiB; it was not read further (a runaway reply? limit the reply length on the server)"])
        #expect(llm.requests("orders").count == 1)  // not retried
        // The host stopped reading: the server could not write the whole body.
        try await Self.settle(llm) { $0.requests("orders").first?.responded != nil }
        let sent = try #require(llm.requests("orders").first?.bytesSent)
        #expect(sent < total / 2, "the server wrote \(sent) of \(total) bytes")
        #expect(run.toolCalls.isEmpty)
        #expect(try database.stock() == Self.untouchedStock)
    }

    @Test func aReplyOfSeveralMegabytesWithinTheLimitIsAccepted() async throws {
        let database = try await TestDatabase.make("large")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([.agent("manager", [.large(bytes: 3 << 20, declaringLength: false)])])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, instruction: "Say a lot.")
        #expect(run.status == 0, "\(run.stderr)")
        let answer = try #require(run.report["final_answer"]?.stringValue)
        #expect(answer.utf8.count > 3_000_000 && answer.allSatisfy { $0 == "x" })
        #expect(run.stderr.utf8.count < 100_000)  // the live trace shortens it
    }

    @Test func aResponseCutMidwayIsRetriedAndItsCallsAreNotRun() async throws {
        let database = try await TestDatabase.make("cut")
        defer { database.drop() }
        let create = Turn.calls([.init("create_order", Self.oneLaptop)])
        let llm = try ScriptedLLMServer([
            .agent("manager", [.calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod1 x1 to \"1 Main St\"."])]), .answer("Done.")]),
            .agent("orders", [.cut(create, afterBytes: 60), create, .answer("Created.")]),
        ])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, ["--llm-attempts", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.report["status"] == "completed")
        #expect(run.stderr.contains("closed the connection before its response was complete"))
        #expect(run.stderr.contains("retrying in"))
        // Only the complete answer's call ran: one order, not two.
        #expect(run.toolCalls.map(\.name) == ["create_order"])
        #expect(try database.orders().count == 1)
        #expect(try database.stock()["prod1"] == 9)
    }

    @Test func aResponseCutMidwayFailsTheRunWhenNotRetried() async throws {
        let database = try await TestDatabase.make("cutfail")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([
            .agent("manager", [.cut(.calls([.init("orders", ["tool": "create_order", "task": "Create an order."])]), afterBytes: 60)]),
        ])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, ["--llm-attempts", "1"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.report["status"] == "failed")
        let line = try #require(run.hostLines.first)
        #expect(line.hasPrefix("AgentHost: error: manager: the LLM endpoint \(llm.baseURL)/chat/completions closed the "
            + "connection before its response was complete ("), "\(line)")
        #expect(llm.requests.count == 1)
        #expect(run.toolCalls.isEmpty)
        #expect(try database.orders().isEmpty)
    }

    // MARK: Timeouts, rate limits, server errors

    @Test func anEndpointThatNeverAnswersTimesOut() async throws {
        let database = try await TestDatabase.make("hang")
        defer { database.drop() }
        let llm = try ScriptedLLMServer([.agent("manager", [.hang, .hang, .hang])])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, ["--llm-timeout", "1", "--llm-attempts", "2"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.report["status"] == "failed")
        #expect(run.hostLines == ["AgentHost: error: manager: no answer from the LLM endpoint \(llm.baseURL)/chat/completions "
            + "within 1.0 s (--llm-timeout) (gave up after 2 attempts, --llm-attempts)"])
        let requests = llm.requests
        #expect(requests.count == 2)
        // Each attempt waited for its timeout before the host let go of the connection (checked
        // with a margin: the server records the arrival a little after the host starts its clock).
        try await Self.settle(llm) { $0.requests.allSatisfy { $0.clientClosed != nil } }
        for request in requests {
            let closed = try #require(request.clientClosed)
            #expect(closed - request.arrived >= .milliseconds(500))
        }
        #expect(requests[1].arrived - requests[0].arrived >= .milliseconds(990))
        #expect(try database.stock() == Self.untouchedStock)
    }

    @Test func stopReleasesAConnectionHeldByAHang() async throws {
        let llm = try ScriptedLLMServer([.any([.hang])])
        let client = try scriptedClient(llm, timeout: .seconds(600))
        let call = Task { () -> LLMError? in
            do throws(LLMError) { _ = try await client.complete(ChatRequest(messages: [.user("hi")])) } catch { return error }
            return nil
        }
        try await Self.settle(llm) { $0.requests.count == 1 }
        #expect(llm.openConnections == 1)
        llm.stop()
        // The client sees the connection close, not its 10-minute timeout.
        let error = await call.value
        guard case .connection? = error else { Issue.record("expected a connection error, got \(String(describing: error))"); return }
        try await Self.settle(llm) { $0.openConnections == 0 }
        #expect(llm.openConnections == 0)
    }

    @Test func aBurstOf429sIsRetriedNoSoonerThanRetryAfter() async throws {
        let database = try await TestDatabase.make("burst")
        defer { database.drop() }
        let limited = Turn.status(429, body: #"{"error":{"message":"Rate limit reached for requests"}}"#, headers: ["Retry-After": "1"])
        let llm = try ScriptedLLMServer([.agent("manager", [limited, limited, limited, .answer("Nothing to do.")])])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, ["--llm-attempts", "4"], instruction: "Do nothing.")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.report["final_answer"] == "Nothing to do.")
        let requests = llm.requests
        #expect(requests.count == 4)
        for (previous, next) in zip(requests, requests.dropFirst()) {
            let answered = try #require(previous.responding)
            #expect(next.arrived - answered >= .seconds(1))
        }
        #expect(run.stderr.components(separatedBy: "answered HTTP 429: Rate limit reached for requests); retrying in 1.0 s").count == 4)
    }

    @Test func tooMany429sFailWithTheNumberOfAttempts() async throws {
        let database = try await TestDatabase.make("burstfail")
        defer { database.drop() }
        let limited = Turn.status(429, body: #"{"error":{"message":"Rate limit reached for requests"}}"#, headers: ["Retry-After": "1"])
        let llm = try ScriptedLLMServer([.agent("manager", Array(repeating: limited, count: 6))])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, ["--llm-attempts", "3"], instruction: "Do nothing.")
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.report["status"] == "failed")
        #expect(run.hostLines == ["AgentHost: error: manager: the LLM endpoint \(llm.baseURL)/chat/completions answered HTTP 429: "
            + "Rate limit reached for requests (gave up after 3 attempts, --llm-attempts)"])
        let requests = llm.requests
        #expect(requests.count == 3)
        for (previous, next) in zip(requests, requests.dropFirst()) {
            let answered = try #require(previous.responding)
            #expect(next.arrived - answered >= .seconds(1))
        }
    }

    @Test func aRetryAfterLongerThanTheHostWaitsIsNotCutShort() async throws {
        let database = try await TestDatabase.make("retrylong")
        defer { database.drop() }
        let limited = Turn.status(429, body: #"{"error":{"message":"Rate limit reached for requests"}}"#,
                                  headers: ["Retry-After": "3600"])
        let llm = try ScriptedLLMServer([.agent("manager", [limited, .answer("too early")])])
        defer { llm.stop() }
        let run = try await Self.run(llm, database, ["--llm-attempts", "4"], instruction: "Do nothing.")
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.hostLines == ["AgentHost: error: manager: the LLM endpoint \(llm.baseURL)/chat/completions answered HTTP 429: "
            + "Rate limit reached for requests; it asks to retry after 3600 s (Retry-After), longer than the 30 s the host "
            + "waits, so it was not retried"])
        #expect(llm.requests.count == 1)
    }

    @Test func aServerErrorIsRetriedThenReported() async throws {
        let database = try await TestDatabase.make("http500")
        defer { database.drop() }
        let error = Turn.status(500, body: #"{"error":{"message":"The server had an error while processing your request."}}"#,
                                headers: [:])
        let delegate = Turn.calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod1 x1 to \"1 Main St\"."])])
        let create = Turn.calls([.init("create_order", Self.oneLaptop)])

        // One 500: the retry succeeds and the run completes.
        let once = try ScriptedLLMServer([
            .agent("manager", [delegate, .answer("Done.")]),
            .agent("orders", [error, create, .answer("Created.")]),
        ])
        defer { once.stop() }
        let recovered = try await Self.run(once, database, ["--llm-attempts", "2"])
        #expect(recovered.status == 0, "\(recovered.stderr)")
        #expect(recovered.stderr.contains("answered HTTP 500: The server had an error while processing your request.); retrying in"))
        #expect(try database.orders().count == 1)

        // 500 after 500, after the sub-agent's first call: the run fails, naming the agent; what
        // was done stays done, and nothing more reaches the ToolServer. (The delegation names
        // get_order, so that the list_products does not end the sub-agent's run.)
        let always = try ScriptedLLMServer([
            .agent("manager", [.calls([.init("orders", ["tool": "get_order", "task": "Find the Laptop order."])]),
                               .answer("unreachable")]),
            .agent("orders", [.calls([.init("list_products", [:])]), error, error, .answer("unreachable")]),
        ])
        defer { always.stop() }
        let failed = try await Self.run(always, database, ["--llm-attempts", "2"])
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.report["status"] == "failed")
        #expect(failed.hostLines == ["AgentHost: error: orders#1: the LLM endpoint \(always.baseURL)/chat/completions answered "
            + "HTTP 500: The server had an error while processing your request. (gave up after 2 attempts, --llm-attempts)"])
        #expect(always.requests("orders").count == 3)
        #expect(failed.toolCalls.map(\.name) == ["list_products"])
        #expect(try database.orders().count == 1)
        #expect(try database.stock()["prod1"] == 9)
    }
}

/// How the two transports read what a misbehaving endpoint sends: `PlainHTTPTransport` (http://,
/// what the binary tests above use) and `URLSessionTransport` (https:// endpoints; checked here
/// over http). Client-level: the framing cases the binary tests do not reach.
@Suite struct ResponseFramingTests {
    typealias Turn = ScriptedLLMServer.Turn

    static let transports: [String] = ["plain", "urlsession"]

    static func transport(_ name: String) -> any HTTPTransport {
        name == "plain" ? PlainHTTPTransport() : URLSessionTransport()
    }

    static func ask(_ turn: Turn, transport: String, limit: Int = ChatClientOptions.defaultMaxResponseBytes)
        async throws -> Result<ChatResponse, LLMError> {
        let llm = try ScriptedLLMServer([.any([turn])])
        defer { llm.stop() }
        let client = try scriptedClient(llm, maxResponseBytes: limit, transport: Self.transport(transport))
        do throws(LLMError) { return .success(try await client.complete(ChatRequest(messages: [.user("hi")]))) } catch {
            return .failure(error)
        }
    }

    @Test(arguments: transports)
    func chunkedAndInterimResponsesAreRead(transport: String) async throws {
        let chunked = try await Self.ask(.chunked(.answer("a chunked answer"), chunkBytes: 7), transport: transport).get()
        #expect(chunked.content == "a chunked answer")
        let interim = try await Self.ask(.afterContinue(.answer("after 100 Continue")), transport: transport).get()
        #expect(interim.content == "after 100 Continue")
    }

    @Test(arguments: transports)
    func theLimitHoldsWhateverTheFraming(transport: String) async throws {
        let answer = Turn.answer(String(repeating: "y", count: 5000))
        for turn in [answer, .chunked(answer, chunkBytes: 1000), .large(bytes: 5000, declaringLength: false)] {
            let outcome = try await Self.ask(turn, transport: transport, limit: 4096)
            guard case .failure(.responseTooLarge(_, let limit)) = outcome else {
                Issue.record("expected responseTooLarge for \(turn), got \(outcome)")
                continue
            }
            #expect(limit == 4096)
            let fits = try await Self.ask(turn, transport: transport, limit: 8192).get()
            #expect(fits.content.count > 4000)
        }
    }

    @Test(arguments: transports)
    func aCutBodyIsInterruptedNotUnreachable(transport: String) async throws {
        for turn in [Turn.cut(.answer("a cut answer"), afterBytes: 20), .cut(.chunked(.answer("a cut answer"), chunkBytes: 5), afterBytes: 20)] {
            let outcome = try await Self.ask(turn, transport: transport)
            guard case .failure(let error) = outcome, case .interrupted = error else {
                Issue.record("expected interrupted for \(turn), got \(outcome)")
                continue
            }
            #expect("\(error)".contains("closed the connection before its response was complete"))
        }
    }

    @Test func plainHTTPStopsReadingAtTheLimit() async throws {
        let total = 256 << 20
        let llm = try ScriptedLLMServer([.any([.large(bytes: total, declaringLength: false), .large(bytes: total, declaringLength: true)])])
        defer { llm.stop() }
        let client = try scriptedClient(llm, transport: PlainHTTPTransport())
        for _ in 0..<2 {
            do throws(LLMError) {
                _ = try await client.complete(ChatRequest(messages: [.user("hi")]))
                Issue.record("expected responseTooLarge")
            } catch {
                guard case .responseTooLarge = error else { Issue.record("expected responseTooLarge, got \(error)"); continue }
            }
        }
        try await MisbehavingModelTests.settle(llm) { $0.requests.allSatisfy { $0.responded != nil } }
        let sent = llm.requests.map(\.bytesSent)
        // Undeclared: the limit plus what the socket buffers held. Declared: not even that.
        #expect(sent.count == 2 && sent.allSatisfy { $0 < total / 8 }, "\(sent)")
    }
}
