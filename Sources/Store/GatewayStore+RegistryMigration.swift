import GRDB

extension GatewayStore {
    /// The registry's tables (issue 18). Entries, gateway overrides and access settings are configuration (they bump
    /// `configRevision`); what the engine publishes and what probes find are not, and probes bump a counter of their
    /// own (`registryHealthRevision`) so engines and consoles re-read health without reloading configuration.
    static func registerRegistryMigration(_ m: inout DatabaseMigrator) {
        m.registerMigration("v5-registry") { db in
            try db.create(table: "registryEntry") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("version", .text).notNull()
                t.column("document", .text).notNull()
                t.column("pendingDocument", .text)
                t.column("lifecycle", .text).notNull()
                t.column("owner", .text)
                t.column("tags", .text)
                t.column("statusMessage", .text)
                t.column("approval", .text).notNull()
                t.column("origin", .text).notNull()
                t.column("allowPrivateNetwork", .boolean).notNull().defaults(to: false)
                t.column("deletedAt", .datetime)
                t.column("publishedAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("statusChangedAt", .datetime).notNull()
                t.uniqueKey(["name", "version"])
            }
            try db.create(table: "registryGateway") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("server", onDelete: .cascade).notNull().unique()
                t.column("version", .text)
                t.column("title", .text)
                t.column("description", .text)
                t.column("lifecycle", .text).notNull()
                t.column("owner", .text)
                t.column("tags", .text)
                t.column("statusMessage", .text)
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "registrySettings") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("anonymousRead", .boolean)
                t.column("requireSubscription", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "registryPublished") { t in
                t.primaryKey("name", .text)
                t.column("server", .text).notNull()
                t.column("version", .text).notNull()
                t.column("fingerprint", .text).notNull()
                t.column("status", .text).notNull()
                t.column("document", .text).notNull()
                t.column("publishedAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("statusChangedAt", .datetime).notNull()
                t.column("deletedAt", .datetime)
            }
            try db.create(table: "registryHealth") { t in
                t.primaryKey("target", .text)
                t.column("state", .text).notNull()
                t.column("detail", .text)
                t.column("latencyMs", .double)
                t.column("toolCount", .integer)
                t.column("fingerprint", .text)
                t.column("tools", .text)
                t.column("checkedAt", .datetime).notNull()
                t.column("lastReachableAt", .datetime)
                t.column("changedAt", .datetime).notNull()
            }
            try db.create(table: "registryHealthEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("target", .text).notNull().indexed()
                t.column("time", .datetime).notNull()
                t.column("state", .text).notNull()
                t.column("detail", .text)
                t.column("latencyMs", .double)
                t.column("toolCount", .integer)
                t.column("fingerprint", .text)
                t.column("change", .text)
            }
            for table in ["registryEntry", "registryGateway", "registrySettings"] { try revisionTriggers(db, table: table) }
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('registryHealthRevision', 0)")
            for event in ["INSERT", "UPDATE", "DELETE"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER registryHealth_\(event.lowercased())_revision AFTER \(event) ON registryHealth
                        BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registryHealthRevision'; END
                        """)
            }
        }
    }
}
