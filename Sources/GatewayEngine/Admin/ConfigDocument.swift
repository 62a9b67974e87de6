import Foundation

/// The declarative configuration file (`gatehouse apply -f`, `gatehouse export`).
///
/// ```yaml
/// apis:
///   - name: petstore
///     spec: ./petstore.yaml          # path relative to this file, or an http(s) URL
///     baseUrl: http://127.0.0.1:9000 # optional: overrides servers[0]
///     allowPrivateNetwork: true      # optional, default false
/// servers:
///   - name: pets
///     basePath: pets                 # optional, default: the name
///     description: Pet tools         # optional
///     enabled: true                  # optional, default true
///     api: petstore
///     operations: [listPets, getPetById]  # optional, default: every operation
///     tools:                         # optional per-tool overrides, keyed by operation
///       - operation: listPets
///         name: list_pets
///         description: List the pets
///         enabled: true
///     requireSubscription: false     # optional: every request needs a Gatehouse-Subscription-Key
/// policies:                          # one document per scope: global, server:<name>, tool:<server>/<tool>
///   - scope: server:pets
///     inbound:
///       - rate-limit-by-key: { calls: 5, renewal-period: 30, counter-key: client-ip }
///     outbound:
///       - cache-store: { duration: 60 }
/// subscriptions:
///   - name: acme
///     servers: [pets]                # optional, default: every server
///     state: active                  # optional: active | suspended
///     expiresAt: 2027-01-01T00:00:00Z  # optional
///     keySha256: 3f5a…               # optional: adopt a key by its hash (export writes it); else a key is made and printed once
/// ```
public struct ConfigDocument: Codable, Sendable, Equatable {
    public struct API: Codable, Sendable, Equatable {
        public var name: String
        public var spec: String
        public var baseUrl: String?
        public var allowPrivateNetwork: Bool?
        /// A credential connection injected into every backend call.
        public var credential: String?

        public init(name: String, spec: String, baseUrl: String? = nil, allowPrivateNetwork: Bool? = nil, credential: String? = nil) {
            self.credential = credential
            self.name = name
            self.spec = spec
            self.baseUrl = baseUrl
            self.allowPrivateNetwork = allowPrivateNetwork
        }
    }

    public struct ToolOverride: Codable, Sendable, Equatable {
        /// The operation (operationId, `METHOD /path` or default tool name).
        public var operation: String
        public var name: String?
        public var description: String?
        public var enabled: Bool?

        public init(operation: String, name: String? = nil, description: String? = nil, enabled: Bool? = nil) {
            self.operation = operation
            self.name = name
            self.description = description
            self.enabled = enabled
        }
    }

    public struct Server: Codable, Sendable, Equatable {
        public var name: String
        public var basePath: String?
        public var description: String?
        public var enabled: Bool?
        public var api: String
        public var operations: [String]?
        public var tools: [ToolOverride]?
        public var requireSubscription: Bool?

        public init(
            name: String, basePath: String? = nil, description: String? = nil, enabled: Bool? = nil, api: String, operations: [String]? = nil,
            tools: [ToolOverride]? = nil, requireSubscription: Bool? = nil
        ) {
            self.requireSubscription = requireSubscription
            self.name = name
            self.basePath = basePath
            self.description = description
            self.enabled = enabled
            self.api = api
            self.operations = operations
            self.tools = tools
        }
    }

    /// One scope's policy document.
    public struct Policy: Codable, Sendable, Equatable {
        public var scope: String
        public var inbound: JSONValue?
        public var outbound: JSONValue?

        public init(scope: String, inbound: JSONValue? = nil, outbound: JSONValue? = nil) {
            self.scope = scope
            self.inbound = inbound
            self.outbound = outbound
        }
    }

    /// A subscription (never its key; at most the key's SHA-256).
    public struct Subscription: Codable, Sendable, Equatable {
        public var name: String
        public var servers: [String]?
        public var state: String?
        public var expiresAt: Date?
        public var keySha256: String?

        public init(name: String, servers: [String]? = nil, state: String? = nil, expiresAt: Date? = nil, keySha256: String? = nil) {
            self.name = name
            self.servers = servers
            self.state = state
            self.expiresAt = expiresAt
            self.keySha256 = keySha256
        }
    }

    /// Where a secret comes from: exactly one of `env`, `file` (relative to the file) or `value`; `stored: true`
    /// (what export writes) keeps the stored secret.
    public struct SecretReference: Codable, Sendable, Equatable {
        public var env: String?
        public var file: String?
        public var value: String?
        public var stored: Bool?

        public init(env: String? = nil, file: String? = nil, value: String? = nil, stored: Bool? = nil) {
            self.env = env
            self.file = file
            self.value = value
            self.stored = stored
        }
    }

    /// A credential provider (and its connection of the same name).
    public struct Credential: Codable, Sendable, Equatable {
        public var name: String
        /// `api-key`, `bearer`, `basic`, `client-credentials` or `authorization-code`.
        public var type: String
        public var header: String?
        public var query: String?
        public var username: String?
        public var tokenUrl: String?
        public var authorizationUrl: String?
        public var clientId: String?
        public var scopes: [String]?
        public var audience: String?
        public var clientAuth: String?
        public var allowPrivateNetwork: Bool?
        public var secret: SecretReference?

        public init(
            name: String, type: String, header: String? = nil, query: String? = nil, username: String? = nil, tokenUrl: String? = nil,
            authorizationUrl: String? = nil, clientId: String? = nil, scopes: [String]? = nil, audience: String? = nil, clientAuth: String? = nil,
            allowPrivateNetwork: Bool? = nil, secret: SecretReference? = nil
        ) {
            self.name = name
            self.type = type
            self.header = header
            self.query = query
            self.username = username
            self.tokenUrl = tokenUrl
            self.authorizationUrl = authorizationUrl
            self.clientId = clientId
            self.scopes = scopes
            self.audience = audience
            self.clientAuth = clientAuth
            self.allowPrivateNetwork = allowPrivateNetwork
            self.secret = secret
        }
    }

    public var apis: [API]?
    public var servers: [Server]?
    public var credentials: [Credential]?
    public var policies: [Policy]?
    public var subscriptions: [Subscription]?

    public init(apis: [API]? = nil, servers: [Server]? = nil, policies: [Policy]? = nil, subscriptions: [Subscription]? = nil) {
        self.apis = apis
        self.servers = servers
        self.policies = policies
        self.subscriptions = subscriptions
    }
}
