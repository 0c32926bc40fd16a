import Evaluation
import Foundation
import JSON
import OrderDomain
import Testing

@Suite struct ScenarioParserTests {
    static let catalogue: JSONValue = [
        ["product_id": "prod1", "name": "Laptop", "price": 999.99, "stock": 10],
        ["product_id": "prod2", "name": "Smartphone", "price": 599.99, "stock": 15],
    ]

    static var valid: JSONObject {
        [
            "id": "t-1", "title": "A test", "catalogue": catalogue,
            "setup": [["tool": "create_order", "arguments": ["items": [["product_id": "prod2", "quantity": 1]],
                                                             "delivery_address": "5 Oak St"], "bind": "order1"]],
            "instruction": "Ship {order1|typo} and order 2 of prod1 to 9 Pine St.",
            "expect": [
                "stock": ["prod1": 8, "prod2": 14],
                "orders": [["id": "{order1}", "items": ["prod2": 1], "address": "5 Oak St", "status": "in_transit"],
                           ["bind": "new1", "items": ["prod1": 2], "address": "9 Pine St", "status": "pending"]],
                "answer_facts": ["{new1}", ["shipped", "in_transit"]],
            ],
            "reference": [
                "calls": [["tool": "update_delivery_status", "arguments": ["order_id": "{order1}", "status": "in_transit"]],
                          ["tool": "create_order", "arguments": ["items": [["product_id": "prod1", "quantity": 2]],
                                                                 "delivery_address": "9 Pine St"], "bind": "mine"],
                          ["tool": "get_order", "arguments": ["order_id": "nope"], "expect_error": true]],
                "answer": "Shipped {order1}, created {mine}.",
            ],
        ]
    }

    /// The valid scenario with one change, parsed; the error text, or nil when it parsed.
    func error(_ change: (inout JSONObject) -> Void) -> String? {
        var json = Self.valid
        change(&json)
        do {
            _ = try Scenario.parse(.object(json))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aValidScenario() throws {
        let scenario = try Scenario.parse(.object(Self.valid))
        #expect(scenario.id == "t-1")
        #expect(scenario.catalogue.map(\.id.rawValue) == ["prod1", "prod2"])
        #expect(scenario.setup.first?.bind == "order1")
        #expect(scenario.expectation.stock == ["prod1": 8, "prod2": 14])
        #expect(scenario.expectation.orders[0].id == "{order1}" && scenario.expectation.orders[0].status == .inTransit)
        #expect(scenario.expectation.orders[1].bind == "new1" && scenario.expectation.orders[1].items == ["prod1": 2])
        #expect(scenario.expectation.answerFacts == [["{new1}"], ["shipped", "in_transit"]])
        #expect(scenario.expectation.noWrites == false)
        #expect(scenario.reference.calls.map(\.expectError) == [false, false, true])
    }

    @Test func mistakesNameTheirField() {
        #expect(error { $0["colour"] = "red" }?.contains("unknown field 'colour'") == true)
        #expect(error { $0["instruction"] = nil } == "instruction is missing")
        #expect(error { $0["instruction"] = "Ship {order2}" }?.contains("instruction: placeholder {order2} is not bound") == true)
        #expect(error { $0["catalogue"] = [["product_id": "prod1"]] }?.hasPrefix("catalogue: products[0]") == true)
        #expect(error { $0["expect"] = ["stock": ["prod1": 8]] } == "expect.stock lacks prod2: give every product's expected stock")
        #expect(error { $0["expect"] = ["stock": ["prod1": 8, "prod2": 1, "prod9": 1]] }?.contains("expect.stock.prod9") == true)
        #expect(error { $0["expect"] = ["stock": ["prod1": 8, "prod2": 1], "answer_facts": ["{mine}"]] }?
            .contains("placeholder {mine} is not bound") == true)
        #expect(error {
            $0["expect"] = ["stock": ["prod1": 8, "prod2": 1],
                            "orders": [["id": "{order1}", "bind": "x", "items": ["prod1": 1], "address": "a", "status": "pending"]]]
        }?.contains("not both") == true)
        #expect(error {
            $0["expect"] = ["stock": ["prod1": 8, "prod2": 1],
                            "orders": [["items": ["prod1": 1], "address": "a", "status": "shipped"]]]
        }?.contains("status 'shipped' is not one of") == true)
        #expect(error { $0["setup"] = [["tool": "delete_order", "arguments": [:]]] }?.contains("unknown tool 'delete_order'") == true)
        #expect(error { $0["setup"] = [["tool": "list_orders", "expect_error": true]] }?.contains("unknown field 'expect_error'") == true)
        #expect(error {
            $0["setup"] = [["tool": "list_orders", "bind": "a"], ["tool": "list_orders", "bind": "a"]]
        }?.contains("'a' is bound twice") == true)
        #expect(error { $0["instruction"] = "Ship {order1|upper}" }?.contains("unknown placeholder modifier") == true)
        #expect(error { $0["id"] = "has space" }?.hasPrefix("id must be") == true)
    }

    @Test func theRepositorysScenarioSuite() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("evals/scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 20)
        var scenarios: [Scenario] = []
        for file in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            let scenario = try Scenario.parse(bytes: Array(data))
            #expect(file == scenario.id + ".json", "the file name is not the id")
            scenarios.append(scenario)
        }
        #expect(Set(scenarios.map(\.id)).count == scenarios.count)
        // The kinds of scenario the issue asks for are there.
        #expect(scenarios.contains { $0.expectation.orders.filter { $0.bind != nil }.count >= 2 }, "several orders at once")
        #expect(scenarios.contains { $0.reference.calls.contains { $0.tool == "create_order" && $0.expectError } && $0.expectation.noWrites },
                "short stock")
        #expect(scenarios.contains { $0.instruction.contains("|typo}") }, "a misspelled id")
        #expect(scenarios.contains { s in s.reference.calls.first?.tool == "update_stock" && s.reference.calls.contains { $0.tool == "create_order" } },
                "restock then order")
        #expect(scenarios.contains { $0.expectation.orders.contains { $0.status == .cancelled } }, "cancel")
        #expect(scenarios.contains { $0.instruction.lowercased().contains("paid") }, "ship what is paid")
        #expect(scenarios.filter { $0.expectation.noWrites && $0.reference.calls.allSatisfy { !ToolNames.writes.contains($0.tool) } }
            .count >= 4, "reads only, and refusals")
    }
}
