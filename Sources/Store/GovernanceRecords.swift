import Foundation
import GRDB

/// One scope's policy document (`global`, `server:<name>` or `tool:<server>/<tool>`), as YAML text owned by the engine.
public struct PolicyRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "policy"
    public var id: Int64?
    /// The scope, unique.
    public var scope: String
    /// The document (`inbound:` / `outbound:`), as the admin wrote it.
    public var document: String
    public var updatedAt: Date

    public init(id: Int64? = nil, scope: String, document: String, updatedAt: Date = Date()) {
        self.id = id
        self.scope = scope
        self.document = document
        self.updatedAt = updatedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A subscription: a named key holder. The key itself is never stored, only its SHA-256 and its last 4 characters.
public struct SubscriptionRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "subscription"
    /// `active` or `suspended`.
    public enum State: String, Codable, Sendable, CaseIterable {
        case active, suspended
    }

    public var id: Int64?
    public var name: String
    /// Lowercase hex SHA-256 of the key.
    public var keyHash: String
    /// The key's last 4 characters, for recognising it on screen.
    public var keyHint: String
    /// The servers the key opens, as a JSON array of names; nil for every server.
    public var servers: String?
    public var state: State
    /// When the key stops working; nil for never.
    public var expiresAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64? = nil, name: String, keyHash: String, keyHint: String, servers: [String]?, state: State = .active, expiresAt: Date? = nil,
        createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.name = name
        self.keyHash = keyHash
        self.keyHint = keyHint
        self.servers = servers.map(Self.encode)
        self.state = state
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The servers the key opens; nil for every server.
    public var serverNames: [String]? {
        get {
            guard let servers, let data = servers.data(using: .utf8) else { return nil }
            return (try? JSONDecoder().decode([String].self, from: data)) ?? []
        }
        set { servers = newValue.map(Self.encode) }
    }

    static func encode(_ names: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(names), as: UTF8.self)) ?? "[]"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A persisted quota counter: calls counted in the fixed window that starts at `periodStart` (Unix seconds).
public struct QuotaCounter: Codable, Sendable, Equatable, FetchableRecord {
    public var key: String
    public var periodStart: Int64
    public var count: Int
    public var updatedAt: Date
}
