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
    /// An imported REST API (`apis:`).
    public struct API: Codable, Sendable, Equatable {
        /// The API's unique name.
        public var name: String
        /// The OpenAPI or Swagger document: a path relative to the file, or an http(s) URL.
        public var spec: String
        /// Overrides the document's `servers[0]` (or Swagger `host`/`basePath`).
        public var baseUrl: String?
        /// Whether the backend may be on loopback or a private network (default false).
        public var allowPrivateNetwork: Bool?
        /// A credential connection injected into every backend call.
        public var credential: String?
        /// Refuse the spec when it has any defect (default false: import what can be imported, with warnings).
        public var strict: Bool? = nil
        /// Keep tool names up to 128 characters (default false: shortened to 64).
        public var keepLongNames: Bool? = nil
        /// How answers are checked against output schemas: `strict`, `tolerant` (default) or `off`.
        public var outputSchema: OutputSchemaMode? = nil

        /// An API entry.
        public init(name: String, spec: String, baseUrl: String? = nil, allowPrivateNetwork: Bool? = nil, credential: String? = nil) {
            self.credential = credential
            self.name = name
            self.spec = spec
            self.baseUrl = baseUrl
            self.allowPrivateNetwork = allowPrivateNetwork
        }
    }

    /// A per-tool override of a server (`tools:`), keyed by operation.
    public struct ToolOverride: Codable, Sendable, Equatable {
        /// The operation (operationId, `METHOD /path` or default tool name).
        public var operation: String
        /// The tool name clients see (default: the operation's tool name).
        public var name: String?
        /// Replaces the operation's description.
        public var description: String?
        /// Whether the tool is served (default true).
        public var enabled: Bool?
        /// This tool's output-schema mode (`strict`, `tolerant`, `off`); absent inherits the API's.
        public var outputSchema: OutputSchemaMode? = nil

        /// An override of the tool of `operation`.
        public init(operation: String, name: String? = nil, description: String? = nil, enabled: Bool? = nil) {
            self.operation = operation
            self.name = name
            self.description = description
            self.enabled = enabled
        }
    }

    /// One upstream source of a server: which of the upstream's tools it exposes, and under which names.
    public struct ServerUpstream: Codable, Sendable, Equatable {
        /// The upstream's name.
        public var upstream: String
        /// Prepended to every exposed tool and prompt name (not to renamed tools).
        public var prefix: String?
        /// Upstream tool names; nil = every tool the upstream lists.
        public var tools: [String]?
        /// Exposed name by upstream tool name (the prefix does not apply to these).
        public var rename: [String: String]?
        /// Description override by upstream tool name.
        public var descriptions: [String: String]?

        /// A source exposing `upstream`'s tools (all of them unless `tools` is given).
        public init(
            upstream: String, prefix: String? = nil, tools: [String]? = nil, rename: [String: String]? = nil, descriptions: [String: String]? = nil
        ) {
            self.upstream = upstream
            self.prefix = prefix
            self.tools = tools
            self.rename = rename
            self.descriptions = descriptions
        }

        /// Writes the renames and descriptions with sorted keys, so exports are stable.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(upstream, forKey: .upstream)
            try c.encodeIfPresent(prefix, forKey: .prefix)
            try c.encodeIfPresent(tools, forKey: .tools)
            try c.encodeIfPresent(rename.map(SortedMap.init), forKey: .rename)
            try c.encodeIfPresent(descriptions.map(SortedMap.init), forKey: .descriptions)
        }
    }

    /// An MCP server the gateway exposes (`servers:`).
    public struct Server: Codable, Sendable, Equatable {
        /// The server's unique name.
        public var name: String
        /// The URL prefix (`pets` serves `/pets/mcp` and `/pets/sse`); default: the name.
        public var basePath: String?
        /// Shown to clients as `instructions` in `initialize`.
        public var description: String?
        /// Whether the server is served (default true).
        public var enabled: Bool?
        /// The API whose operations are tools; optional when `upstreams` lists at least one source.
        public var api: String?
        /// The operations exposed as tools (operationId, `METHOD /path` or tool name); default: every operation.
        public var operations: [String]?
        /// Per-tool renames, descriptions and switches.
        public var tools: [ToolOverride]?
        /// Whether every request must present a valid `Gatehouse-Subscription-Key` (default false).
        public var requireSubscription: Bool?
        /// Upstream MCP servers whose tools are exposed too, in order.
        public var upstreams: [ServerUpstream]?

        /// A server entry.
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

        /// Reads a value or a reference object.
        public init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self = .value(text)
            } else {
                self = .reference(try SecretReference(from: decoder))
            }
        }

        /// Writes a value as a string, a reference as its object.
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
        /// The upstream's unique name.
        public var name: String
        /// The endpoint (HTTP transports): the Streamable HTTP URL, or the SSE URL with `transport: sse`.
        public var url: String?
        /// `streamable` (the default with `url`), `sse`, or `stdio` (the default with `command`).
        public var transport: String?
        /// Whether the upstream may be on loopback or a private network (default false).
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

        /// An upstream entry: `url` for HTTP, `command` for stdio.
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

        /// Writes whole seconds as integers and the environment with sorted keys.
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
        /// `global`, `server:<name>` or `tool:<server>/<tool>`.
        public var scope: String
        /// The inbound policies, as written (checked by the policy parser on apply).
        public var inbound: JSONValue?
        /// The outbound policies, as written.
        public var outbound: JSONValue?

        /// A policy document for `scope`.
        public init(scope: String, inbound: JSONValue? = nil, outbound: JSONValue? = nil) {
            self.scope = scope
            self.inbound = inbound
            self.outbound = outbound
        }
    }

    /// A subscription (never its key; at most the key's SHA-256).
    public struct Subscription: Codable, Sendable, Equatable {
        /// The subscription's unique name.
        public var name: String
        /// The servers the key opens; nil for every server.
        public var servers: [String]?
        /// `active` (default) or `suspended`.
        public var state: String?
        /// When the key stops working; nil for never.
        public var expiresAt: Date?
        /// Adopts a key by its SHA-256 (64 hex digits, as export writes it); without it, apply makes a key and prints it once.
        public var keySha256: String?

        /// A subscription entry.
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
        /// An environment variable holding the secret.
        public var env: String?
        /// A file holding the secret (relative to the configuration file).
        public var file: String?
        /// The secret itself (avoid in files under version control).
        public var value: String?
        /// `true`: keep the secret already stored (what export writes).
        public var stored: Bool?

        /// A reference; exactly one of the four is expected.
        public init(env: String? = nil, file: String? = nil, value: String? = nil, stored: Bool? = nil) {
            self.env = env
            self.file = file
            self.value = value
            self.stored = stored
        }
    }

    /// A credential provider (and its connection of the same name).
    public struct Credential: Codable, Sendable, Equatable {
        /// The provider's (and its connection's) unique name.
        public var name: String
        /// `api-key`, `bearer`, `basic`, `client-credentials` or `authorization-code`.
        public var type: String
        /// `api-key`: the header carrying the key (or `query`).
        public var header: String?
        /// `api-key`: the query parameter carrying the key.
        public var query: String?
        /// `basic`: the user name.
        public var username: String?
        /// OAuth: the token endpoint.
        public var tokenUrl: String?
        /// `authorization-code`: the authorization endpoint.
        public var authorizationUrl: String?
        /// OAuth: the client id.
        public var clientId: String?
        /// OAuth: the scopes to request.
        public var scopes: [String]?
        /// OAuth: the audience (resource) to request.
        public var audience: String?
        /// OAuth: `basic` (default) or `post` client authentication.
        public var clientAuth: String?
        /// Whether the token endpoint may be on loopback or a private network (default false).
        public var allowPrivateNetwork: Bool?
        /// The key, token, password or client secret.
        public var secret: SecretReference?

        /// A credential entry.
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

    /// REST APIs to import.
    public var apis: [API]?
    /// Upstream MCP servers.
    public var upstreams: [Upstream]?
    /// MCP servers to expose.
    public var servers: [Server]?
    /// Credential providers and their connections.
    public var credentials: [Credential]?
    /// Policy documents by scope.
    public var policies: [Policy]?
    /// Subscriptions (key holders).
    public var subscriptions: [Subscription]?
    /// The registry's settings and entries.
    public var registry: Registry?

    /// A document with the given sections (nil sections are left out of exports and untouched by apply).
    public init(
        apis: [API]? = nil, upstreams: [Upstream]? = nil, servers: [Server]? = nil, policies: [Policy]? = nil, subscriptions: [Subscription]? = nil
    ) {
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
