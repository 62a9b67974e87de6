import Foundation
import GRDB

extension GatewayStore {
    /// Appends request records in one transaction and trims the table to the retention limit.
    public func appendRequestLogs(_ records: [RequestLogRecord.New]) throws(StoreError) {
        guard !records.isEmpty else { return }
        let retention = configuration.requestLogRetention
        try write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO requestLog (time, server, client, method, tool, outcome, status, backendStatus, latencyMicros, bytesIn, bytesOut, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for r in records {
                try insert.execute(arguments: [
                    r.time, r.server, r.client, r.method, r.tool, r.outcome, r.status, r.backendStatus, r.latencyMicros, r.bytesIn, r.bytesOut, r.error,
                ])
            }
            try db.execute(
                sql: "DELETE FROM requestLog WHERE id <= (SELECT MAX(id) FROM requestLog) - ?", arguments: [retention])
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
}
