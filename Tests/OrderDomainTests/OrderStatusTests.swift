import OrderDomain
import Testing

@Suite("OrderStatus")
struct OrderStatusTests {
    @Test func rawValuesAreTheWireNames() {
        #expect(OrderStatus.allCases.map(\.rawValue) == ["pending", "in_transit", "delivered", "cancelled"])
        #expect(OrderStatus(rawValue: "in_transit") == .inTransit)
        #expect(OrderStatus(rawValue: "inTransit") == nil)
        #expect(OrderStatus(rawValue: "PENDING") == nil)
    }

    @Test("allowed next statuses", arguments: [
        (OrderStatus.pending, [OrderStatus.inTransit, .cancelled]),
        (.inTransit, [.delivered, .cancelled]),
        (.delivered, []),
        (.cancelled, []),
    ])
    func allowedNext(status: OrderStatus, next: [OrderStatus]) {
        #expect(status.allowedNext == next)
        #expect(status.isFinal == next.isEmpty)
        #expect(!status.allowedNext.contains(status))
    }

    @Test func nothingLeadsBackToPending() {
        #expect(!OrderStatus.allCases.contains { $0.allowedNext.contains(.pending) })
    }
}
