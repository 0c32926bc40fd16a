import Foundation

extension StoreContext {
    /// Runs `body` in a multi-document transaction and commits it, retrying the whole transaction
    /// on `TransientTransactionError` and the commit on `UnknownTransactionCommitResult`, as the
    /// drivers' convenient transaction API specifies, within a time limit.
    ///
    /// `body` gets the options (with the session id) to pass to every operation, and returns its
    /// value and whether to commit; returning `commit: false` aborts. The transactions of one
    /// process that write the same products take turns (see `ProductTurns`); the time limit counts
    /// from this one's turn.
    func withTransaction<T>(writing productIDs: [String], timeLimit: TimeInterval = 30,
                            _ body: (BSONDocument) throws(MongoError) -> (value: T, commit: Bool)) throws(MongoError) -> T {
        let turn = ProductTurns.shared.take(productIDs)
        defer { ProductTurns.shared.give(turn) }
        let session = try client.startSession()
        let deadline = Date().addingTimeInterval(timeLimit)
        var attempt = 0
        while true {
            attempt += 1
            try session.startTransaction()
            let outcome: (value: T, commit: Bool)
            do {
                outcome = try body(try session.options())
            } catch {
                session.abort()
                // An unreachable database is not waited out here: the call fails within the
                // database timeout, and the client retries (with its idempotency key).
                if error.isTransient, !error.isUnavailable, Date() < deadline {
                    backoff(attempt: attempt)
                    continue
                }
                throw error
            }
            guard outcome.commit else {
                session.abort()
                return outcome.value
            }
            do {
                try commit(session, deadline: deadline)
                return outcome.value
            } catch {
                if error.isTransient, !error.isUnavailable, Date() < deadline {
                    backoff(attempt: attempt)
                    continue
                }
                throw error
            }
        }
    }

    private func commit(_ session: MongoSession, deadline: Date) throws(MongoError) {
        while true {
            do {
                try session.commit()
                return
            } catch {
                // Retrying a commit is safe: the server applies a transaction once.
                if error.isUnknownCommitResult, !error.isTransient, !error.isUnavailable, Date() < deadline { continue }
                // The database went away during the commit: it may or may not have applied it.
                if error.isUnavailable, error.isUnknownCommitResult { throw error.withUnknownOutcome }
                throw error
            }
        }
    }
}

/// Transactions of one process that write the same products run one at a time; the others run
/// side by side. Concurrent transactions on one product document abort each other with write
/// conflicts: dozens side by side mostly conflict and retry, and their retries load the server so
/// much that the one holding the document slows down too, until hardly any commits. Taking turns
/// leaves the competition to the processes, which retries with backoff handle.
///
/// Products map onto a fixed set of locks, taken in index order, so two transactions can never
/// wait for each other.
final class ProductTurns: Sendable {
    static let shared = ProductTurns()
    private let locks = (0..<64).map { _ in NSLock() }

    func take(_ productIDs: [String]) -> [Int] {
        let indices = Set(productIDs.map { stripe($0) }).sorted()
        for index in indices { locks[index].lock() }
        return indices
    }

    func give(_ indices: [Int]) {
        for index in indices.reversed() { locks[index].unlock() }
    }

    /// FNV-1a of the id, so that a product always maps to the same lock.
    private func stripe(_ id: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(locks.count))
    }
}
