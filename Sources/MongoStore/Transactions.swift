import Foundation

extension StoreContext {
    /// Runs `body` in a multi-document transaction and commits it, retrying the whole transaction
    /// on `TransientTransactionError` and the commit on `UnknownTransactionCommitResult`, as the
    /// drivers' convenient transaction API specifies, within a time limit.
    ///
    /// `body` gets the options (with the session id) to pass to every operation, and returns its
    /// value and whether to commit; returning `commit: false` aborts. The transactions of one
    /// process take turns (see `TransactionTurn`); the time limit counts from this one's turn.
    func withTransaction<T>(timeLimit: TimeInterval = 30,
                            _ body: (BSONDocument) throws(MongoError) -> (value: T, commit: Bool)) throws(MongoError) -> T {
        TransactionTurn.semaphore.wait()
        defer { TransactionTurn.semaphore.signal() }
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
                if error.isTransient, Date() < deadline {
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
                if error.isTransient, Date() < deadline {
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
                if error.isUnknownCommitResult, !error.isTransient, Date() < deadline { continue }
                throw error
            }
        }
    }
}

/// The transactions of a process run one at a time. They all write product documents, and when
/// orders compete for the same products, concurrent transactions abort each other with write
/// conflicts: dozens side by side mostly conflict and retry, and their retries load the server
/// so much that the transaction holding the documents slows down too, until hardly any commits.
/// Taking turns leaves the competition to the processes, which the retries with backoff handle.
enum TransactionTurn {
    static let semaphore = DispatchSemaphore(value: 1)
}
