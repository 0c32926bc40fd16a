import TestSupport
import Agents
import JSON
import Testing

@Suite struct SelfCorrectionTests {
    typealias Request = ScriptedLLMServer.Request

    @Test func wrongOrderIDIsCorrectedFromTheErrorText() async throws {
        let database = try await TestDatabase.make("wrongid")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod1 x1 to \"1 Main St\"."])]),
                .dynamic { request in
                    .calls([.init("delivery", ["tool": "update_delivery_status", "task": .string("Ship order \(Request.orderIDs(in: request.lastResultText).joined()).")])])
                },
                .answer("Order shipped."),
            ]),
            .agent("orders", [
                .calls([.init("create_order", ["items": [["product_id": "prod1", "quantity": 1]], "delivery_address": "1 Main St"])]),
            ]),
            .agent("delivery", [
                // First a wrong id…
                .calls([.init("update_delivery_status", ["order_id": "ord_wrong000000", "status": "in_transit"])]),
                // …then, having read the error, the id from the task.
                .dynamic { request in
                    guard request.lastResultText.contains("order not found") else { return .answer("no error seen") }
                    return .calls([.init("update_delivery_status",
                                         ["order_id": .string(Request.orderIDs(in: request.task).joined()), "status": "in_transit"])])
                },
                // (no answer: the agent is done once the call the manager named has succeeded)
            ]),
        ]
        let outcome = try await HostHarness.run("Create an order for a Laptop (prod1) to 1 Main St and ship it.", routes: routes,
                                                database: database)
        #expect(outcome.report.status == .completed, "\(outcome.report.error ?? "")")

        let orders = try database.orders()
        #expect(orders.count == 1)
        #expect(orders.first?["status"] == "in_transit")
        #expect(try database.stock()["prod1"] == 9)

        // The model was handed the server's isError text, under the id of the call that failed.
        let delivery = outcome.llm.requests("delivery")
        #expect(delivery.count == 2)
        let error = try #require(delivery[1].lastToolResults.first)
        #expect(error["tool_call_id"]?.stringValue == delivery[0].answeredCallIDs.first)
        #expect(error["content"]?.stringValue?.hasPrefix("order not found: 'ord_wrong000000'") == true)
        let steps = try #require(outcome.report.agents.first { $0.role == "delivery" }?.steps)
        #expect(steps[0].toolCalls.map(\.isError) == [true])
        #expect(steps[0].toolCalls.map(\.rejected) == [false])  // the server refused it, not the host
        #expect(steps[1].toolCalls.map(\.isError) == [false])
        #expect(outcome.trace.contains("✗ update_delivery_status"))
        // The agent made its failure good: the answer lists the change, and no failure.
        let id = try #require(orders.first?["_id"]?.stringValue)
        #expect(outcome.report.finalAnswer == "Order shipped.\nChanges: create_order \(id) pending; update_delivery_status \(id) in_transit.")
    }

    /// Whatever the model writes, the answer ends with the writes the tools refused and nothing
    /// made good, from the errors themselves.
    @Test func theAnswerSaysWhatFailedWhateverTheModelWrote() async throws {
        let database = try await TestDatabase.make("failedline")
        defer { database.drop() }
        let short: JSONValue = ["items": [["product_id": "prod1", "quantity": 12], ["product_id": "prod2", "quantity": 1]],
                                "delivery_address": "9 Pine St"]
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "12 prod1 and 1 prod2 to 9 Pine St."])]),
                .calls([.init("orders", ["tool": "create_order", "task": "1 prod3 to 1 Main St."])]),
                .answer("Done."),
            ]),
            .agent("orders", [
                .calls([.init("create_order", short)]), .answer("It failed."),
                .calls([.init("create_order", ["items": [["product_id": "prod3", "quantity": 1]], "delivery_address": "1 Main St"])]),
            ]),
        ]
        let outcome = try await HostHarness.run("Order 12 Laptops (prod1) and a Smartphone (prod2) to 9 Pine St, and a prod3 to 1 Main St.",
                                                routes: routes, database: database)
        let id = try #require(try database.orders().first?["_id"]?.stringValue)
        #expect(outcome.report.finalAnswer == "Done.\nChanges: create_order \(id) pending.\n"
                + "Failed: create_order prod1,prod2: insufficient stock: 'prod1' (Laptop): requested 12, available 10.")
    }

    @Test func shortStockCreatesNothingAndTheAnswerSaysWhy() async throws {
        let database = try await TestDatabase.make("short")
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create an order: prod1 x50 to \"9 Short St\"."])]),
                .dynamic { request in
                    let error = request.lastResults.first?["results"]?.arrayValue?.first?["error"]?.stringValue ?? "no error"
                    return .answer("No order was created: \(error)")
                },
            ]),
            .agent("orders", [
                .calls([.init("create_order", ["items": [["product_id": "prod1", "quantity": 50]], "delivery_address": "9 Short St"])]),
                .dynamic { request in .answer("Could not create the order: \(request.lastResultText)") },
            ]),
        ]
        let outcome = try await HostHarness.run("Order 50 laptops to 9 Short St.", routes: routes, database: database)
        #expect(outcome.report.status == .completed)
        #expect(try database.orders().isEmpty)
        #expect(try database.stock() == ["prod1": 10, "prod2": 15, "prod3": 30])
        let answer = outcome.report.finalAnswer
        #expect(answer.contains("insufficient stock: 'prod1' (Laptop): requested 50, available 10"))

        // The manager saw the failure in the orders agent's structured results.
        let result = try #require(outcome.llm.requests("manager")[1].lastResults.first?["results"]?.arrayValue?.first)
        #expect(result["ok"] == false)
        #expect(result["tool"] == "create_order")
        #expect(result["arguments"]?["items"]?.arrayValue?.first?["quantity"] == 50)
    }
}
