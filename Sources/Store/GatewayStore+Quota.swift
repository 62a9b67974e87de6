import Foundation
import GRDB

extension GatewayStore {
    /// The result of counting one call against a persisted quota.
    public struct QuotaIncrement: Sendable, Equatable {
        /// Whether the call fits the quota (and was counted).
        public var allowed: Bool
        /// Calls counted in the current window, this one included when allowed.
        public var count: Int
        /// The window the count belongs to (Unix seconds).
        public var periodStart: Int64
    }

    /// Counts one call against `key` in the window starting at `periodStart`, unless `limit` calls are already
    /// counted there. Atomic: SQLite has one writer, so N concurrent calls against a limit of N - 1 let exactly
    /// N - 1 through. A stored window later than `periodStart` (the wall clock went back) is kept, not reset.
    public func incrementQuota(key: String, periodStart: Int64, limit: Int) async throws(StoreError) -> QuotaIncrement {
        do {
            return try await dbPool.write { db in
                let row = try Row.fetchOne(db, sql: "SELECT periodStart, count FROM quotaCounter WHERE key = ?", arguments: [key])
                var start = periodStart
                var count = 0
                if let row {
                    let storedStart: Int64 = row["periodStart"]
                    if storedStart >= periodStart {
                        start = storedStart
                        count = row["count"]
                    }
                }
                guard count < limit else { return QuotaIncrement(allowed: false, count: count, periodStart: start) }
                try db.execute(
                    sql: """
                        INSERT INTO quotaCounter(key, periodStart, count, updatedAt) VALUES (?, ?, ?, ?)
                        ON CONFLICT(key) DO UPDATE SET periodStart = excluded.periodStart, count = excluded.count, updatedAt = excluded.updatedAt
                        """, arguments: [key, start, count + 1, Date()])
                return QuotaIncrement(allowed: true, count: count + 1, periodStart: start)
            }
        } catch {
            throw StoreError(.unavailable, Self.describe(error))
        }
    }

    /// Gives back one call counted in the window starting at `periodStart` (a rejected or uncounted request).
    public func refundQuota(key: String, periodStart: Int64) async throws(StoreError) {
        do {
            try await dbPool.write { db in
                try db.execute(
                    sql: "UPDATE quotaCounter SET count = count - 1, updatedAt = ? WHERE key = ? AND periodStart = ? AND count > 0",
                    arguments: [Date(), key, periodStart])
            }
        } catch {
            throw StoreError(.unavailable, Self.describe(error))
        }
    }

    /// Every persisted quota counter, by key.
    public func quotaCounters() throws(StoreError) -> [QuotaCounter] {
        try read { db in try QuotaCounter.fetchAll(db, sql: "SELECT key, periodStart, count, updatedAt FROM quotaCounter ORDER BY key") }
    }

    /// Removes quota counters whose key starts with `prefix` (all when empty). Returns how many went.
    @discardableResult
    public func resetQuotaCounters(prefix: String = "") throws(StoreError) -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM quotaCounter WHERE substr(key, 1, ?) = ?", arguments: [prefix.count, prefix])
            return db.changesCount
        }
    }
}
