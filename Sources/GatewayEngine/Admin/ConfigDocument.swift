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
///   - name: combo                    # a virtual server: an API and upstream MCP servers
///     api: petstore                  # optional when upstreams are listed
///     operations: [listPets]
///     upstreams:                     # replaced as a whole by apply; in this order
///       - upstream: fast
///         prefix: fast_              # optional: prepended to every exposed name (not to renamed ones)
///         tools: [echo, add]         # optional, default: every tool the upstream lists
///         rename: {echo: say}        # optional: exposed name by upstream tool name
///         descriptions: {add: Adds}  # optional: description override by upstream tool name
/// upstreams:                         # existing MCP servers the gateway relays to
///   - name: fast
///     url: http://127.0.0.1:9000/mcp
///     transport: streamable          # optional: streamable (default with url) | sse
///     allowPrivateNetwork: true      # optional, default false
///     headers: {X-Static: v}         # optional: never secrets (use credential)
///     credential: conn               # optional: a credential connection, bound to the URL's origin
///     timeout: 5                     # optional: seconds a call may stay silent
///     maxTimeout: 10                 # optional: seconds a call may take at most
///   - name: time
///     command: [python3, -m, mcp_server_time]   # stdio: an argument vector, never a shell line
///     env: {TZ: UTC, API_KEY: {env: TIME_KEY}}  # optional: a value, or a reference (env, file, value, stored: true)
///     cwd: /tmp                      # optional
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

    /// One upstream source of a server: which of the upstream's tools it exposes, and under which names.
    public struct ServerUpstream: Codable, Sendable, Equatable {
        public var upstream: String
        public var prefix: String?
        /// Upstream tool names; nil = every tool the upstream lists.
        public var tools: [String]?
        /// Exposed name by upstream tool name (the prefix does not apply to these).
        public var rename: [String: String]?
        /// Description override by upstream tool name.
        public var descriptions: [String: String]?

        public init(upstream: String, prefix: String? = nil, tools: [String]? = nil, rename: [String: String]? = nil, descriptions: [String: String]? = nil) {
            self.upstream = upstream
            self.prefix = prefix
            self.tools = tools
            self.rename = rename
            self.descriptions = descriptions
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(upstream, forKey: .upstream)
            try c.encodeIfPresent(prefix, forKey: .prefix)
            try c.encodeIfPresent(tools, forKey: .tools)
            try c.encodeIfPresent(rename.map(SortedMap.init), forKey: .rename)
            try c.encodeIfPresent(descriptions.map(SortedMap.init), forKey: .descriptions)
        }
    }

    public struct Server: Codable, Sendable, Equatable {
        public var name: String
        public var basePath: String?
        public var description: String?
        public var enabled: Bool?
        /// The API whose operations are tools; optional when `upstreams` lists at least one source.
        public var api: String?
        public var operations: [String]?
        public var tools: [ToolOverride]?
        public var requireSubscription: Bool?
        /// Upstream MCP servers whose tools are exposed too, in order.
        public var upstreams: [ServerUpstream]?

        public init(
            name: String, basePath: String? = nil, description: String? = nil, enabled: Bool? = nil, api: String? = nil, operations: [String]? = nil,
            tools: [ToolOverride]? = nil, requireSubscription: Bool? = nil, upstreams: [ServerUpstream]? = nil
        ) {
            self.requireSubscription = requireSubscription
            self.name = name
            self.basePath = basePath
            self.description = description
            self.enabled = enabled
            self.api = api
            self.operations = operations
            self.tools = tools
            self.upstreams = upstreams
        }
    }

    /// An environment value of a stdio upstream: the value itself, or a reference resolved by `apply` (`env`, `file`,
    /// `value`, or `stored: true` — what export writes without `--include-secrets` — to keep the stored value).
    public enum EnvironmentValue: Codable, Sendable, Equatable {
        case value(String)
        case reference(SecretReference)

        public init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self = .value(text)
            } else {
                self = .reference(try SecretReference(from: decoder))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .value(let text):
                var c = encoder.singleValueContainer()
                try c.encode(text)
            case .reference(let ref): try ref.encode(to: encoder)
            }
        }
    }

    /// An upstream MCP server: `url` (Streamable HTTP or legacy SSE) or `command` (a stdio child process).
    public struct Upstream: Codable, Sendable, Equatable {
        public var name: String
        public var url: String?
        /// `streamable` (the default with `url`), `sse`, or `stdio` (the default with `command`).
        public var transport: String?
        public var allowPrivateNetwork: Bool?
        /// Static request headers (HTTP). Never secrets: those go through `credential`.
        public var headers: [String: String]?
        /// A credential connection injected into every request, bound to the URL's origin (HTTP).
        public var credential: String?
        /// Seconds a call may stay silent (progress resets it).
        public var timeout: Double?
        /// Seconds a call may take at most.
        public var maxTimeout: Double?
        /// The argument vector (stdio).
        public var command: [String]?
        /// Extra environment variables of the child (stdio).
        public var env: [String: EnvironmentValue]?
        /// The child's working directory (stdio).
        public var cwd: String?

        public init(
            name: String, url: String? = nil, transport: String? = nil, allowPrivateNetwork: Bool? = nil, headers: [String: String]? = nil,
            credential: String? = nil, timeout: Double? = nil, maxTimeout: Double? = nil, command: [String]? = nil,
            env: [String: EnvironmentValue]? = nil, cwd: String? = nil
        ) {
            self.name = name
            self.url = url
            self.transport = transport
            self.allowPrivateNetwork = allowPrivateNetwork
            self.headers = headers
            self.credential = credential
            self.timeout = timeout
            self.maxTimeout = maxTimeout
            self.command = command
            self.env = env
            self.cwd = cwd
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encodeIfPresent(url, forKey: .url)
            try c.encodeIfPresent(transport, forKey: .transport)
            try c.encodeIfPresent(allowPrivateNetwork, forKey: .allowPrivateNetwork)
            try c.encodeIfPresent(headers.map(SortedMap.init), forKey: .headers)
            try c.encodeIfPresent(credential, forKey: .credential)
            // Whole seconds as integers (YAML encoders write 20.0 as 2e+1).
            for (key, value) in [(CodingKeys.timeout, timeout), (.maxTimeout, maxTimeout)] {
                guard let value else { continue }
                if value == value.rounded(), abs(value) < 1e9 { try c.encode(Int(value), forKey: key) } else { try c.encode(value, forKey: key) }
            }
            try c.encodeIfPresent(command, forKey: .command)
            try c.encodeIfPresent(env.map(SortedMap.init), forKey: .env)
            try c.encodeIfPresent(cwd, forKey: .cwd)
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
    public var upstreams: [Upstream]?
    public var servers: [Server]?
    public var credentials: [Credential]?
    public var policies: [Policy]?
    public var subscriptions: [Subscription]?
    /// The registry's settings and entries.
    public var registry: Registry?

    public init(apis: [API]? = nil, upstreams: [Upstream]? = nil, servers: [Server]? = nil, policies: [Policy]? = nil, subscriptions: [Subscription]? = nil) {
        self.apis = apis
        self.upstreams = upstreams
        self.servers = servers
        self.policies = policies
        self.subscriptions = subscriptions
    }
}

/// A dictionary encoded with its keys in order, so that exports are byte-for-byte stable.
struct SortedMap<Value: Encodable>: Encodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var entries: [String: Value]
    init(_ entries: [String: Value]) { self.entries = entries }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for key in entries.keys.sorted() { try c.encode(entries[key]!, forKey: Key(stringValue: key)) }
    }
}
