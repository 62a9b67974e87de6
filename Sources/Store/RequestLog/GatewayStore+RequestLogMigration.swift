import GRDB

extension GatewayStore {
    /// The request log's query columns (transport, protocol revision, client name and version, JSON-RPC code,
    /// backend time, cache hit) and the indexes `gatehouse logs` filters use.
    static func registerRequestLogQueryMigration(_ m: inout DatabaseMigrator) {
        m.registerMigration("v6-request-log-query") { db in
            try db.alter(table: "requestLog") { t in
                t.add(column: "transport", .text)
                t.add(column: "protocolVersion", .text)
                t.add(column: "clientName", .text)
                t.add(column: "clientVersion", .text)
                t.add(column: "rpcCode", .integer)
                t.add(column: "backendMicros", .integer)
                t.add(column: "cacheHit", .boolean).notNull().defaults(to: false)
            }
            // The first column of each is what a filter most often names (compared case-insensitively, as the filter
            // language does, so `server:pets` is an index lookup); time orders within it.
            for column in ["server", "tool", "principal", "clientName"] {
                try db.execute(sql: "CREATE INDEX requestLog_\(column)_time ON requestLog(\(column) COLLATE NOCASE, time)")
            }
            try db.execute(sql: "CREATE INDEX requestLog_outcome_time ON requestLog(outcome, time)")
        }
    }
}
