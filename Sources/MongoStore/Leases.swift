import Foundation
import OrderDomain
import Synchronization

/// Unfinished work on the no-transaction path (an order being reserved or rolled back, a
/// cancellation returning its stock) carries a lease in its order document: `lease_owner`, a
/// token of the operation doing it, and `lease_until`. Recovery in any process takes over only
/// work whose lease has expired, by a conditional update that installs its own token, so two
/// processes never work on the same order at once.
///
/// While an operation runs, its lease is listed here and renewed by the store's maintenance
/// thread, so a slow but live operation keeps its work however long it takes; a crashed process
/// stops renewing, and its work is taken over one lease period later.
final class LeaseRegistry: Sendable {
    private let active = Mutex<[String: String]>([:])  // order id → token

    static func newToken() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36) + "." + String(getpid())
    }

    func hold(_ orderID: String, token: String) { active.withLock { $0[orderID] = token } }
    func release(_ orderID: String) { _ = active.withLock { $0.removeValue(forKey: orderID) } }
    var held: [(orderID: String, token: String)] { active.withLock { $0.map { ($0.key, $0.value) } } }
}

extension StoreContext {
    /// The fields that give an order document a lease owned by `token`.
    func leaseFields(_ token: String) -> BSONDocument {
        ["lease_owner": .string(token), "lease_until": .datetime(now().adding(milliseconds: leaseMilliseconds).millisecondsSince1970)]
    }

    /// Runs `body` while the lease on `orderID` is renewed in the background.
    func whileHolding<T>(_ orderID: String, token: String, _ body: () throws(OrderError) -> T) throws(OrderError) -> T {
        leases.hold(orderID, token: token)
        defer { leases.release(orderID) }
        return try body()
    }

    /// Extends the leases this process holds. A lease that is no longer ours is left alone: the
    /// operation that held it will find out at its next conditional write.
    func renewLeases() {
        for (orderID, token) in leases.held {
            _ = try? orders.updateOne(["_id": .string(orderID), "lease_owner": .string(token)],
                                      ["$set": ["lease_until": .datetime(now().adding(milliseconds: leaseMilliseconds).millisecondsSince1970)]])
        }
    }
}
