import Foundation
import GRDB

extension GatewayStore {
    /// Appends request records in one transaction and trims the table to the retention limits (row count, and age
    /// when ``StoreConfiguration/requestLogMaxAge`` is set).
    public func appendRequestLogs(_ records: [RequestLogRecord.New]) throws(StoreError) {
        guard !records.isEmpty else { return }
        let retention = configuration.requestLogRetention
        let maxAge = configuration.requestLogMaxAge
        try write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO requestLog (time, server, client, method, tool, outcome, status, backendStatus, latencyMicros, bytesIn, bytesOut,
                        error, principal, decisions, transport, protocolVersion, clientName, clientVersion, rpcCode, backendMicros, cacheHit,
                        serverFailure)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for r in records {
                try insert.execute(arguments: [
                    r.time, r.server, r.client, r.method, r.tool, r.outcome, r.status, r.backendStatus, r.latencyMicros, r.bytesIn, r.bytesOut,
                    r.error, r.principal, r.decisions, r.transport, r.protocolVersion, r.clientName, r.clientVersion, r.rpcCode, r.backendMicros,
                    r.cacheHit, r.serverFailure,
                ])
            }
            try db.execute(
                sql: "DELETE FROM requestLog WHERE id <= (SELECT MAX(id) FROM requestLog) - ?", arguments: [retention])
            if let maxAge {
                // The time index makes this a range delete, empty on most batches.
                try db.execute(sql: "DELETE FROM requestLog WHERE time < ?", arguments: [Date().addingTimeInterval(-maxAge)])
            }
        }
    }

    /// The newest request records, newest first.
    public func recentRequestLogs(limit: Int = 100) throws(StoreError) -> [RequestLogRecord] {
        try read { db in try RequestLogRecord.order(Column("id").desc).limit(limit).fetchAll(db) }
    }

    /// The number of request records kept.
    public func requestLogCount() throws(StoreError) -> Int {
        try read { db in try RequestLogRecord.fetchCount(db) }
    }

    /// The records that match `filter`, newest first: at most `limit`, older than the record `before` (an id, for
    /// paging back through the log), newer than `after` (for following it).
    public func queryRequestLog(
        _ filter: RequestLogFilter, limit: Int = 100, before: Int64? = nil, after: Int64? = nil, now: Date = Date()
    ) throws(StoreError) -> [RequestLogRecord] {
        let (condition, arguments) = filter.sql(now: now)
        var sql = "SELECT * FROM requestLog WHERE \(condition)"
        var args = arguments
        if let before {
            sql += " AND id < ?"
            args += [before]
        }
        if let after {
            sql += " AND id > ?"
            args += [after]
        }
        sql += " ORDER BY id DESC LIMIT ?"
        args += [max(0, limit)]
        let statement = sql
        let bound = args
        return try read { db in try RequestLogRecord.fetchAll(db, sql: statement, arguments: bound) }
    }

    /// Calls the records that match `filter` oldest first, read in pages of `page` rows (an export that never holds
    /// the log in memory). Stops early when `body` returns false.
    public func forEachRequestLog(
        _ filter: RequestLogFilter, page: Int = 2000, now: Date = Date(), _ body: (RequestLogRecord) throws -> Bool
    ) throws {
        let (condition, arguments) = filter.sql(now: now)
        let sql = "SELECT * FROM requestLog WHERE \(condition) AND id > ? ORDER BY id LIMIT ?"
        var last: Int64 = 0
        while true {
            let args = arguments + [last, page]
            let rows = try read { db in try RequestLogRecord.fetchAll(db, sql: sql, arguments: args) }
            for r in rows {
                if try !body(r) { return }
            }
            guard rows.count == page, let id = rows.last?.id else { return }
            last = id
        }
    }
}
