import OrderDomain
import Testing

@Suite("Transition")
struct TransitionTests {
    static let allowed: Set<[OrderStatus]> = [
        [.pending, .inTransit], [.pending, .cancelled], [.inTransit, .delivered], [.inTransit, .cancelled],
    ]

    @Test("every pair of statuses", arguments: OrderStatus.allCases, OrderStatus.allCases)
    func decide(from current: OrderStatus, to requested: OrderStatus) throws {
        let order = try oid("ord_test")
        if current == requested {
            #expect(try Transition.decide(order: order, from: current, to: requested) == .unchanged)
        } else if Self.allowed.contains([current, requested]) {
            let transition = try Transition.decide(order: order, from: current, to: requested)
            #expect(transition == .apply(from: current, to: requested, restocks: requested == .cancelled))
        } else {
            let error = #expect(throws: OrderError.self) {
                try Transition.decide(order: order, from: current, to: requested)
            }
            #expect(error == .invalidTransition(order: order, from: current, to: requested))
            let message = try #require(error?.message)
            #expect(message.contains("'\(current.rawValue)' to '\(requested.rawValue)'"))
            #expect(message.contains("ord_test"))
            for next in current.allowedNext {
                #expect(message.contains("'\(next.rawValue)'"), "\(message)")
            }
            if current.isFinal {
                #expect(message.contains("none: '\(current.rawValue)' is final"), "\(message)")
            }
        }
    }

    @Test func onlyCancellingRestocks() throws {
        let order = try oid("ord_1")
        #expect(try Transition.decide(order: order, from: .pending, to: .cancelled)
            == .apply(from: .pending, to: .cancelled, restocks: true))
        #expect(try Transition.decide(order: order, from: .inTransit, to: .cancelled)
            == .apply(from: .inTransit, to: .cancelled, restocks: true))
        #expect(try Transition.decide(order: order, from: .pending, to: .inTransit)
            == .apply(from: .pending, to: .inTransit, restocks: false))
        #expect(try Transition.decide(order: order, from: .inTransit, to: .delivered)
            == .apply(from: .inTransit, to: .delivered, restocks: false))
        // Cancelling twice is a no-op, so stock is never returned twice.
        #expect(try Transition.decide(order: order, from: .cancelled, to: .cancelled) == .unchanged)
    }

    @Test func skippingInTransitIsRefusedWithTheAllowedStatuses() throws {
        let order = try oid("ord_9")
        let error = #expect(throws: OrderError.self) {
            try Transition.decide(order: order, from: .pending, to: .delivered)
        }
        #expect(error?.message == "cannot move order 'ord_9' from 'pending' to 'delivered'. "
            + "Allowed next status: 'in_transit' or 'cancelled'. Nothing was changed.")
    }
}
