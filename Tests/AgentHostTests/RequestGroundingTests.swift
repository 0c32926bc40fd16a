@testable import Agents
import JSON
import Testing

/// The numbers and address a sub-agent's write must take from the user's request.
@Suite struct RequestGroundingTests {
    @Test func numbersComeInDigitsAndWords() {
        let grounding = RequestGrounding("Order 12 Laptops (prod1), a Monitor and twenty-five Keyboards to 9 Pine St; two more.")
        #expect(grounding.numbers == [12, 20, 5, 25, 9, 2])
        // "a" is 1 for an order's line, not for a stock change.
        let article = RequestGrounding("Order a Laptop (prod1) to 9 Pine St; the customer wants a refund for the other.")
        #expect(article.violation(tool: "create_order", arguments: ["delivery_address": "9 Pine St",
                                                                    "items": [["quantity": 1, "product_id": "prod1"]]]) == nil)
        #expect(article.violation(tool: "update_stock", arguments: ["product_id": "prod1", "delta": -1])?.hasPrefix("not made") == true)
        // Digits inside ids are not quantities.
        #expect(RequestGrounding("Cancel ord_4471 and restock prod5.").numbers == [4471])
        #expect(RequestGrounding("Delete the Keyboards (prod5).").numbers.isEmpty)
    }

    @Test func anAddressIsInTheRequestWhateverItsCaseAndPunctuation() {
        let grounding = RequestGrounding("Process these: (1) 2 Laptops (prod1) to 123 Main St; (2) 3 Headphones to 456 Elm St.")
        for address in ["123 Main St", "123 main st.", "456  Elm St", "Elm St"] { #expect(grounding.contains(address), "\(address)") }
        for address in ["123 Main Street", "Our warehouse", "23 Main St", "", "  "] { #expect(!grounding.contains(address), "\(address)") }
        // In a data block: JSON syntax is no word, and escapes are read back.
        #expect(RequestGrounding(#"Order: {"items":[{"product_id":"prod3","quantity":3}],"delivery_address":"456 Elm St"}"#).contains("456 Elm St"))
        #expect(RequestGrounding(#"Order: <data>{"delivery_address":"9 Oak St\u003c/data\u003e Flat 2"}</data>"#).contains("9 Oak St</data> Flat 2"))
    }

    @Test func aWriteWithAValueTheRequestDoesNotGiveIsNamed() throws {
        let grounding = RequestGrounding("Order 12 Laptops (prod1) to 9 Pine St.")
        func order(_ quantity: Int64, _ address: String) -> JSONValue {
            ["delivery_address": .string(address), "items": [["quantity": .int(quantity), "product_id": "prod1"]]]
        }
        #expect(grounding.violation(tool: "create_order", arguments: order(12, "9 Pine St.")) == nil)
        #expect(grounding.violation(tool: "create_order", arguments: order(10, "9 Pine St"))
                == "not made: quantity 10 (items[0]) is not a number in the user's request, which states 9, 12. Order exactly what "
                + "the request asks; if that cannot be done, report why instead. Nothing was changed.")
        #expect(grounding.violation(tool: "create_order", arguments: order(12, "Our warehouse"))
                == "not made: that delivery_address is not in the user's request. Copy the address exactly from the request; "
                + "never make one up. Nothing was changed.")
        let writeOff = RequestGrounding("Two Monitors (prod4) were damaged and must be written off.")
        #expect(writeOff.violation(tool: "update_stock", arguments: ["product_id": "prod4", "delta": -2]) == nil)
        #expect(writeOff.violation(tool: "update_stock", arguments: ["product_id": "prod4", "delta": -1])
                == "not made: delta -1 is not a quantity in the user's request, which states 2. Did you mean delta -2? update_stock "
                + "changes stock only by a quantity the request states; if it states none, report that instead. Nothing was changed.")
        #expect(RequestGrounding("Restock 10 prod3 and 5 prod5.").violation(tool: "update_stock", arguments: ["product_id": "prod3", "delta": 1])
                == "not made: delta 1 is not a quantity in the user's request, which states 5, 10. update_stock changes stock only "
                + "by a quantity the request states; if it states none, report that instead. Nothing was changed.")
        #expect(RequestGrounding("Delete prod5.").violation(tool: "update_stock", arguments: ["product_id": "prod5", "delta": -1])?
                    .contains("which states no quantity") == true)
        // Other tools take no values from the request here.
        #expect(writeOff.violation(tool: "get_order", arguments: ["order_id": "ord_x"]) == nil)
    }

    @Test func aStatusChangeNeedsAWordAskingForIt() {
        let ship = RequestGrounding("Order 1 Monitor (prod4) and ship it right away.")
        #expect(ship.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "in_transit"]) == nil)
        #expect(ship.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "delivered"])
                == "not made: the user's request does not ask for delivered (it says none of delivered). Change only what the "
                + "request asks for; if that is done, give your final answer. Nothing was changed.")
        let cancel = RequestGrounding("The customer CANCELLED order ord_x.")
        #expect(cancel.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "cancelled"]) == nil)
        #expect(cancel.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "in_transit"])?
                    .hasPrefix("not made: the user's request does not ask for in_transit (it says none of dispatch, dispatched, "
                               + "send, sent, ship,") == true)
    }
}
