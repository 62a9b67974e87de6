import GRDB

/// The write transaction a ``GatewayStore/inOneTransaction(_:)`` body runs in, so that the store's own functions
/// called inside it join it instead of opening their own.
final class AmbientTransaction: @unchecked Sendable {
    // Used only on the thread that runs the transaction's body, while it runs.
    let db: Database
    let pool: ObjectIdentifier

    init(db: Database, pool: ObjectIdentifier) {
        self.db = db
        self.pool = pool
    }

    @TaskLocal static var current: AmbientTransaction?
}

extension GatewayStore {
    /// Runs `body` in one write transaction: every store function it calls (writes and reads) joins it, each write
    /// in a savepoint of its own, and the whole commits only when `body` returns. When `body` throws, nothing it
    /// wrote is kept — `gatehouse apply` uses this, so an apply that fails half-way leaves the store as it was.
    public func inOneTransaction<T>(_ body: () throws -> T) throws -> T {
        if let ambient = AmbientTransaction.current, ambient.pool == ObjectIdentifier(dbPool) { return try body() }
        var result: T?
        var failure: (any Error)?
        do {
            try dbPool.writeWithoutTransaction { db in
                try db.inTransaction {
                    do {
                        result = try AmbientTransaction.$current.withValue(AmbientTransaction(db: db, pool: ObjectIdentifier(dbPool))) { try body() }
                        return .commit
                    } catch {
                        failure = error
                        return .rollback
                    }
                }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.conflict, Self.describe(error))
        } catch {
            throw StoreError(.unavailable, Self.describe(error))
        }
        if let failure { throw failure }
        return result!
    }

    /// The transaction a write or read joins, when it runs inside ``inOneTransaction(_:)`` on this store.
    var ambientDatabase: Database? {
        guard let a = AmbientTransaction.current, a.pool == ObjectIdentifier(dbPool) else { return nil }
        return a.db
    }
}
