import Foundation
import GRDB

extension GatewayStore {
    /// Every policy document, ordered by scope.
    public func policies() throws(StoreError) -> [PolicyRecord] {
        try read { db in try PolicyRecord.order(Column("scope")).fetchAll(db) }
    }

    /// The document of one scope, or nil when the scope has none.
    public func policy(scope: String) throws(StoreError) -> PolicyRecord? {
        try read { db in try PolicyRecord.filter(Column("scope") == scope).fetchOne(db) }
    }

    /// Creates or replaces one scope's document.
    @discardableResult
    public func setPolicy(scope: String, document: String) throws(StoreError) -> PolicyRecord {
        try write { db in
            if var existing = try PolicyRecord.filter(Column("scope") == scope).fetchOne(db) {
                existing.document = document
                existing.updatedAt = Date()
                try existing.update(db)
                return existing
            }
            return try PolicyRecord.New(scope: scope, document: document).insertStored(db)
        }
    }

    /// Removes one scope's document.
    public func deletePolicy(scope: String) throws(StoreError) {
        try write { db in
            guard try PolicyRecord.filter(Column("scope") == scope).deleteAll(db) > 0 else {
                throw StoreError(.notFound, "no policy for scope '\(scope)'")
            }
        }
    }

    /// Sets whether a server requires a subscription key.
    @discardableResult
    public func setServerRequiresSubscription(named name: String, _ required: Bool) throws(StoreError) -> ServerRecord {
        try write { db in
            guard var server = try ServerRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "no server named '\(name)'")
            }
            guard server.requireSubscription != required else { return server }
            server.requireSubscription = required
            server.updatedAt = Date()
            try server.update(db)
            return server
        }
    }
}
