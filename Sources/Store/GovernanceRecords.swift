import Foundation
import GRDB

/// One scope's policy document (`global`, `server:<name>` or `tool:<server>/<tool>`), as YAML text owned by the engine.
public struct PolicyFields: StoredFields {
    public static let databaseTableName = "policy"
    /// The scope, unique.
    public var scope: String
    /// The document (`inbound:` / `outbound:`), as the admin wrote it.
    public var document: String
    public var updatedAt: Date

    public init(scope: String, document: String, updatedAt: Date = Date()) {
        self.scope = scope
        self.document = document
        self.updatedAt = updatedAt
    }
}

/// A policy document as stored: its id and its fields (``PolicyFields``).
public typealias PolicyRecord = Stored<PolicyFields>

/// A subscription: a named key holder. The key itself is never stored, only its SHA-256 and its last 4 characters.
public struct SubscriptionFields: StoredFields {
    public static let databaseTableName = "subscription"
    /// `active` or `suspended`.
    public enum State: String, Codable, Sendable, CaseIterable {
        case active, suspended
    }

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
        name: String, keyHash: String, keyHint: String, servers: [String]?, state: State = .active, expiresAt: Date? = nil,
        createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
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
}

/// A subscription as stored: its id and its fields (``SubscriptionFields``).
public typealias SubscriptionRecord = Stored<SubscriptionFields>

extension Stored where Fields == SubscriptionFields {
    /// `active` or `suspended`.
    public typealias State = SubscriptionFields.State
}

/// A persisted quota counter: calls counted in the fixed window that starts at `periodStart` (Unix seconds).
public struct QuotaCounter: Codable, Sendable, Equatable, FetchableRecord {
    public var key: String
    public var periodStart: Int64
    public var count: Int
    public var updatedAt: Date
}
