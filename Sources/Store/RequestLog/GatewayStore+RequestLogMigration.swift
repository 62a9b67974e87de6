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

    /// Whether a failure was the server side's (the gateway, a backend, an upstream) rather than the client's, so
    /// stored statistics and health tell them apart as the live figures do. Older rows read as client-side.
    static func registerRequestLogFaultMigration(_ m: inout DatabaseMigrator) {
        m.registerMigration("v7-request-log-server-failure") { db in
            try db.alter(table: "requestLog") { t in
                t.add(column: "serverFailure", .boolean).notNull().defaults(to: false)
            }
        }
    }
}
