@testable import Agents
import JSON
import Testing

/// The numbers and address a sub-agent's write must take from the user's request.
@Suite struct RequestGroundingTests {
    @Test func numbersComeInDigitsAndWords() {
        let grounding = RequestGrounding("Order 12 Laptops (prod1), a Monitor and twenty-five Keyboards to 9 Pine St; two more.")
        #expect(grounding.numbers == [12, 20, 5, 25, 9, 2])
        #expect(RequestGrounding("Half a dozen monitors came in; a half-dozen keyboards too.").numbers == [12, 6])
        #expect(RequestGrounding("Half a dozen monitors just came in, add them to stock.")
            .violation(tool: "update_stock", arguments: ["product_id": "prod4", "delta": 6]) == nil)
        // "a" is 1 for an order's line, not for a stock change.
        let article = RequestGrounding("Order a Laptop (prod1) to 9 Pine St; the customer wants a refund for the other.")
        #expect(article.violation(tool: "create_order", arguments: ["delivery_address": "9 Pine St",
                                                                    "items": [["quantity": 1, "product_id": "prod1"]]]) == nil)
        #expect(article.violation(tool: "update_stock", arguments: ["product_id": "prod1", "delta": -1])?.hasPrefix("cannot change stock by -1") == true)
        // Digits inside ids are not quantities.
        #expect(RequestGrounding("Cancel ord_4471 and restock prod5.").numbers == [4471])
        #expect(RequestGrounding("Delete the Keyboards (prod5).").numbers.isEmpty)
        // A price is no count; thousands are one number.
        #expect(RequestGrounding("Lower the price of the Smartphone (prod2) to 499.99.").numbers.isEmpty)
        #expect(RequestGrounding("Lower the price of the Smartphone (prod2) to 499.99.").violation(settingStockTo: 499) != nil)
        #expect(RequestGrounding("We received 1,000 cables and 2.000 plugs at 3,50 each. Ship 4.").numbers == [1000, 2000, 4])
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
        // One word of the request is no address.
        #expect(grounding.violation(tool: "create_order", arguments: order(12, "Laptops"))?.hasPrefix("cannot place this order") == true)
        #expect(grounding.violation(tool: "create_order", arguments: order(10, "9 Pine St"))
                == "cannot order quantity 10 (items[0]): it is not a number in the user's request, which states 9, 12. Order exactly what "
                + "the request asks; if that cannot be done, report why instead. Nothing was changed.")
        #expect(grounding.violation(tool: "create_order", arguments: order(12, "Our warehouse"))
                == "cannot place this order: its delivery_address is not in the user's request. Copy the address exactly from the "
                + "request; never make one up. Nothing was changed.")
        // An earlier call's address, when it is the request's, is offered (its words only).
        #expect(grounding.violation(tool: "create_order", arguments: order(12, "{delivery_address}"),
                                    earlier: [order(12, "Our warehouse"), order(12, "9  Pine St;\""), order(2, "x")])
                == "cannot place this order: its delivery_address is not in the user's request. Did you mean delivery_address "
                + "\"9 Pine St\", as in an earlier create_order? Copy the address exactly from the request; never make one up. "
                + "Nothing was changed.")
        let writeOff = RequestGrounding("Two Monitors (prod4) were damaged and must be written off.")
        #expect(writeOff.violation(tool: "update_stock", arguments: ["product_id": "prod4", "delta": -2]) == nil)
        #expect(writeOff.violation(tool: "update_stock", arguments: ["product_id": "prod4", "delta": -1])
                == "cannot change stock by -1: that is not a quantity in the user's request, which states 2. Did you mean delta -2? "
                + "update_stock changes stock only by a quantity the request states; if it states none, report that instead. "
                + "Nothing was changed.")
        #expect(RequestGrounding("Restock 10 prod3 and 5 prod5.").violation(tool: "update_stock", arguments: ["product_id": "prod3", "delta": 1])
                == "cannot change stock by 1: that is not a quantity in the user's request, which states 5, 10. update_stock changes "
                + "stock only by a quantity the request states; if it states none, report that instead. Nothing was changed.")
        #expect(RequestGrounding("Restock prod5.").violation(tool: "update_stock", arguments: ["product_id": "prod5", "delta": 1])?
                    .contains("which states no quantity") == true)
        // Other tools take no values from the request here.
        #expect(writeOff.violation(tool: "get_order", arguments: ["order_id": "ord_x"]) == nil)
    }

    @Test func aStatusChangeNeedsAWordAskingForIt() {
        let ship = RequestGrounding("Order 1 Monitor (prod4) and ship it right away.")
        #expect(ship.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "in_transit"]) == nil)
        #expect(ship.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "delivered"])
                == "cannot set delivered: the user's request does not ask for it (it says none of delivered). Did you mean status "
                + "in_transit? Change only what the request asks for; if that is done, give your final answer. Nothing was changed.")
        let cancel = RequestGrounding("The customer CANCELLED order ord_x.")
        #expect(cancel.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "cancelled"]) == nil)
        #expect(cancel.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "in_transit"])?
                    .hasPrefix("cannot set in_transit: the user's request does not ask for it (it says none of dispatch, "
                               + "dispatched, send, sent, ship,") == true)
        // Asked for none or several others: no guess.
        #expect(RequestGrounding("Order 1 Monitor (prod4).").violation(tool: "update_delivery_status",
                                                                        arguments: ["order_id": "ord_x", "status": "delivered"])?
                    .contains("Did you mean") == false)
        #expect(RequestGrounding("Order ord_a was delivered today; ord_b is still on its way.")
                    .violation(tool: "update_delivery_status", arguments: ["order_id": "ord_b", "status": "in_transit"])?
                    .contains("Did you mean") == false)
        #expect(RequestGrounding("Ship ord_a, cancel ord_b.").violation(tool: "update_delivery_status",
                                                                         arguments: ["order_id": "ord_a", "status": "delivered"])?
                    .contains("Did you mean") == false)
    }

    @Test func anAddressGivenAsAnOrderIdIsOneToLookTheOrderUpBy() {
        let grounding = RequestGrounding("Ship the orders going to 5 Oak St and to 12 Bank St.")
        #expect(grounding.hint(forInvalid: ["order_id": "5 Oak St", "status": "in_transit"])
                == "\"5 Oak St\" is an address in the user's request, not an order id: find the order with list_orders "
                + "(delivery_address \"5 Oak St\"), then use its order_id.")
        #expect(grounding.hint(forInvalid: ["order_id": "9 Pine St"]) == nil)
        #expect(grounding.hint(forInvalid: ["order_id": "ord_x"]) == nil)
    }

    @Test func aReadFilterTheRequestDoesNotGiveIsLeftOut() throws {
        let grounding = RequestGrounding("How many Keyboards (prod5) and Monitors (prod4) do we have? Below 5 is low.")
        let read = try #require(grounding.readWithoutUngroundedFilters(tool: "list_products", arguments: ["limit": 100, "low_stock_below": 1]))
        #expect(read.arguments == ["limit": 100])
        #expect(read.note.hasPrefix("(The low_stock_below you gave is not a number in the user's request"))
        #expect(grounding.readWithoutUngroundedFilters(tool: "list_products", arguments: ["low_stock_below": 5]) == nil)
        #expect(grounding.readWithoutUngroundedFilters(tool: "list_orders", arguments: ["delivery_address": "None"])?.arguments == [:])
    }

    @Test func theStatusesARequestTellsUsToSetAreItsCommandsNotNegated() {
        #expect(RequestGrounding("Three things: cancel order ord_a; ship order ord_b; and place a new order.").requestedStatuses
                == ["cancelled", "in_transit"])
        #expect(RequestGrounding("Which orders are still waiting to be shipped? Only report them, do not ship anything.")
                    .requestedStatuses.isEmpty)
        #expect(RequestGrounding("Don't ship it; never cancel.").requestedStatuses.isEmpty)
        let both = RequestGrounding("Cancel ord_a and ship ord_b.")
        #expect(both.orders == ["ord_a", "ord_b"])
        let shipped = Write(tool: "update_delivery_status", result: ["order_id": "ord_b", "status": "in_transit"])
        #expect(both.statusesNotSet(done: [shipped]) == ["cancelled"])
        // Only a status set on an order the request names counts; none is told when it names none.
        let other = Write(tool: "update_delivery_status", result: ["order_id": "ord_new", "status": "cancelled"])
        #expect(both.statusesNotSet(done: [shipped, other]) == ["cancelled"])
        let shipIt = RequestGrounding("Order 1 Monitor and ship it.")
        #expect(shipIt.statusesNotSet(done: []).isEmpty)
        // Naming none, the request's statuses are for the orders made for it, once there are some.
        let made = Write(tool: "create_order", result: ["order_id": "ord_new", "status": "pending"])
        #expect(shipIt.statusesNotSet(done: [made]) == ["in_transit"])
        #expect(DelegateTool.progress(instruction: "Order 1 Monitor and ship it.", done: [made], grounding: shipIt)
                    .contains("for the orders it made (ord_new), and none has been set to it yet."))
        let madeAndShipped = Write(tool: "update_delivery_status", result: ["order_id": "ord_new", "status": "in_transit"])
        #expect(shipIt.statusesNotSet(done: [made, madeAndShipped]).isEmpty)
        #expect(DelegateTool.progress(instruction: "Cancel ord_a and ship ord_b.", done: [shipped], grounding: both)
                == "The request: Cancel ord_a and ship ord_b.\nWritten so far: update_delivery_status ord_b in_transit.\n"
                + "The request asks to set cancelled (delivery agent, update_delivery_status) for the orders it names (ord_a, ord_b), "
                + "and none has been set to it yet.\n"
                + "If that is all the request asks (or it cannot be done), give your final answer now; otherwise delegate the next step.")

    }

    /// A number of the request is not enough: it must ask for a write-off or a restock.
    @Test func aStockChangeNeedsAWordAskingForItsSign() {
        let order = RequestGrounding("Order 1 Monitor (prod4) for delivery to 77 Harbor Rd and ship it right away.")
        #expect(order.violation(tool: "update_stock", arguments: ["product_id": "prod4", "delta": -1])
                == "cannot change stock by -1: the user's request asks for no write-off (it says nothing like written off, damaged, "
                + "lost). update_stock is only for restocks and write-offs: create_order takes the stock itself, and cancelling an "
                + "order returns it. Nothing was changed.")
        #expect(RequestGrounding("We no longer sell Keyboards (prod5). Delete the product.")
                    .violation(tool: "update_stock", arguments: ["product_id": "prod5", "delta": -100])?
                    .hasPrefix("cannot change stock by -100: the user's request asks for no write-off") == true)
        #expect(RequestGrounding("Cancel order ord_a and put its 2 Laptops back in stock.")
                    .violation(tool: "update_stock", arguments: ["product_id": "prod1", "delta": 2]) == nil)
        #expect(RequestGrounding("We just received 20 Monitors (prod4).")
                    .violation(tool: "update_stock", arguments: ["product_id": "prod4", "delta": -20])?
                    .hasPrefix("cannot change stock by -20: the user's request asks for no write-off") == true)
    }

    /// The word checks stand aside for a request they cannot read; the address check does not.
    @Test func theWordChecksStandAsideForARequestNotInEnglish() {
        for english in ["Order 12 Laptops (prod1) to 9 Pine St.", "Restock prod5.", "Ship ord_a, cancel ord_b.",
                        "Two Monitors (prod4) were damaged and must be written off.", "How many Keyboards do we have?"] {
            #expect(RequestGrounding(english).readsAsEnglish, "\(english)")
        }
        for other in ["Bitte 4 Tastaturen an Bahnhofstraße 7, Bern liefern und die Bestellnummer nennen.",
                      "Kunt u 2 monitoren sturen naar Dorpsweg 4? Wat is de status van de bestelling?",
                      "Merci d'ajouter 9 casques au stock, livrés ce matin par le fournisseur.",
                      "Por favor cancela el pedido ord_x y dime cuántos portátiles quedan."] {
            #expect(!RequestGrounding(other).readsAsEnglish, "\(other)")
        }
        let german = RequestGrounding("Bitte vier Tastaturen (prod5) an Bahnhofstraße 7, Bern liefern und versenden.")
        // "vier" is no number the check reads, and no German word asks for a status it knows.
        #expect(german.violation(tool: "create_order", arguments: ["delivery_address": "Bahnhofstraße 7, Bern",
                                                                   "items": [["quantity": 4, "product_id": "prod5"]]]) == nil)
        #expect(german.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "in_transit"]) == nil)
        #expect(german.violation(tool: "update_stock", arguments: ["product_id": "prod5", "delta": 4]) == nil)
        #expect(german.violation(tool: "create_order", arguments: ["delivery_address": "Hauptstraße 1",
                                                                   "items": [["quantity": 4, "product_id": "prod5"]]])?
                    .hasPrefix("cannot place this order: its delivery_address is not in the user's request") == true)
        // There, a request of questions only asks for no change; in English the word checks judge.
        let question = RequestGrounding("Quel est le statut de la commande ord_x ? Et où part-elle ?")
        #expect(question.asksOnlyQuestions)
        #expect(question.violation(tool: "update_delivery_status", arguments: ["order_id": "ord_x", "status": "delivered"])?
                    .hasPrefix("cannot call update_delivery_status: the user's request only asks questions") == true)
        #expect(question.violation(tool: "get_order", arguments: ["order_id": "ord_x"]) == nil)
        #expect(!RequestGrounding("Envoie la commande ord_x. C'est possible ?").asksOnlyQuestions)
        #expect(RequestGrounding("Can you ship ord_x?").violation(tool: "update_delivery_status",
                                                                  arguments: ["order_id": "ord_x", "status": "in_transit"]) == nil)
    }

    /// Once an order is made, the manager reads which products of the request no order has.
    @Test func theProductsOfTheRequestInNoOrderYet() {
        let request = "Process these orders: (1) 2 Laptops (prod1) and 1 Smartphone (prod2) to 123 Main St; (2) 3 Headphones (prod3)."
        let grounding = RequestGrounding(request, catalogue: ["prod1", "prod2", "prod3", "prod4", "SKU-9"])
        #expect(grounding.products == ["prod1", "prod2", "prod3"])
        #expect(grounding.productsInNoOrder(done: []).isEmpty)
        let first = Write(tool: "create_order", result: ["order_id": "ord_a", "status": "pending",
                                                         "items": [["product_id": "prod1", "quantity": 2], ["product_id": "prod2", "quantity": 1]]])
        #expect(grounding.productsInNoOrder(done: [first]) == ["prod3"])
        #expect(RequestGrounding("Restock sku-9 by 5.", catalogue: ["SKU-9", "prod1"]).products == ["SKU-9"])
        #expect(DelegateTool.progress(instruction: "Order prod1 and prod3.", done: [first],
                                      grounding: RequestGrounding("Order prod1 and prod3.", catalogue: ["prod1", "prod3"]))
                == "The request: Order prod1 and prod3.\nWritten so far: create_order ord_a pending.\nThe request names prod3, which "
                + "no order made so far has: if the request orders it, delegate that order (orders agent, create_order).\n"
                + "If that is all the request asks (or it cannot be done), give your final answer now; otherwise delegate the next step.")
    }
}
