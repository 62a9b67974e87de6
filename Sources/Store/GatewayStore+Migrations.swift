import GRDB

extension GatewayStore {
    /// The schema, as named migrations. Each runs in its own transaction, so a kill half way leaves the previous
    /// schema and the next start completes it.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-core") { db in
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('configRevision', 0)")

            try db.create(table: "api") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("title", .text).notNull()
                t.column("version", .text).notNull()
                t.column("format", .text).notNull()
                t.column("source", .text).notNull()
                t.column("document", .text).notNull()
                t.column("baseUrl", .text)
                t.column("baseUrlOverridden", .boolean).notNull().defaults(to: false)
                t.column("allowPrivateNetwork", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "operation") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("api", onDelete: .cascade).notNull()
                t.column("key", .text).notNull()
                t.column("operationId", .text)
                t.column("toolName", .text).notNull()
                t.column("method", .text).notNull()
                t.column("path", .text).notNull()
                t.column("summary", .text)
                t.column("definition", .text).notNull()
                t.column("position", .integer).notNull()
                t.uniqueKey(["apiId", "key"])
            }
            try db.create(table: "server") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("description", .text).notNull().defaults(to: "")
                t.column("basePath", .text).notNull().unique()
                t.column("enabled", .boolean).notNull().defaults(to: true)
                t.belongsTo("api", onDelete: .restrict)
                t.column("allOperations", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "tool") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("server", onDelete: .cascade).notNull()
                t.belongsTo("operation", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("descriptionOverride", .text)
                t.column("enabled", .boolean).notNull().defaults(to: true)
                t.column("position", .integer).notNull()
                t.uniqueKey(["serverId", "name"])
            }
            try db.create(table: "requestLog") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("time", .datetime).notNull().indexed()
                t.column("server", .text).notNull()
                t.column("client", .text).notNull()
                t.column("method", .text).notNull()
                t.column("tool", .text)
                t.column("outcome", .text).notNull()
                t.column("status", .integer).notNull()
                t.column("backendStatus", .integer)
                t.column("latencyMicros", .integer).notNull()
                t.column("bytesIn", .integer).notNull()
                t.column("bytesOut", .integer).notNull()
                t.column("error", .text)
            }
            // Any change to configuration bumps the revision that running engines poll.
            for table in ["api", "operation", "server", "tool"] { try revisionTriggers(db, table: table) }
        }
        m.registerMigration("v2-governance") { db in
            try db.alter(table: "server") { t in
                t.add(column: "requireSubscription", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "policy") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("scope", .text).notNull().unique()
                t.column("document", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "subscription") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("keyHash", .text).notNull().unique()
                t.column("keyHint", .text).notNull()
                t.column("servers", .text)
                t.column("state", .text).notNull()
                t.column("expiresAt", .datetime)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.alter(table: "requestLog") { t in
                t.add(column: "principal", .text)
                t.add(column: "decisions", .text)
            }
            // Usage counters are not configuration: no revision trigger.
            try db.create(table: "quotaCounter") { t in
                t.primaryKey("key", .text)
                t.column("periodStart", .integer).notNull()
                t.column("count", .integer).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            for table in ["policy", "subscription"] { try revisionTriggers(db, table: table) }
        }
        m.registerMigration("v3-credentials") { db in
            try db.create(table: "credentialProvider") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("kind", .text).notNull()
                t.column("settings", .text).notNull()
                t.column("secret", .text)
                t.column("allowPrivateNetwork", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "credentialConnection") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.belongsTo("provider", inTable: "credentialProvider", onDelete: .cascade).notNull()
                t.column("status", .text).notNull()
                t.column("statusReason", .text)
                t.column("accessToken", .text)
                t.column("refreshToken", .text)
                t.column("expiresAt", .datetime)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "oauthState") { t in
                t.primaryKey("stateHash", .text)
                t.belongsTo("connection", inTable: "credentialConnection", onDelete: .cascade).notNull()
                t.column("verifier", .text).notNull()
                t.column("redirectUri", .text).notNull()
                t.column("expiresAt", .datetime).notNull()
            }
            try db.alter(table: "api") { t in
                t.add(column: "credential", .text)
                t.add(column: "credentialOrigin", .text)
            }
            // Token refreshes update connections often: only changes of what is configured bump the revision.
            try revisionTriggers(db, table: "credentialProvider")
            try revisionTriggers(db, table: "credentialConnection", updateOf: "name, providerId")
        }
        m.registerMigration("v4-upstreams") { db in
            try db.create(table: "upstream") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("transport", .text).notNull()
                t.column("url", .text)
                t.column("command", .text)
                t.column("environment", .text)
                t.column("workingDirectory", .text)
                t.column("headers", .text)
                t.column("allowPrivateNetwork", .boolean).notNull().defaults(to: false)
                t.column("credential", .text)
                t.column("credentialOrigin", .text)
                t.column("timeoutSeconds", .double)
                t.column("maxTimeoutSeconds", .double)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "upstreamTool") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("upstream", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("status", .text).notNull()
                t.column("approvedFingerprint", .text)
                t.column("approvedDefinition", .text)
                t.column("currentFingerprint", .text).notNull()
                t.column("currentDefinition", .text).notNull()
                t.column("flags", .text)
                t.column("firstSeen", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.uniqueKey(["upstreamId", "name"])
            }
            // Servers keep their sources: an upstream in use cannot be deleted under them.
            try db.create(table: "serverUpstream") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("server", onDelete: .cascade).notNull()
                t.belongsTo("upstream", onDelete: .restrict).notNull()
                t.column("prefix", .text)
                t.column("tools", .text)
                t.column("renames", .text)
                t.column("descriptions", .text)
                t.column("position", .integer).notNull()
                t.uniqueKey(["serverId", "upstreamId"])
            }
            try revisionTriggers(db, table: "upstream")
            try revisionTriggers(db, table: "serverUpstream")
            // Discovery writes a row only when what the upstream lists changed; those writes bump the revision (what is
            // served, or what an admin is asked to approve, changed). Time stamps alone never do.
            try revisionTriggers(db, table: "upstreamTool", updateOf: "status, approvedFingerprint, approvedDefinition, currentFingerprint, flags")
        }
        m.registerMigration("v5-real-world-apis") { db in
            // What the import found (JSON array of {location, message, kind}), how the API was imported, and how
            // answers are checked against output schemas (strict | tolerant | off; nil = tolerant).
            try db.alter(table: "api") { t in
                t.add(column: "warnings", .text)
                t.add(column: "strictImport", .boolean).notNull().defaults(to: false)
                t.add(column: "keepLongNames", .boolean).notNull().defaults(to: false)
                t.add(column: "outputSchemaMode", .text)
            }
            try db.alter(table: "tool") { t in
                t.add(column: "outputSchemaMode", .text)
            }
        }
        registerRegistryMigration(&m)
        registerRequestLogQueryMigration(&m)
        registerRequestLogFaultMigration(&m)
        return m
    }

    /// Triggers that bump `configRevision` after any insert, update (of `updateOf` columns only, when given) or delete.
    static func revisionTriggers(_ db: Database, table: String, updateOf: String? = nil) throws {
        for event in ["INSERT", "UPDATE", "DELETE"] {
            let columns = event == "UPDATE" ? updateOf.map { " OF \($0)" } ?? "" : ""
            try db.execute(
                sql: """
                    CREATE TRIGGER \(table)_\(event.lowercased())_revision AFTER \(event)\(columns) ON \(table)
                    BEGIN UPDATE meta SET value = value + 1 WHERE key = 'configRevision'; END
                    """)
        }
    }
}
