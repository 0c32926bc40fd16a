import Agents
import Foundation
import JSON
import Testing
import TestSupport

/// Under the `capable` profile, a model that makes every call right gets every one of them made,
/// in any language, with paraphrases, numbers it computed, and statuses walked through their steps;
/// and the database ends as asked. (With the `small` profile, several of these are held or refused:
/// its guards read English words.) One case at a time: 33 at once, each with its own ToolServer and
/// seeding, overloaded the stand-in database on two cores for the suites running beside them.
@Suite(.serialized) struct IdealModelTests {
    typealias Case = IdealCase
    typealias Delegation = IdealCase.Delegation

    @Test(arguments: Self.cases)
    func everyRightCallIsMade(_ ideal: Case) async throws {
        let database = try await TestDatabase.make("ideal", products: Case.catalogue)
        defer { database.drop() }
        let seeded = try await ideal.placeOrders(in: database)
        var request = ideal.request
        for (index, id) in seeded.enumerated() { request = request.replacingOccurrences(of: "{\(index)}", with: id) }
        let outcome = try await HostHarness.run(request, routes: ideal.routes(seeded: seeded), database: database,
                                                settings: HostSettings(profile: .capable))
        let report = outcome.report
        #expect(report.status == .completed, "\(report.error ?? "")\n\(outcome.trace)")
        // Every call the model made reached its tool and succeeded: no policy refused, held or rewrote one.
        let calls = report.agents.filter { $0.role != "manager" }.flatMap(\.steps).flatMap(\.toolCalls)
        #expect(calls.count == ideal.plan.flatMap(\.steps).joined().count, "\(outcome.trace)")
        for call in calls {
            #expect(!call.isError && call.policy == nil, "\(call.name) \(JSONWriter.string(call.arguments)): \(PlainText.render(call.result))")
        }
        let managerCalls = report.agents.filter { $0.role == "manager" }.flatMap(\.steps).flatMap(\.toolCalls)
        #expect(managerCalls.allSatisfy { $0.policy == nil && !$0.rejected })
        #expect(!report.finalAnswer.contains("Failed:"), "\(report.finalAnswer)")

        // The database ends as asked.
        var stock = Dictionary(uniqueKeysWithValues: Case.catalogue.map { ($0.0, Int64($0.3)) })
        stock.merge(ideal.stock) { _, new in new }
        #expect(try database.stock() == stock)
        let orders = try database.orders()
        #expect(orders.count == ideal.orders.count, "\(orders.map { JSONWriter.string($0) })")
        for expected in ideal.orders {
            let order = orders.first { $0["delivery_address"]?.stringValue == expected.address }
            #expect(order?["status"]?.stringValue == expected.status, "\(expected.address)")
            if let lines = expected.lines {
                let actual = (order?["lines"]?.arrayValue ?? []).reduce(into: [String: Int64]()) { out, line in
                    if let id = line["product_id"]?.stringValue { out[id] = line["quantity"]?.integerValue }
                }
                #expect(actual == lines, "\(expected.address)")
            }
        }
    }

    // MARK: - The calls, as JSON text

    static func order(_ items: [(String, Int)], _ address: String) -> (String, String) {
        let lines = items.map { #"{"product_id":"\#($0.0)","quantity":\#($0.1)}"# }.joined(separator: ",")
        return ("create_order", #"{"items":[\#(lines)],"delivery_address":"\#(address)"}"#)
    }

    static func status(_ id: String, _ status: String) -> (String, String) {
        ("update_delivery_status", #"{"order_id":"\#(id)","status":"\#(status)"}"#)
    }

    static func stock(_ product: String, _ delta: Int) -> (String, String) {
        ("update_stock", #"{"product_id":"\#(product)","delta":\#(delta)}"#)
    }

    static func check(_ product: String) -> (String, String) { ("check_stock", #"{"product_id":"\#(product)"}"#) }

    static func ordersTo(_ address: String) -> (String, String) { ("list_orders", #"{"delivery_address":"\#(address)"}"#) }

    // MARK: - The requests

    static let cases: [Case] = stockCases + statusCases + orderCases

    /// Stock set, corrected, returned, written off, in other words and languages, with numbers to compute.
    static let stockCases: [Case] = [
        Case(label: "set to a counted level", request: "We counted the shelf: there are 22 Smartphones. Set the Smartphone stock to 22.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Set prod2 (Smartphone) to 22 units.",
                               steps: [[check("prod2")], [stock("prod2", 7)]])],
             stock: ["prod2": 22]),
        Case(label: "half a dozen returned", request: "A customer returned half a dozen Headphones; put them back into stock.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Add 6 prod3 (returned).", steps: [[stock("prod3", 6)]])],
             stock: ["prod3": 36]),
        Case(label: "audit correction", request: "Audit: we only have 27 Headphones, the system says 30; correct it.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Reduce prod3 by 3.", steps: [[stock("prod3", -3)]])],
             stock: ["prod3": 27]),
        Case(label: "restock below 12 to exactly 20", request: "Restock every product below 12 units to exactly 20.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Every product below 12: up to 20.",
                               steps: [[("list_products", #"{"low_stock_below":12}"#)], [stock("prod1", 10), stock("prod4", 12)]])],
             stock: ["prod1": 20, "prod4": 20]),
        Case(label: "German write-off", request: "Wir mussten 5 Tastaturen als beschädigt abschreiben.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Write off 5 prod5.", steps: [[stock("prod5", -5)]])],
             stock: ["prod5": 20]),
        Case(label: "French delivery received", request: "Nous avons reçu une livraison de 8 moniteurs.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Add 8 prod4.", steps: [[stock("prod4", 8)]])],
             stock: ["prod4": 16]),
        Case(label: "Spanish dozen", request: "Añade una docena de auriculares al inventario.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Add 12 prod3.", steps: [[stock("prod3", 12)]])],
             stock: ["prod3": 42]),
        Case(label: "zero after a sell-out", request: "We sold out of keyboards at the fair, so zero them in the system.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Set prod5 to 0.",
                               steps: [[check("prod5")], [stock("prod5", -25)]])],
             stock: ["prod5": 0]),
        Case(label: "water damage paraphrase", request: "Knock the Smartphone count down by four, they got water-damaged.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Reduce prod2 by 4.", steps: [[stock("prod2", -4)]])],
             stock: ["prod2": 11]),
        Case(label: "top up to a total", request: "Add stock so we have 50 Headphones in total.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Bring prod3 to 50.",
                               steps: [[check("prod3")], [stock("prod3", 20)]])],
             stock: ["prod3": 50]),
        Case(label: "French restock", request: "Réapprovisionnez les claviers de 15 unités.",
             plan: [Delegation(role: "inventory", tool: "update_stock", task: "Add 15 prod5.", steps: [[stock("prod5", 15)]])],
             stock: ["prod5": 40]),
        Case(label: "German question", request: "Wie viele Laptops haben wir noch?",
             plan: [Delegation(role: "inventory", tool: "check_stock", task: "Stock of prod1.", steps: [[check("prod1")]])]),
    ]

    /// Statuses set in other words and languages, by address, and walked through their steps.
    static let statusCases: [Case] = [
        Case(label: "out for delivery", before: [.init(items: [("prod1", 1)], address: "2 Oak St")],
             request: "Order {0} is out for delivery now; please update its status.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "Set {0} in_transit.",
                               steps: [[status("{0}", "in_transit")]])],
             stock: ["prod1": 9], orders: [("2 Oak St", "in_transit", nil)]),
        Case(label: "French ship", before: [.init(items: [("prod3", 2)], address: "5 rue Victor Hugo")],
             request: "Expédiez la commande {0}.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "Set {0} in_transit.",
                               steps: [[status("{0}", "in_transit")]])],
             stock: ["prod3": 28], orders: [("5 rue Victor Hugo", "in_transit", nil)]),
        Case(label: "Spanish cancel", before: [.init(items: [("prod2", 3)], address: "Calle Luna 3")],
             request: "Cancela el pedido {0}.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "Cancel {0}.",
                               steps: [[status("{0}", "cancelled")]])],
             orders: [("Calle Luna 3", "cancelled", nil)]),
        Case(label: "call it off, by address", before: [.init(items: [("prod4", 1)], address: "3 Birch Ln")],
             request: "The customer at 3 Birch Ln no longer wants their order; call it off.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "Cancel the order to 3 Birch Ln.",
                               steps: [[ordersTo("3 Birch Ln")], [status("{found0}", "cancelled")]])],
             orders: [("3 Birch Ln", "cancelled", nil)]),
        Case(label: "parcel arrived, by address",
             before: [.init(items: [("prod5", 2)], address: "4 Elm St", statuses: ["in_transit"])],
             request: "The customer at 4 Elm St says the parcel arrived this morning.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "Mark the order to 4 Elm St delivered.",
                               steps: [[ordersTo("4 Elm St")], [status("{found0}", "delivered")]])],
             stock: ["prod5": 23], orders: [("4 Elm St", "delivered", nil)]),
        Case(label: "delivered, walked from pending", before: [.init(items: [("prod1", 1)], address: "4 Elm St")],
             request: "The order going to 4 Elm St has been delivered.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "The order to 4 Elm St was delivered.",
                               steps: [[ordersTo("4 Elm St")], [status("{found0}", "in_transit")], [status("{0}", "delivered")]])],
             stock: ["prod1": 9], orders: [("4 Elm St", "delivered", nil)]),
        Case(label: "German cancel", before: [.init(items: [("prod3", 4)], address: "Lindenweg 2")],
             request: "Storniere die Bestellung {0}.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "Cancel {0}.",
                               steps: [[status("{0}", "cancelled")]])],
             orders: [("Lindenweg 2", "cancelled", nil)]),
        Case(label: "French delivered", before: [.init(items: [("prod2", 1)], address: "8 avenue Foch", statuses: ["in_transit"])],
             request: "La commande {0} a été livrée.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "Set {0} delivered.",
                               steps: [[status("{0}", "delivered")]])],
             stock: ["prod2": 14], orders: [("8 avenue Foch", "delivered", nil)]),
        Case(label: "Spanish delivered, walked", before: [.init(items: [("prod5", 1)], address: "Calle Sol 9")],
             request: "El pedido {0} fue entregado.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "{0} was delivered.",
                               steps: [[status("{0}", "in_transit")], [status("{0}", "delivered")]])],
             stock: ["prod5": 24], orders: [("Calle Sol 9", "delivered", nil)]),
        Case(label: "ship everything pending",
             before: [.init(items: [("prod1", 1)], address: "1 A St"), .init(items: [("prod2", 1)], address: "2 B St")],
             request: "Ship everything that's still pending.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "Set every pending order in_transit.",
                               steps: [[("list_orders", #"{"status":"pending"}"#)],
                                       [status("{found0}", "in_transit"), status("{found1}", "in_transit")]])],
             stock: ["prod1": 9, "prod2": 14], orders: [("1 A St", "in_transit", nil), ("2 B St", "in_transit", nil)]),
        Case(label: "on its way, then received", before: [.init(items: [("prod3", 1)], address: "9 Cedar Rd")],
             request: "Please put order {0} on its way, and mark it as received by the customer.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "{0}: in_transit, then delivered.",
                               steps: [[status("{0}", "in_transit")], [status("{0}", "delivered")]])],
             stock: ["prod3": 29], orders: [("9 Cedar Rd", "delivered", nil)]),
        Case(label: "cancel whatever goes to an address",
             before: [.init(items: [("prod2", 2)], address: "8 Ash Ct", statuses: ["in_transit"])],
             request: "Cancel whatever is going to 8 Ash Ct.",
             plan: [Delegation(role: "delivery", tool: "update_delivery_status", task: "Cancel the order to 8 Ash Ct.",
                               steps: [[ordersTo("8 Ash Ct")], [status("{found0}", "cancelled")]])],
             orders: [("8 Ash Ct", "cancelled", nil)]),
    ]

    /// Orders in other words and languages, with quantities to compute, and shipped.
    static let orderCases: [Case] = [
        Case(label: "all that is left", request: "Order all the Laptops we have left for 1 Long Rd.",
             plan: [Delegation(role: "inventory", tool: "check_stock", task: "Stock of prod1.", steps: [[check("prod1")]]),
                    Delegation(role: "orders", tool: "create_order", task: "Order 10 prod1 to 1 Long Rd.",
                               steps: [[order([("prod1", 10)], "1 Long Rd")]])],
             stock: ["prod1": 0], orders: [("1 Long Rd", "pending", ["prod1": 10])]),
        Case(label: "German order", request: "Bestelle zwei Laptops für Hauptstraße 5, Berlin.",
             plan: [Delegation(role: "orders", tool: "create_order", task: "2 prod1 to Hauptstraße 5, Berlin.",
                               steps: [[order([("prod1", 2)], "Hauptstraße 5, Berlin")]])],
             stock: ["prod1": 8], orders: [("Hauptstraße 5, Berlin", "pending", ["prod1": 2])]),
        Case(label: "French order", request: "Commandez trois casques pour 12 rue de la Paix, Paris.",
             plan: [Delegation(role: "orders", tool: "create_order", task: "3 prod3 to 12 rue de la Paix, Paris.",
                               steps: [[order([("prod3", 3)], "12 rue de la Paix, Paris")]])],
             stock: ["prod3": 27], orders: [("12 rue de la Paix, Paris", "pending", ["prod3": 3])]),
        Case(label: "Spanish order and ship", request: "Envía dos smartphones a Calle Mayor 10, Madrid.",
             plan: [Delegation(role: "orders", tool: "create_order", task: "2 prod2 to Calle Mayor 10, Madrid.",
                               steps: [[order([("prod2", 2)], "Calle Mayor 10, Madrid")]]),
                    Delegation(role: "delivery", tool: "update_delivery_status", task: "Set {new} in_transit.",
                               steps: [[status("{new}", "in_transit")]])],
             stock: ["prod2": 13], orders: [("Calle Mayor 10, Madrid", "in_transit", ["prod2": 2])]),
        Case(label: "a couple", request: "A couple of Monitors for 7 Oak Ave, please.",
             plan: [Delegation(role: "orders", tool: "create_order", task: "2 prod4 to 7 Oak Ave.",
                               steps: [[order([("prod4", 2)], "7 Oak Ave")]])],
             stock: ["prod4": 6], orders: [("7 Oak Ave", "pending", ["prod4": 2])]),
        Case(label: "two lines in one order", request: "Book 2 Laptops and 1 Monitor to 22 Baker St in one order.",
             plan: [Delegation(role: "orders", tool: "create_order", task: "2 prod1 and 1 prod4 to 22 Baker St, one order.",
                               steps: [[order([("prod1", 2), ("prod4", 1)], "22 Baker St")]])],
             stock: ["prod1": 8, "prod4": 7], orders: [("22 Baker St", "pending", ["prod1": 2, "prod4": 1])]),
        Case(label: "two customers", request: "Two customers: 1 Laptop to 5 Rose St, and 3 Headphones to 6 Lily St.",
             plan: [Delegation(role: "orders", tool: "create_order", task: "1 prod1 to 5 Rose St.",
                               steps: [[order([("prod1", 1)], "5 Rose St")]]),
                    Delegation(role: "orders", tool: "create_order", task: "3 prod3 to 6 Lily St.",
                               steps: [[order([("prod3", 3)], "6 Lily St")]])],
             stock: ["prod1": 9, "prod3": 27],
             orders: [("5 Rose St", "pending", ["prod1": 1]), ("6 Lily St", "pending", ["prod3": 3])]),
        Case(label: "half a dozen, sent off", request: "Order half a dozen Keyboards for 3 Pine Rd and send it off right away.",
             plan: [Delegation(role: "orders", tool: "create_order", task: "6 prod5 to 3 Pine Rd.",
                               steps: [[order([("prod5", 6)], "3 Pine Rd")]]),
                    Delegation(role: "delivery", tool: "update_delivery_status", task: "Set {new} in_transit.",
                               steps: [[status("{new}", "in_transit")]])],
             stock: ["prod5": 19], orders: [("3 Pine Rd", "in_transit", ["prod5": 6])]),
        Case(label: "plain request", request: "Two Laptops for 9 Elm Rd, please.",
             plan: [Delegation(role: "orders", tool: "create_order", task: "2 prod1 to 9 Elm Rd.",
                               steps: [[order([("prod1", 2)], "9 Elm Rd")]])],
             stock: ["prod1": 8], orders: [("9 Elm Rd", "pending", ["prod1": 2])]),
    ]

    /// The same request as the small profile sees it: its word checks hold a right call back. Not
    /// a flaw of the capable profile's; the reason the profiles differ.
    @Test func theSmallProfileDoubtsWhatTheCapableOneMakes() async throws {
        let database = try await TestDatabase.make("idealsmall", products: Case.catalogue)
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("inventory", ["tool": "update_stock", "task": "Set prod2 to 22 units."])]),
                               .answer("Done.")]),
            // (Sent back once: the refusal says "Did you mean delta 22?".)
            .agent("inventory", [.calls([.init("update_stock", ["product_id": "prod2", "delta": 7])]), .answer("Done."), .answer("Done.")]),
        ]
        let outcome = try await HostHarness.run(Self.stockCases[0].request, routes: routes, database: database,
                                                settings: HostSettings(profile: .small))
        #expect(try database.stock()["prod2"] == 15)
        #expect(outcome.report.finalAnswer.contains("Failed: update_stock prod2: cannot change stock by 7"), "\(outcome.report.finalAnswer)")
        #expect(outcome.trace.contains("[grounded-writes]"), "\(outcome.trace)")
    }
}
