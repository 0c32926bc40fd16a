import Foundation

extension StoreContext {
    /// Runs `body` in a multi-document transaction and commits it, retrying the whole transaction
    /// on `TransientTransactionError` and the commit on `UnknownTransactionCommitResult`, as the
    /// drivers' convenient transaction API specifies, within a time limit.
    ///
    /// `body` gets the options (with the session id) to pass to every operation, and returns its
    /// value and whether to commit; returning `commit: false` aborts.
    func withTransaction<T>(timeLimit: TimeInterval = 10,
                            _ body: (BSONDocument) throws(MongoError) -> (value: T, commit: Bool)) throws(MongoError) -> T {
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
