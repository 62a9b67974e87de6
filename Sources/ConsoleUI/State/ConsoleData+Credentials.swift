import Foundation
import GatewayEngine

/// What the console knows about outbound credentials. Nothing secret is ever held here: no sealed text, no token,
/// only a provider secret's mask (`••••abcd` at most) as the engine's ``CredentialService`` produces it.
extension ConsoleData {
    /// Whether the master key could be loaded.
    public enum VaultState: Sendable, Equatable {
        /// Not sampled yet.
        case unknown
        /// The key is loaded; `keySource` is `GATEHOUSE_MASTER_KEY` or the key file's path.
        case unlocked(keySource: String)
        /// No usable key: secrets cannot be opened (the engine's message, never a key).
        case locked(reason: String)
    }

    /// A credential provider's non-secret side.
    public struct CredentialProviderRow: Sendable, Equatable {
        public var name: String
        /// `api-key`, `bearer`, `basic`, `client-credentials` or `authorization-code`.
        public var kind: String
        /// Header name, token URL, client id, scopes…: the settings stored in the clear.
        public var settings: CredentialProviderSettings
        /// Whether a sealed secret is stored.
        public var hasSecret: Bool
        /// The secret's mask; nil when there is none or the vault is locked.
        public var maskedSecret: String?
        public var allowPrivateNetwork: Bool
        public var updatedAt: Date

        public init(
            name: String, kind: String, settings: CredentialProviderSettings, hasSecret: Bool, maskedSecret: String?, allowPrivateNetwork: Bool,
            updatedAt: Date
        ) {
            self.name = name
            self.kind = kind
            self.settings = settings
            self.hasSecret = hasSecret
            self.maskedSecret = maskedSecret
            self.allowPrivateNetwork = allowPrivateNetwork
            self.updatedAt = updatedAt
        }

        /// Whether the kind is static (the provider is its own, only connection).
        public var isStatic: Bool { CredentialKind(rawValue: kind)?.isStatic ?? false }
    }

    /// A connection: an authorised instance of a provider, with its status (its tokens stay in the store, sealed).
    public struct CredentialConnectionRow: Sendable, Equatable {
        public var name: String
        public var provider: String
        /// `connected`, `pending`, `expired` or `error`.
        public var status: String
        public var statusReason: String?
        /// When the access token expires (OAuth kinds).
        public var expiresAt: Date?
        /// Whether an access token and a refresh token are held (never their values).
        public var hasAccessToken: Bool
        public var hasRefreshToken: Bool
        public var updatedAt: Date

        public init(
            name: String, provider: String, status: String, statusReason: String? = nil, expiresAt: Date? = nil, hasAccessToken: Bool = false,
            hasRefreshToken: Bool = false, updatedAt: Date
        ) {
            self.name = name
            self.provider = provider
            self.status = status
            self.statusReason = statusReason
            self.expiresAt = expiresAt
            self.hasAccessToken = hasAccessToken
            self.hasRefreshToken = hasRefreshToken
            self.updatedAt = updatedAt
        }
    }

    /// Everything about credentials, sampled together.
    public struct Credentials: Sendable, Equatable {
        public var vault: VaultState
        /// By name.
        public var providers: [CredentialProviderRow]
        /// By name.
        public var connections: [CredentialConnectionRow]

        public init(vault: VaultState = .unknown, providers: [CredentialProviderRow] = [], connections: [CredentialConnectionRow] = []) {
            self.vault = vault
            self.providers = providers
            self.connections = connections
        }
    }
}

/// What a Credentials row or page shows: a connection, or a provider that has none left.
public enum CredentialRef: Sendable, Hashable {
    case connection(String)
    case provider(String)

    /// The connection's or the provider's name.
    public var name: String {
        switch self {
        case .connection(let name), .provider(let name): name
        }
    }
}

/// One row of the Credentials screen: a connection with its provider, or a provider without connections.
struct CredentialListRow: Sendable, Equatable {
    var connection: ConsoleData.CredentialConnectionRow?
    var provider: ConsoleData.CredentialProviderRow?
    /// The APIs whose calls use the connection.
    var apis: [ConsoleData.APIRow]

    var ref: CredentialRef { connection.map { .connection($0.name) } ?? .provider(provider?.name ?? "") }
    var name: String { ref.name }
    var providerName: String { connection?.provider ?? provider?.name ?? "" }
    var kind: String { provider?.kind ?? "?" }
    /// Unique across connections and providers.
    var id: String {
        switch ref {
        case .connection(let n): "c:" + n
        case .provider(let n): "p:" + n
        }
    }
}

/// An authorization URL for an authorization-code connection, made by ``CredentialService/startAuthorization``. It
/// works once, for ``CredentialService/stateLifetime``.
public struct AuthorizationLink: Sendable, Equatable {
    public var connection: String
    public var url: String
    /// Where the provider sends the browser back: the gateway's `/oauth/callback`.
    public var redirectURI: String
    public var issuedAt: Date
    public var expiresAt: Date

    public init(connection: String, url: String, redirectURI: String, issuedAt: Date, expiresAt: Date) {
        self.connection = connection
        self.url = url
        self.redirectURI = redirectURI
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
}
