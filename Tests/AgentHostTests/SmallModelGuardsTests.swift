import TestSupport
import Agents
import Foundation
import JSON
import LLMClient
import MCPClient
import Testing

/// What keeps a weak model from doing damage or wasting its context: repeated calls are refused,
/// the manager reads brief results, and the manager can have an endpoint of its own.
@Suite struct SmallModelGuardsTests {
    static let order: JSONValue = ["items": [["product_id": "prod1", "quantity": 2]], "delivery_address": "1 Main St"]

    /// A sub-agent that sends a failing call again unchanged is refused by the host, with the
    /// first error; a changed call goes through.
    @Test func aRepeatOfACallThatFailedIsRefusedNotRunAgain() async throws {
        let database = try await TestDatabase.make("failrepeat")
        defer { database.drop() }
        let short: JSONValue = ["items": [["product_id": "prod1", "quantity": 12]], "delivery_address": "9 Pine St"]
        let fits: JSONValue = ["items": [["product_id": "prod1", "quantity": 10]], "delivery_address": "9 Pine St"]
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("orders", ["tool": "create_order", "task": "Order 12 prod1 to 9 Pine St."])]), .answer("Done.")]),
            .agent("orders", [
                .calls([.init("create_order", short)]), .calls([.init("create_order", short)]),
                .calls([.init("create_order", fits)]), .answer("Created 10."),
            ]),
        ]
        let outcome = try await HostHarness.run("Order 12 Laptops (prod1) to 9 Pine St, or 10 if 12 are not in stock.",
                                                routes: routes, database: database)
        let orders = outcome.llm.requests("orders")
        let first = orders[1].lastResultText
        #expect(first.contains("insufficient stock"))
        let refused = try #require(orders[2].lastToolResults.first?["content"]?.stringValue)
        #expect(refused.hasPrefix("you already made this exact create_order call and it failed: "), "\(refused)")
        #expect(refused.contains("insufficient stock"))
        let calls = try #require(outcome.report.agents.first { $0.role == "orders" }).steps.flatMap(\.toolCalls)
        #expect(calls.map(\.rejected) == [false, true, false])
        #expect(try database.stock()["prod1"] == 0)  // the changed call was made
        #expect(try database.orders().count == 1)
    }

    /// A repeated call that succeeded is refused, not run again; two steps in a row of nothing
    /// but such repeats mean the model has nothing new to do, so it is asked for its final answer.
    @Test func aRepeatOfACallThatSucceededIsRefusedNotRunAgain() async throws {
        let database = try await TestDatabase.make("repeat")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                // get_order: a tool the script never calls, so that the run goes on after each call.
                .calls([.init("orders", ["tool": "get_order", "task": "Find the pending orders."])]),
                .answer("None."),
            ]),
            .agent("orders", [
                .calls([.init("list_products", [:])]),
                // A looping model: two identical calls in one message, then the first call again, twice.
                .calls([.init("list_orders", ["status": "pending"]), .init("list_orders", ["status": "pending"])]),
                .calls([.init("list_products", [:])]),
                .calls([.init("list_products", [:])]),
                .answer("No pending orders."),
            ]),
        ]
        let outcome = try await HostHarness.run("Which orders are pending?", routes: routes, database: database)
        #expect(outcome.report.status == .completed, "\(outcome.report.error ?? "")")

        let orders = outcome.llm.requests("orders")
        #expect(orders.count == 5)
        // In one message: the first runs, the identical second is refused, and the run goes on.
        let pair = orders[2].lastToolResults.compactMap { $0["content"]?.stringValue }
        #expect(pair.count == 2)
        #expect(pair.first?.hasPrefix("<data>") == true)
        #expect(pair.last?.hasPrefix("you already made this exact list_orders call") == true)
        // Only a repeat: refused with a hint, and the model may go on…
        let hint = try #require(orders[3].lastToolResults.first?["content"]?.stringValue)
        #expect(hint.hasSuffix("If more is needed, make a different call (another id); otherwise give your final answer."))
        #expect(orders[3].body["tool_choice"] == "auto")
        // …but a second step of only a repeat: the next request asks for the answer, no tool allowed.
        let last = try #require(orders.last)
        let refused = try #require(last.toolMessages.last?["content"]?.stringValue)
        #expect(refused.hasPrefix("you already made this exact list_products call and it succeeded"))
        #expect(last.body["tool_choice"] == "none")
        #expect(last.messages.last?["content"]?.stringValue?.hasPrefix("You already have those results") == true)
        let record = try #require(outcome.report.agents.first { $0.role == "orders" })
        #expect(record.steps.flatMap(\.toolCalls).map(\.rejected) == [false, false, true, true, true])
        #expect(record.answer == "No pending orders.")
    }

    /// The manager names the tool a sub-agent starts with, from that agent's own tools; the
    /// sub-agent's first request forces it (a small model otherwise answered without any call).
    @Test func theManagerNamesTheToolTheSubAgentStartsWith() async throws {
        let database = try await TestDatabase.make("firsttool")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "update_stock", "task": "Take 2 prod1 for the order."])]),
                .calls([.init("orders", ["tool": "create_order", "task": "Create one order: prod1 x2 to 1 Main St."])]),
                .answer("Created one order."),
            ]),
            // The named call succeeds: the sub-agent is done, without another model call.
            .agent("orders", [.calls([.init("create_order", Self.order)])]),
        ]
        let outcome = try await HostHarness.run("Create one order: 2 Laptops (prod1) to 1 Main St.", routes: routes, database: database)
        #expect(outcome.report.status == .completed)
        #expect(try database.orders().count == 1)
        let manager = outcome.llm.requests("manager")
        let delegate = try #require(manager[0].body["tools"]?.arrayValue?.first { $0["function"]?["name"] == "orders" })
        #expect(delegate["function"]?["parameters"]?["properties"]?["tool"]?["enum"] == ["create_order", "get_order", "list_orders", "list_products"])
        let refused = try #require(manager[1].lastToolResults.first?["content"]?.stringValue)
        #expect(refused.hasPrefix("invalid arguments for orders:") && refused.contains("tool"), "\(refused)")
        let orders = outcome.llm.requests("orders")
        #expect(orders.count == 1)  // the refused delegation started no agent
        #expect(orders.first?.body["tool_choice"] == ["type": "function", "function": ["name": "create_order"]])
        // It read the user's request beside the manager's task.
        #expect(orders.first?.task == "The user's request: Create one order: 2 Laptops (prod1) to 1 Main St.\n"
                + "Your part of it (the manager's note; do only this): Create one order: prod1 x2 to 1 Main St.")
        let record = try #require(outcome.report.agents.first { $0.role == "orders" })
        // The host's answer quotes the result (short here), so the manager has the id in words too.
        let id = try #require(try database.orders().first?["_id"]?.stringValue)
        #expect(record.status == .completed && record.answer.hasPrefix("create_order: {order_id: \(id), status: pending"), "\(record.answer)")
    }

    /// Every sub-agent reads the user's request; the delivery agent also reads the writes made so
    /// far (it ships the order just created); the inventory agent does not (told of an earlier
    /// update_stock, a small one wrote again).
    @Test func subAgentsReadTheRequestAndOnlyOrdersAndDeliveryReadWhatIsDone() async throws {
        let database = try await TestDatabase.make("alreadydone")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "prod1 x2 to 1 Main St."])]),
                .calls([.init("delivery", ["tool": "list_orders", "task": "Find the new order."])]),
                .calls([.init("inventory", ["tool": "check_stock", "task": "Stock of prod1."])]),
                .answer("Created and checked."),
            ]),
            .agent("orders", [.calls([.init("create_order", Self.order)])]),
            .agent("delivery", [.calls([.init("list_orders", [:])])]),
            .agent("inventory", [.calls([.init("check_stock", ["product_id": "prod1"])])]),
        ]
        let outcome = try await HostHarness.run("Order 2 prod1 to 1 Main St and check prod1.", routes: routes, database: database)
        #expect(outcome.report.status == .completed)
        let id = try #require(try database.orders().first?["_id"]?.stringValue)
        // The request first, the manager's note last (a small model follows what it read last).
        let (request, part) = ("The user's request: Order 2 prod1 to 1 Main St and check prod1.", "Your part of it (the manager's note; do only this):")
        let delivery = try #require(outcome.llm.requests("delivery").first?.task)
        #expect(delivery == "\(request)\nAlready done: create_order \(id) pending.\n\(part) Find the new order.")
        #expect(outcome.llm.requests("inventory").first?.task == "\(request)\n\(part) Stock of prod1.")
    }

    /// A delegation whose task names other tools of the agent than the one it starts with is
    /// refused before any agent starts (a forced write would otherwise run on a lookup's task).
    @Test func aDelegationWhoseTaskNamesAnotherToolIsRefused() async throws {
        let database = try await TestDatabase.make("mismatch")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("delivery", ["tool": "update_delivery_status", "task": "get_order, list_orders"])]),
                .calls([.init("delivery", ["tool": "list_orders", "task": "list_orders: the pending ones"])]),
                .answer("Listed."),
            ]),
            .agent("delivery", [.calls([.init("list_orders", ["status": "pending"])])]),
        ]
        let outcome = try await HostHarness.run("Which orders wait to be shipped?", routes: routes, database: database)
        let refused = try #require(outcome.llm.requests("manager")[1].lastToolResults.first?["content"]?.stringValue)
        #expect(refused == "the task names get_order and list_orders but tool is update_delivery_status, and the agent starts "
                + "with that tool. Set tool to the call the task needs. Nothing was called.")
        #expect(outcome.llm.requests("delivery").count == 1)  // only the second delegation started an agent
        #expect(outcome.report.agents.filter { $0.role == "delivery" }.count == 1)
    }

    /// A delegation whose task names one other tool of the agent starts with that tool: the
    /// task says more than the enum value a small manager picked (it sent `get_order` with the
    /// task "list_orders", again after each refusal).
    @Test func aDelegationWhoseTaskNamesOneOtherToolStartsWithIt() async throws {
        let database = try await TestDatabase.make("namedtool")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("delivery", ["tool": "get_order", "task": "list_orders"])]), .answer("Listed.")]),
            .agent("delivery", [.calls([.init("list_orders", ["status": "pending"])])]),
        ]
        let outcome = try await HostHarness.run("Which orders wait to be shipped?", routes: routes, database: database)
        let delivery = outcome.llm.requests("delivery")
        #expect(delivery.count == 1)
        #expect(delivery.first?.body["tool_choice"] == ["type": "function", "function": ["name": "list_orders"]])
        let record = try #require(outcome.report.agents.first { $0.role == "delivery" })
        #expect(record.status == .completed && record.answer.hasPrefix("list_orders: "), "\(record.answer)")
    }

    /// A list too long to quote whole is quoted with each element's own fields, so the manager
    /// reads it in words rather than "list_products succeeded (its result is below)".
    @Test func aSubAgentAnswersWithAListInOneLine() async throws {
        let catalogue = TestDatabase.demoProducts + [("prod4", "Monitor", "249.99", 8), ("prod5", "Keyboard", "49.99", 25)]
        let database = try await TestDatabase.make("listline", products: catalogue)
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("inventory", ["tool": "list_products", "task": "List the products."])]), .answer("Listed.")]),
            .agent("inventory", [.calls([.init("list_products", [:])])]),
        ]
        let outcome = try await HostHarness.run("Which products are low on stock?", routes: routes, database: database)
        let record = try #require(outcome.report.agents.first { $0.role == "inventory" })
        let stock = try database.stock()
        let products = catalogue.map { id, name, price, _ in
            "{product_id: \(id), name: \(name), price: \(price), stock: \(stock[id] ?? -1)}"
        }
        #expect(record.answer == "list_products: \(products.count) products: " + products.joined(separator: "; "))
    }

    /// A result too long to quote whole that is not a list (an order with several lines) is
    /// quoted with its own fields, not mistaken for a list of its lines.
    @Test func aSubAgentAnswersWithALongOrdersOwnFields() async throws {
        let database = try await TestDatabase.make("ownfields")
        defer { database.drop() }
        let order: JSONValue = ["items": [["product_id": "prod1", "quantity": 1], ["product_id": "prod2", "quantity": 1],
                                          ["product_id": "prod3", "quantity": 1]], "delivery_address": "1 Main St"]
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("orders", ["tool": "create_order", "task": "One of each to 1 Main St."])]), .answer("Done.")]),
            .agent("orders", [.calls([.init("create_order", order)])]),
        ]
        let outcome = try await HostHarness.run("One of each to 1 Main St.", routes: routes, database: database)
        let record = try #require(outcome.report.agents.first { $0.role == "orders" })
        let id = try #require(try database.orders().first?["_id"]?.stringValue)
        #expect(record.answer == "create_order: {order_id: \(id), status: pending, total: 1699.97, delivery_address: 1 Main St}")
    }

    @Test func theManagerReadsBriefResults() async throws {
        let database = try await TestDatabase.make("brief")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create one order: prod1 x2 to 1 Main St."])]),
                .answer("Created."),
            ]),
            .agent("orders", [.calls([.init("create_order", Self.order)]), .answer("Created it.")]),
        ]
        let outcome = try await HostHarness.run("Create one order: 2 Laptops (prod1) to 1 Main St.", routes: routes, database: database)
        #expect(outcome.report.status == .completed)
        let report = try #require(outcome.llm.requests("manager").last?.lastResults.first)
        let result = try #require(report["results"]?.arrayValue?.first?["result"])
        #expect(result["order_id"]?.stringValue?.hasPrefix("ord_") == true)
        #expect(result["status"] == "pending" && result["total"] != nil)
        #expect(result["items"]?.arrayValue?.count == 1)  // short: whole, to answer "what is in it"
        // The run report keeps the whole result.
        let recorded = try #require(outcome.report.agents.first { $0.role == "manager" }?.steps.first?.toolCalls.first?.result)
        #expect(recorded["results"]?.arrayValue?.first?["result"]?["items"]?.arrayValue?.count == 1)
    }

    @Test func theManagerCanHaveAnEndpointOfItsOwn() async throws {
        let database = try await TestDatabase.make("managerurl")
        defer { database.drop() }
        let managerServer = try ScriptedLLMServer([.agent("manager", [
            .calls([.init("inventory", ["tool": "check_stock", "task": "Check the stock of prod1."])]),
            .answer("prod1: 10 in stock."),
        ])])
        defer { managerServer.stop() }
        // The named check_stock succeeds: the sub-agent is done after one request.
        let agentServer = try ScriptedLLMServer([.agent("inventory", [.calls([.init("check_stock", ["product_id": "prod1"])])])])
        defer { agentServer.stop() }
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "How many prod1 are in stock?", "--quiet", "--model", "scripted", "--agent-profile", "small",
            "--base-url", agentServer.baseURL, "--manager-base-url", managerServer.baseURL,
        ] + database.serverArguments, environment: TestEnvironment.childEnvironment, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self).contains("prod1: 10 in stock."))
        #expect(managerServer.requests.count == 2 && managerServer.requests.allSatisfy { $0.route == "manager" })
        #expect(agentServer.requests.count == 1 && agentServer.requests.allSatisfy { $0.route == "inventory" })
    }

    @Test func eachAgentCanHaveAnEndpointOfItsOwn() async throws {
        let database = try await TestDatabase.make("agenturls")
        defer { database.drop() }
        let shared = try ScriptedLLMServer([.agent("manager", [
            .calls([.init("inventory", ["tool": "check_stock", "task": "Check the stock of prod1."])]),
            .answer("prod1: 10 in stock."),
        ])])
        defer { shared.stop() }
        let inventoryServer = try ScriptedLLMServer([.agent("inventory", [.calls([.init("check_stock", ["product_id": "prod1"])])])])
        defer { inventoryServer.stop() }
        let environment = TestEnvironment.childEnvironment.merging(["LLM_AGENT_BASE_URLS": "inventory=\(inventoryServer.baseURL)"]) { $1 }
        let result = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "How many prod1 are in stock?", "--quiet", "--model", "scripted", "--base-url", shared.baseURL,
            "--agent-profile", "small",
        ] + database.serverArguments, environment: environment, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(shared.requests.count == 2 && shared.requests.allSatisfy { $0.route == "manager" })
        #expect(inventoryServer.requests.count == 1 && inventoryServer.requests.allSatisfy { $0.route == "inventory" })

        let unknown = try await ProcessRunner.run(TestEnvironment.agentHostPath, [
            "run", "hi", "--model", "scripted", "--base-url", shared.baseURL, "--agent-base-url", "shipping=http://127.0.0.1:1/v1",
        ], environment: TestEnvironment.childEnvironment, timeout: .seconds(30))
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("--agent-base-url 'shipping=http://127.0.0.1:1/v1': expected AGENT=URL with AGENT one of manager, inventory, orders, delivery"))
    }
}

/// Writes whose values the request does not give, and writes by an agent sent to look something
/// up, are not made (see `RequestGrounding` and `ServerTool.lookup`).
@Suite struct UngroundedWriteTests {
    /// Short of Laptops, a small orders agent ordered the 10 available to an address of its own;
    /// neither call is made, and it is told why.
    @Test func anOrderWithAnotherQuantityOrAnInventedAddressIsNotMade() async throws {
        let database = try await TestDatabase.make("grounded")
        defer { database.drop() }
        let instruction = "Order 12 Laptops (prod1) to 9 Pine St."
        func order(_ quantity: Int64, _ address: String) -> JSONValue {
            ["delivery_address": .string(address), "items": [["quantity": .int(quantity), "product_id": "prod1"]]]
        }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("orders", ["tool": "create_order", "task": "12 prod1 to 9 Pine St"])]), .answer("Short.")]),
            .agent("orders", [
                .calls([.init("create_order", order(12, "9 Pine St"))]),
                .calls([.init("create_order", order(10, "Our warehouse"))]),
                .calls([.init("create_order", order(10, "9 Pine St"))]),
                .answer("prod1 is short: 10 available."),
            ]),
        ]
        let stock = try database.stock()
        let outcome = try await HostHarness.run(instruction, routes: routes, database: database)
        #expect(try database.orders().isEmpty)
        #expect(try database.stock() == stock)
        let orders = outcome.llm.requests("orders")
        let results = orders.dropFirst().compactMap { $0.lastToolResults.first?["content"]?.stringValue }
        #expect(results.count == 3)
        #expect(results.first?.hasPrefix("insufficient stock: 'prod1' (Laptop): requested 12, available 10.") == true)
        #expect(results.dropFirst().first?.hasPrefix("cannot place this order: its delivery_address is not in the user's request. "
                                                      + "Did you mean delivery_address \"9 Pine St\"") == true)
        #expect(results.last?.hasPrefix("cannot order quantity 10 (items[0]): it is not a number in the user's request, which states "
                                        + "9, 12.") == true)
        // The answer's Failed: line has the tool's refusal and the host's.
        #expect(outcome.report.finalAnswer.hasSuffix("\nFailed: create_order prod1: insufficient stock: 'prod1' (Laptop): requested 12, "
                                                     + "available 10; create_order prod1: cannot place this order: its delivery_address "
                                                     + "is not in the user's request; create_order prod1: cannot order quantity 10 "
                                                     + "(items[0]): it is not a number in the user's request, which states 9, 12."),
                "\(outcome.report.finalAnswer)")
    }

    /// A write-off by a quantity the request does not state is not made; the stated one is.
    @Test func aStockChangeByAnotherQuantityIsNotMade() async throws {
        let database = try await TestDatabase.make("groundeddelta")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("inventory", ["tool": "update_stock", "task": "write_off, prod1"])]), .answer("Done.")]),
            .agent("inventory", [
                .calls([.init("update_stock", ["product_id": "prod1", "delta": -1])]),
                .calls([.init("update_stock", ["product_id": "prod1", "delta": -2])]),
            ]),
        ]
        let before = try #require(try database.stock()["prod1"])
        let outcome = try await HostHarness.run("Two Laptops (prod1) were damaged: write them off.", routes: routes, database: database)
        #expect(try database.stock()["prod1"] == before - 2)
        let refused = try #require(outcome.llm.requests("inventory")[1].lastToolResults.first?["content"]?.stringValue)
        #expect(refused.hasPrefix("cannot change stock by -1: that is not a quantity in the user's request, which states 2."), "\(refused)")
        // Made good by the same agent: not in the answer's Failed: line.
        #expect(!outcome.report.finalAnswer.contains("Failed:"), "\(outcome.report.finalAnswer)")
    }

    /// An agent sent to look something up makes no write: a small orders agent, sent to look up
    /// "prod4" as an order, went on to place an order.
    @Test func anAgentSentToLookSomethingUpWritesNothing() async throws {
        let database = try await TestDatabase.make("lookuponly")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("orders", ["tool": "get_order", "task": "prod1"])]), .answer("Nothing found.")]),
            .agent("orders", [
                .calls([.init("get_order", ["order_id": "prod1"])]),
                .calls([.init("create_order", ["delivery_address": "1 Main St", "items": [["quantity": 1, "product_id": "prod1"]]])]),
                .answer("No such order."),
            ]),
        ]
        let stock = try database.stock()
        let outcome = try await HostHarness.run("One Laptop (prod1) to 1 Main St: is it ordered?", routes: routes, database: database)
        #expect(try database.orders().isEmpty)
        #expect(try database.stock() == stock)
        let refused = try #require(outcome.llm.requests("orders")[2].lastToolResults.first?["content"]?.stringValue)
        #expect(refused.hasPrefix("not made: you were sent to look something up with get_order, not to change anything."), "\(refused)")
        #expect(!outcome.report.finalAnswer.contains("Changes:"))
    }
}

/// Lines and fixes the host makes for what a small model leaves out or fills in wrongly.
@Suite struct HostMadeTests {
    /// The answer quotes what the sub-agents looked up, whatever the manager wrote.
    @Test func theAnswerQuotesWhatWasLookedUp() async throws {
        let database = try await TestDatabase.make("found")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("inventory", ["tool": "check_stock", "task": "prod1"])]),
                               .answer("No further action required.")]),
            .agent("inventory", [.calls([.init("check_stock", ["product_id": "prod1"])])]),
        ]
        let outcome = try await HostHarness.run("How many Laptops (prod1) do we have?", routes: routes, database: database)
        let stock = try #require(try database.stock()["prod1"])
        #expect(outcome.report.finalAnswer == "No further action required.\n"
                + "Found: check_stock: {product_id: prod1, name: Laptop, price: 999.99, stock: \(stock)}.")
    }

    /// An optional argument sent as "" is left out rather than refused.
    @Test func anEmptyOptionalArgumentIsLeftOut() async throws {
        let database = try await TestDatabase.make("emptyoptional")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("delivery", ["tool": "list_orders", "task": "the pending orders"])]), .answer("None.")]),
            .agent("delivery", [.calls([.init("list_orders", ["status": "pending", "delivery_address": ""])])]),
        ]
        let outcome = try await HostHarness.run("Which orders wait to be shipped?", routes: routes, database: database)
        let record = try #require(outcome.report.agents.first { $0.role == "delivery" })
        #expect(record.status == .completed && record.answer == "list_orders: {orders: [], count: 0}", "\(record.answer)")
        #expect(record.toolResults.first?.arguments == ["status": "pending"])
    }
}

extension HostMadeTests {
    /// A list_orders filter by an address the request does not give is left out, and the model is
    /// told: a small model filled it with "None" and reported that there were no orders.
    @Test func anOrderListByAnAddressTheRequestDoesNotGiveListsThemAll() async throws {
        let database = try await TestDatabase.make("groundedread")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("orders", ["tool": "create_order", "task": "prod1 to 1 Main St"])]),
                               .calls([.init("delivery", ["tool": "list_orders", "task": "the pending orders"])]), .answer("Listed.")]),
            .agent("orders", [.calls([.init("create_order", ["delivery_address": "1 Main St", "items": [["quantity": 1, "product_id": "prod1"]]])])]),
            .agent("delivery", [.calls([.init("list_orders", ["status": "pending", "delivery_address": "None"])])]),
        ]
        let outcome = try await HostHarness.run("Order a Laptop (prod1) to 1 Main St, then list the pending orders.", routes: routes,
                                                database: database)
        let id = try #require(try database.orders().first?["_id"]?.stringValue)
        let record = try #require(outcome.report.agents.first { $0.role == "delivery" })
        #expect(record.answer.hasPrefix("list_orders: {orders: [{order_id: \(id)"), "\(record.answer)")
        let content = try #require(outcome.llm.requests("manager")[2].lastToolResults.first?["content"]?.stringValue)
        #expect(content.contains("list_orders: {orders: [{order_id: \(id)"))
    }

    /// A list_products filter by a number the request does not give is left out before the
    /// schema check: a small inventory agent sent 0 (refused), then 1, and reported 0 Keyboards and 0 Monitors.
    @Test func aProductListByANumberTheRequestDoesNotGiveListsThemAll() async throws {
        let database = try await TestDatabase.make("groundedlow")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("inventory", ["tool": "list_products", "task": "prod3"])]), .answer("Listed.")]),
            .agent("inventory", [.calls([.init("list_products", ["limit": 100, "low_stock_below": 0])])]),
        ]
        let outcome = try await HostHarness.run("How many Headphones (prod3) do we have in stock?", routes: routes, database: database)
        let headphones = try #require(try database.stock()["prod3"])
        let record = try #require(outcome.report.agents.first { $0.role == "inventory" })
        #expect(record.toolResults.first?.arguments == ["limit": 100])
        #expect(record.answer.contains("{product_id: prod3, name: Headphones, price: 99.99, stock: \(headphones)}"), "\(record.answer)")
        // The trace shows what the model sent, and what was left out.
        let call = try #require(outcome.events.first { $0.kind == .toolCall && $0.agent == "inventory#1" })
        #expect(call.arguments == ["limit": 100, "low_stock_below": 0])
        #expect(outcome.trace.contains("✓ list_products"))
        #expect(outcome.trace.contains("(The low_stock_below you gave is not a number in the user's request, so it was left out"),
                "\(outcome.trace)")
    }

    /// An address of the request sent as an order id is refused by the schema, with the way to
    /// find the order: told only that it did not match the id pattern, a small agent gave up.
    @Test func anAddressAsAnOrderIdIsAnsweredWithHowToFindTheOrder() async throws {
        let database = try await TestDatabase.make("addressasid")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("delivery", ["tool": "update_delivery_status", "task": "5 Oak St, in_transit"])]),
                               .answer("Tried.")]),
            .agent("delivery", [.calls([.init("update_delivery_status", ["order_id": "5 Oak St", "status": "in_transit"])]),
                                .answer("Not found.")]),
        ]
        let outcome = try await HostHarness.run("Ship the order going to 5 Oak St.", routes: routes, database: database)
        let refused = try #require(outcome.llm.requests("delivery")[1].lastToolResults.first?["content"]?.stringValue)
        #expect(refused.hasPrefix("invalid arguments for update_delivery_status: order_id: '5 Oak St' does not match the pattern"),
                "\(refused)")
        #expect(refused.hasSuffix("\"5 Oak St\" is an address in the user's request, not an order id: find the order with "
                                  + "list_orders (delivery_address \"5 Oak St\"), then use its order_id. Fix the call to match the "
                                  + "tool's schema. Nothing was called."), "\(refused)")
    }

    /// A sub-agent that answers right after an error saying how to fix its call is sent back
    /// once to make the corrected call: told "By name: 'Headphones' is prod3", a small orders
    /// agent answered that the product was not found.
    @Test func anAnswerAfterAnErrorThatSaysHowToFixTheCallIsSentBackOnce() async throws {
        let database = try await TestDatabase.make("fixnudge")
        defer { database.drop() }
        func order(_ product: String) -> JSONValue {
            ["delivery_address": "50 King St", "items": [["quantity": 2, "product_id": .string(product)]]]
        }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("orders", ["tool": "create_order", "task": "2 Headphones to 50 King St"])]),
                               .answer("Placed.")]),
            // (With an unknown id beside it, the ToolServer does not read the name as prod3 itself.)
            .agent("orders", [.calls([.init("create_order", ["delivery_address": "50 King St",
                                                             "items": [["quantity": 2, "product_id": "Headphones"],
                                                                       ["quantity": 1, "product_id": "prod9"]]])]),
                              .answer("Headphones were not found."),
                              .calls([.init("create_order", order("prod3"))])]),
        ]
        let outcome = try await HostHarness.run("A customer at 50 King St wants 2 Headphones.", routes: routes, database: database)
        #expect(try database.orders().count == 1)
        let orders = outcome.llm.requests("orders")
        #expect(orders.count == 3)
        #expect(orders.last?.messages.last?["content"]?.stringValue == "The error of your last call says how to fix it. Make the "
                + "corrected create_order call now; answer only if it cannot be done.")
        #expect(outcome.report.finalAnswer.contains("Changes: create_order ord_"), "\(outcome.report.finalAnswer)")
    }
}
