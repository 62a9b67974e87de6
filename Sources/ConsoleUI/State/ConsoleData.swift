import Foundation
import GatewayEngine

/// Everything the console shows, sampled by the console service once per refresh from the engine's
/// ``GatewayMonitoring`` interface and the store. Plain values: the reducer and renderers never touch I/O.
public struct ConsoleData: Sendable, Equatable {
    public struct APIRow: Sendable, Equatable {
        public var name, title, version, format, source: String
        public var baseURL: String?
        public var allowPrivateNetwork: Bool
        public var operations: [OperationRow]
        /// The credential connection injected into its backend calls, if any.
        public var credential: String?
        /// The origin (`scheme://host:port`) the credential is bound to; it is never sent elsewhere.
        public var credentialOrigin: String?
        /// What the import found (defects read leniently or left out, and notes), kept with the API.
        public var findings: [ImportWarning]
        public init(
            name: String, title: String, version: String, format: String, source: String, baseURL: String?, allowPrivateNetwork: Bool,
            operations: [OperationRow],
            credential: String? = nil, credentialOrigin: String? = nil, findings: [ImportWarning] = []
        ) {
            self.findings = findings
            self.name = name
            self.title = title
            self.version = version
            self.format = format
            self.source = source
            self.baseURL = baseURL
            self.allowPrivateNetwork = allowPrivateNetwork
            self.operations = operations
            self.credential = credential
            self.credentialOrigin = credentialOrigin
        }
    }

    public struct OperationRow: Sendable, Equatable {
        /// `operationId`, else the `METHOD /path` key: what ``ConsoleEffect/createServer`` takes.
        public var id: String
        public var method, path, summary, toolName: String
        public init(id: String, method: String, path: String, summary: String, toolName: String) {
            self.id = id
            self.method = method
            self.path = path
            self.summary = summary
            self.toolName = toolName
        }
    }

    public struct ServerRow: Sendable, Equatable {
        public var name, basePath, description: String
        public var enabled: Bool
        public var apiName: String?
        public var tools: [ToolRow]
        /// Whether clients must send a subscription key (`Gatehouse-Subscription-Key`).
        public var requireSubscription: Bool
        public init(
            name: String, basePath: String, description: String, enabled: Bool, apiName: String?, tools: [ToolRow], requireSubscription: Bool = false
        ) {
            self.name = name
            self.basePath = basePath
            self.description = description
            self.enabled = enabled
            self.apiName = apiName
            self.tools = tools
            self.requireSubscription = requireSubscription
        }
    }

    public struct ToolRow: Sendable, Equatable {
        public var name, description, method, path: String
        public var enabled: Bool
        public var descriptionOverridden: Bool
        /// The inputSchema as pretty JSON text.
        public var inputSchema: String
        /// The policies a call to this tool runs, in execution order.
        public var policies: [PolicyStep]
        public init(
            name: String, description: String, method: String, path: String, enabled: Bool, descriptionOverridden: Bool, inputSchema: String,
            policies: [PolicyStep] = []
        ) {
            self.name = name
            self.description = description
            self.method = method
            self.path = path
            self.enabled = enabled
            self.descriptionOverridden = descriptionOverridden
            self.inputSchema = inputSchema
            self.policies = policies
        }
    }

    /// `http://HOST:PORT` the engine listens on (empty until it is up).
    public var listenAddress: String
    /// The engine shown: embedded or attached, its status, and whether it answers.
    public var engine = EngineLink.embedded
    public var monitor: MonitorSnapshot
    public var apis: [APIRow]
    public var servers: [ServerRow]
    /// Newest first, at most a few hundred.
    public var records: [RequestRecord]
    /// Newest first.
    public var events: [EngineEvent]
    /// Every scope's policy document.
    public var policies: [PolicyRow]
    /// Every subscription, by name.
    public var subscriptions: [SubscriptionRow]
    /// Credential providers and connections, and whether the master key is loaded.
    public var credentials: Credentials
    /// Upstream MCP servers with their recorded tools, by name.
    public var upstreams: [UpstreamRow]
    /// Data screens sample for themselves (``ConsoleFeed/screenData(_:_:refresh:read:)``), by key.
    var screenData = ScreenMemory()

    public init(
        listenAddress: String = "", monitor: MonitorSnapshot, apis: [APIRow] = [], servers: [ServerRow] = [], records: [RequestRecord] = [],
        events: [EngineEvent] = [], policies: [PolicyRow] = [], subscriptions: [SubscriptionRow] = [], credentials: Credentials = Credentials(),
        upstreams: [UpstreamRow] = []
    ) {
        self.listenAddress = listenAddress
        self.monitor = monitor
        self.apis = apis
        self.servers = servers
        self.records = records
        self.events = events
        self.policies = policies
        self.subscriptions = subscriptions
        self.credentials = credentials
        self.upstreams = upstreams
    }

    /// Empty data, as before the first sample.
    public static func empty(now: Date = Date()) -> ConsoleData {
        ConsoleData(monitor: MonitorSnapshot(startedAt: now, takenAt: now, total: TrafficStats(), servers: [:], droppedLogRecords: 0))
    }
}
