import Agents
import Foundation
import JSON
import Synchronization
import Testing
import TestSupport

/// `--approve`: the writes its mode covers wait for a person's yes, who sees the call and the order
/// or product as it stands now; a no goes back to the model and to the answer's `Failed:` line, and
/// nothing is written. With nobody to ask (no terminal, no `--yes`) such a write is refused at once.
@Suite struct ApprovalTests {
    /// A person who answers every request the same way, and what they were shown.
    final class Person: Approver, Sendable {
        let says: Bool
        private let seen = Mutex<[ApprovalRequest]>([])
        init(says: Bool) { self.says = says }
        var isInteractive: Bool { true }
        var requests: [ApprovalRequest] { seen.withLock { $0 } }
        func decide(_ request: ApprovalRequest) async -> ApprovalDecision {
            seen.withLock { $0.append(request) }
            return says ? .approved : .declined(Declined.message)
        }
    }

    static func cancel(_ database: TestDatabase, approver: any Approver, mode: ApprovalMode = .destructive)
        async throws -> (HostHarness.Outcome, String) {
        let ideal = IdealCase(label: "cancel", before: [.init(items: [("prod2", 3)], address: "Calle Luna 3")],
                              request: "Cancela el pedido {0}.",
                              plan: [.init(role: "delivery", tool: "update_delivery_status", task: "Cancel {0}.",
                                           steps: [[("update_delivery_status", #"{"order_id":"{0}","status":"cancelled"}"#)]])])
        let seeded = try await ideal.placeOrders(in: database)
        let id = try #require(seeded.first)
        let outcome = try await HostHarness.run("Cancela el pedido \(id).", routes: ideal.routes(seeded: seeded), database: database,
                                                settings: HostSettings(profile: .capable, approval: mode, approver: approver))
        return (outcome, id)
    }

    @Test func aDeclinedCancellationIsNotMadeAndTheAnswerSaysSo() async throws {
        let database = try await TestDatabase.make("declined", products: IdealCase.catalogue)
        defer { database.drop() }
        let person = Person(says: false)
        let (outcome, id) = try await Self.cancel(database, approver: person)
        #expect(try database.orders().first?["status"]?.stringValue == "pending")
        #expect(try database.stock()["prod2"] == 12)
        // The person saw who asks, the call, why it is held, and the order as it stands.
        let request = try #require(person.requests.first)
        #expect(person.requests.count == 1)
        #expect(request.agent == "delivery#1" && request.tool == "update_delivery_status")
        #expect(request.arguments == ["order_id": .string(id), "status": "cancelled"])
        #expect(request.reasons == ["a cancellation cannot be undone"])
        #expect(request.current.count == 1 && request.current[0].contains("status: pending") && request.current[0].contains("Calle Luna 3"))
        // The model read the no; the answer lists it.
        let delivery = outcome.llm.requests("delivery")
        #expect(delivery.last?.lastResultText == Declined.message)
        #expect(outcome.report.finalAnswer.hasSuffix("Failed: update_delivery_status \(id): the user declined this call."),
                "\(outcome.report.finalAnswer)")
        #expect(outcome.trace.contains("[write-approval]"))
    }

    @Test func anApprovedCancellationIsMadeAndAShipmentIsNotAsked() async throws {
        let database = try await TestDatabase.make("approved", products: IdealCase.catalogue)
        defer { database.drop() }
        let person = Person(says: true)
        let (outcome, id) = try await Self.cancel(database, approver: person)
        #expect(person.requests.count == 1)
        #expect(try database.orders().first?["status"]?.stringValue == "cancelled")
        #expect(try database.stock()["prod2"] == 15)
        #expect(outcome.report.finalAnswer.contains("Changes: update_delivery_status \(id) cancelled."))

        // `destructive` does not hold a shipment.
        let shipping = try await TestDatabase.make("notasked", products: IdealCase.catalogue)
        defer { shipping.drop() }
        let ship = IdealCase(label: "ship", request: "Ship two Laptops to 9 Elm Rd.",
                             plan: [.init(role: "orders", tool: "create_order", task: "2 prod1 to 9 Elm Rd.",
                                          steps: [[("create_order", #"{"items":[{"product_id":"prod1","quantity":2}],"delivery_address":"9 Elm Rd"}"#)]]),
                                    .init(role: "delivery", tool: "update_delivery_status", task: "Ship {new}.",
                                          steps: [[("update_delivery_status", #"{"order_id":"{new}","status":"in_transit"}"#)]])])
        let quiet = Person(says: false)
        _ = try await HostHarness.run(ship.request, routes: ship.routes(seeded: []), database: shipping,
                                      settings: HostSettings(profile: .capable, approval: .destructive, approver: quiet))
        #expect(quiet.requests.isEmpty)
        #expect(try shipping.orders().first?["status"]?.stringValue == "in_transit")
    }

    /// No terminal and no `--yes`: refused at once with what to do, never waiting for input.
    @Test func withNobodyToAskAHeldWriteIsRefused() async throws {
        let database = try await TestDatabase.make("nobody", products: IdealCase.catalogue)
        defer { database.drop() }
        let (outcome, id) = try await Self.cancel(database, approver: NobodyToAsk(), mode: .writes)
        #expect(try database.orders().first?["status"]?.stringValue == "pending")
        let refusal = try #require(outcome.llm.requests("delivery").last?.lastResultText)
        #expect(refusal.hasPrefix("not made: this write needs a person's approval (--approve writes: every write waits for your yes) "
            + "and nobody can be asked here (no terminal). Run it on a terminal to be asked, or pass --yes"), "\(refusal)")
        #expect(outcome.report.finalAnswer.contains("Failed: update_delivery_status \(id): not made: this write needs a person's approval"))
    }

    @Test func yesApprovesWithoutAsking() async throws {
        let database = try await TestDatabase.make("yes", products: IdealCase.catalogue)
        defer { database.drop() }
        _ = try await Self.cancel(database, approver: ApproveAll(), mode: .writes)
        #expect(try database.orders().first?["status"]?.stringValue == "cancelled")
    }

    /// In the small profile, a write its word checks doubt is put to the person when one is there,
    /// rather than refused.
    @Test func aSmallModelsDoubtedWriteGoesToThePerson() async throws {
        let database = try await TestDatabase.make("doubted", products: IdealCase.catalogue)
        defer { database.drop() }
        let routes: [ScriptedLLMServer.Route] = [
            .agent("manager", [.calls([.init("inventory", ["tool": "update_stock", "task": "Set prod2 to 22."])]), .answer("Done.")]),
            .agent("inventory", [.calls([.init("update_stock", ["product_id": "prod2", "delta": 7])])]),
        ]
        let person = Person(says: true)
        let outcome = try await HostHarness.run("We counted 22 Smartphones on the shelf; set the stock to that.", routes: routes,
                                                database: database, settings: HostSettings(profile: .small, approver: person))
        #expect(try database.stock()["prod2"] == 22)
        let request = try #require(person.requests.first)
        #expect(request.reasons.first?.hasPrefix("cannot change stock by 7") == true)
        #expect(request.current.first?.contains("stock: 15") == true)
        #expect(outcome.report.finalAnswer.contains("Changes: update_stock prod2 stock 22."))
    }
}
