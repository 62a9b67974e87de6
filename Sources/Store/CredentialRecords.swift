import Foundation
import GRDB

/// A credential provider: how outbound credentials are obtained. Secret fields hold sealed text (AES-GCM, produced
/// by the engine); the store never sees a secret in clear.
public struct CredentialProviderFields: StoredFields {
    public static let databaseTableName = "credentialProvider"
    public var name: String
    /// `api-key`, `bearer`, `basic`, `client-credentials` or `authorization-code`.
    public var kind: String
    /// Non-secret settings as JSON text (header name, token URL, client id, scopes, …).
    public var settings: String
    /// The sealed secret (API key, bearer token, password or client secret), nil when the kind has none.
    public var secret: String?
    /// Whether token and authorization endpoints may be on loopback or a private network.
    public var allowPrivateNetwork: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, kind: String, settings: String, secret: String?, allowPrivateNetwork: Bool = false,
        createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.name = name
        self.kind = kind
        self.settings = settings
        self.secret = secret
        self.allowPrivateNetwork = allowPrivateNetwork
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A credential provider as stored: its id and its fields (``CredentialProviderFields``).
public typealias CredentialProviderRecord = Stored<CredentialProviderFields>

/// A connection: an authorised instance of a provider, with its (sealed) tokens and status.
public struct CredentialConnectionFields: StoredFields {
    public static let databaseTableName = "credentialConnection"
    public var name: String
    public var providerId: Int64
    /// `connected`, `pending` (waiting for authorization), `expired` or `error`.
    public var status: String
    /// Why the status is `error` or `expired` (never a secret).
    public var statusReason: String?
    /// Sealed access token.
    public var accessToken: String?
    /// Sealed refresh token.
    public var refreshToken: String?
    /// When the access token expires.
    public var expiresAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, providerId: Int64, status: String, statusReason: String? = nil, accessToken: String? = nil,
        refreshToken: String? = nil, expiresAt: Date? = nil, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.name = name
        self.providerId = providerId
        self.status = status
        self.statusReason = statusReason
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A credential connection as stored: its id and its fields (``CredentialConnectionFields``).
public typealias CredentialConnectionRecord = Stored<CredentialConnectionFields>

/// A pending OAuth authorization: single use, short-lived. Only the state's SHA-256 is stored.
public struct OAuthStateRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "oauthState"
    public var stateHash: String
    public var connectionId: Int64
    /// The sealed PKCE code verifier.
    public var verifier: String
    public var redirectUri: String
    public var expiresAt: Date

    public init(stateHash: String, connectionId: Int64, verifier: String, redirectUri: String, expiresAt: Date) {
        self.stateHash = stateHash
        self.connectionId = connectionId
        self.verifier = verifier
        self.redirectUri = redirectUri
        self.expiresAt = expiresAt
    }
}

/// One sealed value wherever it lives, for key rotation.
public struct SealedField: Sendable, Equatable {
    /// `credentialProvider`, `credentialConnection` or `oauthState`.
    public var table: String
    /// The row's identity: the name (providers, connections) or the state hash.
    public var row: String
    /// The column.
    public var column: String
    /// The sealed text.
    public var value: String
    /// For a replacement: the value it replaces. The write happens only if the column still holds it, so a token
    /// refreshed by a running gateway meanwhile is never overwritten.
    public var previous: String?

    public init(table: String, row: String, column: String, value: String, previous: String? = nil) {
        self.table = table
        self.row = row
        self.column = column
        self.value = value
        self.previous = previous
    }
}
