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
/// ```
public struct ConfigDocument: Codable, Sendable, Equatable {
    public struct API: Codable, Sendable, Equatable {
        public var name: String
        public var spec: String
        public var baseUrl: String?
        public var allowPrivateNetwork: Bool?

        public init(name: String, spec: String, baseUrl: String? = nil, allowPrivateNetwork: Bool? = nil) {
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

        public init(name: String, basePath: String? = nil, description: String? = nil, enabled: Bool? = nil, api: String, operations: [String]? = nil, tools: [ToolOverride]? = nil) {
            self.name = name
            self.basePath = basePath
            self.description = description
            self.enabled = enabled
            self.api = api
            self.operations = operations
            self.tools = tools
        }
    }

    public var apis: [API]?
    public var servers: [Server]?

    public init(apis: [API]? = nil, servers: [Server]? = nil) {
        self.apis = apis
        self.servers = servers
    }
}
