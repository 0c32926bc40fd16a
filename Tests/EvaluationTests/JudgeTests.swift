import Evaluation
import OrderDomain
import Testing

@Suite struct JudgeTests {
    let expectation = ScenarioExpectation(
        stock: ["prod1": 8, "prod2": 14],
        orders: [ExpectedOrder(id: "{order1}", items: ["prod2": 1], address: "5 Oak St", status: .inTransit),
                 ExpectedOrder(bind: "new1", items: ["prod1": 2], address: "9 Pine St", status: .pending)],
        answerFacts: [["{new1}"], ["in transit", "in_transit", "shipped"]])
    let setup = ["order1": "ord_setup1"]

    var good: Observation {
        Observation(stock: ["prod1": 8, "prod2": 14],
                    orders: [ActualOrder(id: "ord_new1", status: "pending", items: ["prod1": 2], address: "9 pine st."),
                             ActualOrder(id: "ord_setup1", status: "in_transit", items: ["prod2": 1], address: "5 Oak St")],
                    answer: "Shipped ord_setup1 (In Transit) and created ORD_NEW1.")
    }

    func judge(_ change: (inout Observation) -> Void, _ expectation: ScenarioExpectation? = nil) -> [String] {
        var observation = good
        change(&observation)
        return Judge.judge(expectation ?? self.expectation, setupBindings: setup, observation: observation).map(\.description)
    }

    @Test func theExpectedEndStatePasses() {
        #expect(judge { _ in } == [])
    }

    @Test func stockDifferences() {
        #expect(judge { $0.stock["prod1"] = 7 } == ["stock of prod1 is 7, expected 8"])
        #expect(judge { $0.stock["prod2"] = nil } == ["product prod2 is missing (expected stock 14)"])
    }

    @Test func aSetUpOrderIsFoundByItsId() {
        #expect(judge { $0.orders[1].status = "pending" } == ["order ord_setup1: status is pending, expected in_transit"])
        #expect(judge { $0.orders[1].id = "ord_other" }
            == ["missing order: prod2 ×1 to '5 Oak St', in_transit", "unexpected order ord_other: prod2 ×1 to '5 Oak St', in_transit"])
    }

    @Test func aNewOrderIsMatchedByContent() {
        // Same items, another status: one difference on that order, not "missing" + "unexpected".
        #expect(judge { $0.orders[0].status = "in_transit" } == ["order ord_new1: status is in_transit, expected pending"])
        #expect(judge { $0.orders[0].items = ["prod1": 3] } == ["order ord_new1: items is prod1 ×3, expected prod1 ×2"])
        #expect(judge { $0.orders[0].address = "90 Pine St" } == ["order ord_new1: address is '90 Pine St', expected '9 Pine St'"])
        // Nothing in common: missing, and the answer's fact about it is not checked twice.
        #expect(judge { $0.orders.remove(at: 0) } == ["missing order: prod1 ×2 to '9 Pine St', pending"])
        #expect(judge {
            $0.orders[0] = ActualOrder(id: "ord_z", status: "cancelled", items: ["prod2": 5], address: "elsewhere")
        } == ["missing order: prod1 ×2 to '9 Pine St', pending", "unexpected order ord_z: prod2 ×5 to 'elsewhere', cancelled"])
    }

    @Test func anExtraOrderIsUnexpected() {
        #expect(judge {
            $0.orders.append(ActualOrder(id: "ord_dup", status: "pending", items: ["prod1": 2], address: "9 Pine St"))
        } == ["unexpected order ord_dup: prod1 ×2 to '9 Pine St', pending"])
    }

    @Test func ordersMatchInAnyOrderAndTheBestPairWins() {
        let two = ScenarioExpectation(stock: [:], orders: [
            ExpectedOrder(bind: "a", items: ["prod1": 1], address: "A St", status: .inTransit),
            ExpectedOrder(bind: "b", items: ["prod1": 1], address: "B St", status: .inTransit),
        ], answerFacts: [["{a}"], ["{b}"]])
        let observation = Observation(stock: [:], orders: [
            ActualOrder(id: "ord_b", status: "pending", items: ["prod1": 1], address: "B St"),
            ActualOrder(id: "ord_a", status: "in_transit", items: ["prod1": 1], address: "A St"),
        ], answer: "ord_a and ord_b")
        #expect(Judge.judge(two, setupBindings: [:], observation: observation).map(\.description)
            == ["order ord_b: status is pending, expected in_transit"])
    }

    @Test func answerFacts() {
        #expect(judge { $0.answer = "Done." }
            == ["the answer does not state 'ord_new1'", "the answer states none of 'in transit', 'in_transit', 'shipped'"])
        // Whole words and numbers only.
        #expect(Facts.states("Stock is 10.", "10"))
        #expect(!Facts.states("Stock is 100.", "10"))
        #expect(!Facts.states("see prod10", "prod1"))
        #expect(Facts.states("(prod1)", "PROD1"))
        #expect(Facts.states("I can\u{2019}t do that", "can't"))
        #expect(Facts.states("order ord_abc: done", "ord_abc"))
        #expect(!Facts.states("order ord_abcd", "ord_abc"))
        #expect(Facts.states("it is not possible", "not possible"))
    }

    @Test func writesWhereNothingMayBeWritten() {
        var readOnly = expectation
        readOnly.noWrites = true
        #expect(judge({ $0.writes = ["update_stock {\"product_id\":\"prod1\",\"delta\":1}"] }, readOnly)
            == ["nothing may be written, but the run called update_stock {\"product_id\":\"prod1\",\"delta\":1}"])
        #expect(judge({ $0.writes = ["create_order"] }) == [])
    }

    @Test func aFailedRunIsReportedFirst() {
        #expect(judge { $0.failure = "HTTP 401" }.first == "the run failed: HTTP 401")
    }

    @Test func databaseDocumentsBecomeTheObservedState() {
        let state = Observation.databaseState(
            products: [["_id": "prod1", "stock": 8, "name": "Laptop"], ["_id": "prod2", "stock": 0]],
            orders: [["_id": "ord_1", "status": "pending", "delivery_address": "9 Pine St",
                      "lines": [["product_id": "prod1", "name": "Laptop", "quantity": 2, "unit_price_minor": 99999]]]])
        #expect(state.stock == ["prod1": 8, "prod2": 0])
        #expect(state.orders == [ActualOrder(id: "ord_1", status: "pending", items: ["prod1": 2], address: "9 Pine St")])
    }
}
