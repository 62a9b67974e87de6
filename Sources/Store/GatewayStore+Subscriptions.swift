import Foundation
import GRDB

extension GatewayStore {
    /// Every subscription, by name.
    public func subscriptions() throws(StoreError) -> [SubscriptionRecord] {
        try read { db in try SubscriptionRecord.order(Column("name")).fetchAll(db) }
    }

    /// One subscription.
    public func subscription(named name: String) throws(StoreError) -> SubscriptionRecord {
        let found = try read { db in try SubscriptionRecord.filter(Column("name") == name).fetchOne(db) }
        guard let found else { throw StoreError(.notFound, "no subscription named '\(name)'") }
        return found
    }

    /// Inserts a new subscription; a taken name is a conflict.
    @discardableResult
    public func createSubscription(_ record: SubscriptionRecord.New) throws(StoreError) -> SubscriptionRecord {
        try write { db in
            if try SubscriptionRecord.filter(Column("name") == record.name).fetchCount(db) > 0 {
                throw StoreError(.conflict, "a subscription named '\(record.name)' already exists")
            }
            return try record.insertStored(db)
        }
    }

    /// Changes a subscription's state, servers or expiry; each nil argument leaves that field alone.
    @discardableResult
    public func updateSubscription(
        named name: String, state: SubscriptionRecord.State? = nil, servers: [String]?? = nil, expiresAt: Date?? = nil,
        key: (hash: String, hint: String)? = nil
    ) throws(StoreError) -> SubscriptionRecord {
        try write { db in
            guard var r = try SubscriptionRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "no subscription named '\(name)'")
            }
            if let state { r.state = state }
            if let servers { r.serverNames = servers }
            if let expiresAt { r.expiresAt = expiresAt }
            if let key {
                r.keyHash = key.hash
                r.keyHint = key.hint
            }
            r.updatedAt = Date()
            try r.update(db)
            return r
        }
    }

    /// Deletes a subscription.
    public func deleteSubscription(named name: String) throws(StoreError) {
        try write { db in
            guard try SubscriptionRecord.filter(Column("name") == name).deleteAll(db) > 0 else {
                throw StoreError(.notFound, "no subscription named '\(name)'")
            }
        }
    }
}
