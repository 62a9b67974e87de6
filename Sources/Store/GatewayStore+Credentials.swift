import Foundation
import GRDB

extension GatewayStore {
    // MARK: Providers

    /// Every provider, by name.
    public func credentialProviders() throws(StoreError) -> [CredentialProviderRecord] {
        try read { db in try CredentialProviderRecord.order(Column("name")).fetchAll(db) }
    }

    /// One provider.
    public func credentialProvider(named name: String) throws(StoreError) -> CredentialProviderRecord {
        let found = try read { db in try CredentialProviderRecord.filter(Column("name") == name).fetchOne(db) }
        guard let found else { throw StoreError(.notFound, "no credential provider named '\(name)'") }
        return found
    }

    /// Inserts a provider and, for static kinds, its own connection (named like it) in the same transaction.
    @discardableResult
    /// (The connection's `providerId` is set to the new provider's id.)
    public func createCredentialProvider(_ record: CredentialProviderRecord.New, connection: CredentialConnectionRecord.New?) throws(StoreError)
        -> CredentialProviderRecord
    {
        try write { db in
            if try CredentialProviderRecord.filter(Column("name") == record.name).fetchCount(db) > 0 {
                throw StoreError(.conflict, "a credential provider named '\(record.name)' already exists")
            }
            let r = try record.insertStored(db)
            if var c = connection {
                if try CredentialConnectionRecord.filter(Column("name") == c.name).fetchCount(db) > 0 {
                    throw StoreError(.conflict, "a connection named '\(c.name)' already exists")
                }
                c.providerId = r.id
                _ = try c.insertStored(db)
            }
            return r
        }
    }

    /// Replaces a provider's settings and (when given) its sealed secret.
    @discardableResult
    public func updateCredentialProvider(named name: String, settings: String? = nil, secret: String?? = nil, allowPrivateNetwork: Bool? = nil)
        throws(StoreError) -> CredentialProviderRecord
    {
        try write { db in
            guard var r = try CredentialProviderRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "no credential provider named '\(name)'")
            }
            if let settings { r.settings = settings }
            if let secret { r.secret = secret }
            if let allowPrivateNetwork { r.allowPrivateNetwork = allowPrivateNetwork }
            r.updatedAt = Date()
            try r.update(db)
            return r
        }
    }

    /// Deletes a provider and its connections; refused while an API uses one of them.
    public func deleteCredentialProvider(named name: String) throws(StoreError) {
        try write { db in
            guard let r = try CredentialProviderRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "no credential provider named '\(name)'")
            }
            let connections = try CredentialConnectionRecord.filter(Column("providerId") == r.id).fetchAll(db).map(\.name)
            if let user = try APIRecord.filter(connections.contains(Column("credential"))).fetchOne(db) {
                throw StoreError(
                    .conflict,
                    "API '\(user.name)' uses a connection of provider '\(name)'; detach it first (gatehouse api set \(user.name) --credential none)")
            }
            _ = try r.delete(db)
        }
    }

    // MARK: Connections

    /// Every connection, by name.
    public func credentialConnections() throws(StoreError) -> [CredentialConnectionRecord] {
        try read { db in try CredentialConnectionRecord.order(Column("name")).fetchAll(db) }
    }

    /// One connection.
    public func credentialConnection(named name: String) throws(StoreError) -> CredentialConnectionRecord {
        let found = try read { db in try CredentialConnectionRecord.filter(Column("name") == name).fetchOne(db) }
        guard let found else { throw StoreError(.notFound, "no credential connection named '\(name)'") }
        return found
    }

    /// Inserts a connection of an existing provider.
    @discardableResult
    public func createCredentialConnection(name: String, provider: String, status: String) throws(StoreError) -> CredentialConnectionRecord {
        try write { db in
            guard let p = try CredentialProviderRecord.filter(Column("name") == provider).fetchOne(db) else {
                throw StoreError(.notFound, "no credential provider named '\(provider)'")
            }
            if try CredentialConnectionRecord.filter(Column("name") == name).fetchCount(db) > 0 {
                throw StoreError(.conflict, "a connection named '\(name)' already exists")
            }
            return try CredentialConnectionRecord.New(name: name, providerId: p.id, status: status).insertStored(db)
        }
    }

    /// Records a connection's tokens (sealed) and status. Nil arguments leave the field alone; `.some(nil)` clears it.
    @discardableResult
    public func updateCredentialConnection(
        named name: String, status: String? = nil, statusReason: String?? = nil, accessToken: String?? = nil, refreshToken: String?? = nil,
        expiresAt: Date?? = nil
    ) throws(StoreError) -> CredentialConnectionRecord {
        try write { db in
            guard var c = try CredentialConnectionRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "no credential connection named '\(name)'")
            }
            // Only the changed columns are written, so the revision trigger (name, provider) does not fire.
            try c.updateChanges(db) { c in
                if let status { c.status = status }
                if let statusReason { c.statusReason = statusReason }
                if let accessToken { c.accessToken = accessToken }
                if let refreshToken { c.refreshToken = refreshToken }
                if let expiresAt { c.expiresAt = expiresAt }
                c.updatedAt = Date()
            }
            return c
        }
    }

    /// Deletes a connection; refused while an API uses it.
    public func deleteCredentialConnection(named name: String) throws(StoreError) {
        try write { db in
            if let user = try APIRecord.filter(Column("credential") == name).fetchOne(db) {
                throw StoreError(
                    .conflict, "API '\(user.name)' uses connection '\(name)'; detach it first (gatehouse api set \(user.name) --credential none)")
            }
            if let user = try UpstreamRecord.fetchAll(db).first(where: { $0.referencedConnections.contains(name) }) {
                let how =
                    user.credential == name
                    ? "gatehouse upstream set \(user.name) --credential none"
                    : "change its environment with gatehouse upstream set \(user.name) --env"
                throw StoreError(.conflict, "upstream '\(user.name)' uses connection '\(name)'; detach it first (\(how))")
            }
            guard try CredentialConnectionRecord.filter(Column("name") == name).deleteAll(db) > 0 else {
                throw StoreError(.notFound, "no credential connection named '\(name)'")
            }
        }
    }

    /// Attaches a connection to an API for the given origin, or detaches (nil).
    @discardableResult
    public func setAPICredential(named apiName: String, connection: String?, origin: String?) throws(StoreError) -> APIRecord {
        try write { db in
            guard var api = try APIRecord.filter(Column("name") == apiName).fetchOne(db) else {
                throw StoreError(.notFound, "no API named '\(apiName)'")
            }
            if let connection, try CredentialConnectionRecord.filter(Column("name") == connection).fetchCount(db) == 0 {
                throw StoreError(.notFound, "no credential connection named '\(connection)'")
            }
            api.credential = connection
            api.credentialOrigin = connection == nil ? nil : origin
            api.updatedAt = Date()
            try api.update(db)
            return api
        }
    }

    // MARK: OAuth state

    /// Stores a pending authorization (dropping expired ones).
    public func saveOAuthState(_ record: OAuthStateRecord) throws(StoreError) {
        try write { db in
            try OAuthStateRecord.filter(Column("expiresAt") < Date()).deleteAll(db)
            var r = record
            try r.insert(db)
        }
    }

    /// Removes and returns a pending authorization: a state can be used once only.
    public func takeOAuthState(hash: String) throws(StoreError) -> OAuthStateRecord? {
        try write { db in
            guard let r = try OAuthStateRecord.filter(Column("stateHash") == hash).fetchOne(db) else { return nil }
            _ = try r.delete(db)
            return r
        }
    }

    // MARK: Rotation

    /// Every sealed value in the database.
    public func sealedFields() throws(StoreError) -> [SealedField] {
        try read { db in
            var out: [SealedField] = []
            for p in try CredentialProviderRecord.fetchAll(db) {
                if let s = p.secret { out.append(.init(table: "credentialProvider", row: p.name, column: "secret", value: s)) }
            }
            for c in try CredentialConnectionRecord.fetchAll(db) {
                if let s = c.accessToken { out.append(.init(table: "credentialConnection", row: c.name, column: "accessToken", value: s)) }
                if let s = c.refreshToken { out.append(.init(table: "credentialConnection", row: c.name, column: "refreshToken", value: s)) }
            }
            for o in try OAuthStateRecord.fetchAll(db) {
                out.append(.init(table: "oauthState", row: o.stateHash, column: "verifier", value: o.verifier))
            }
            return out
        }
    }

    /// Replaces sealed values in one transaction: all of them or none. A field with `previous` is written only if its
    /// column still holds that value; otherwise nothing is written and the error is `.notFound` (read again, retry).
    public func replaceSealedFields(_ fields: [SealedField]) throws(StoreError) {
        try write { db in
            for f in fields {
                let (table, key): (String, String) =
                    switch f.table {
                    case "credentialProvider": ("credentialProvider", "name")
                    case "credentialConnection": ("credentialConnection", "name")
                    case "oauthState": ("oauthState", "stateHash")
                    default: throw StoreError(.invalid, "unknown sealed table \(f.table)")
                    }
                guard ["secret", "accessToken", "refreshToken", "verifier"].contains(f.column) else {
                    throw StoreError(.invalid, "unknown sealed column \(f.column)")
                }
                if let previous = f.previous {
                    try db.execute(
                        sql: "UPDATE \(table) SET \(f.column) = ? WHERE \(key) = ? AND \(f.column) = ?", arguments: [f.value, f.row, previous])
                } else {
                    try db.execute(sql: "UPDATE \(table) SET \(f.column) = ? WHERE \(key) = ?", arguments: [f.value, f.row])
                }
                guard db.changesCount == 1 else { throw StoreError(.notFound, "\(f.table) '\(f.row)' changed or vanished during rotation") }
            }
        }
    }
}
