import Foundation
import GatewayEngine
import Store

/// Samples everything the console shows into a ``ConsoleData``: traffic, records and events from the engine's
/// ``GatewayMonitoring`` (cheap copies under short locks, so sampling never slows traffic), and APIs, servers and
/// tools from the store, re-read only when the store's configuration revision moved. Credentials are re-read when the
/// revision moves or every ``credentialInterval`` (token refreshes and status changes do not move the revision).
/// Upstreams and their recorded tools are re-read when the revision moves or after the console's own upstream action.
public final class ConsoleDataSampler: @unchecked Sendable {
    let monitoring: any GatewayMonitoring
    let store: GatewayStore
    let listenAddress: @Sendable () -> String
    let recordLimit: Int
    let eventLimit: Int
    /// Where the master key is read from (`GATEHOUSE_MASTER_KEY`, else the key file beside the database).
    let environment: [String: String]
    /// How long sampled credentials are reused while the revision stays put.
    let credentialInterval: TimeInterval
    let lock = NSLock()
    private var cached: (revision: Int64, rows: StoreRows)?
    var cachedCredentials: (revision: Int64, readAt: Date, credentials: ConsoleData.Credentials)?
    var cachedUpstreams: (key: UpstreamCacheKey, rows: [ConsoleData.UpstreamRow])?
    var cachedRegistry: (key: RegistryCacheKey, listing: RegistryListing)?

    /// What a sample reads from the store.
    struct StoreRows: Sendable {
        var apis: [ConsoleData.APIRow] = []
        var servers: [ConsoleData.ServerRow] = []
        var policies: [ConsoleData.PolicyRow] = []
        var subscriptions: [ConsoleData.SubscriptionRow] = []
    }

    /// - Parameters:
    ///   - listenAddress: the engine's `http://HOST:PORT`, read at every sample.
    ///   - environment: where the master key is read from (`GATEHOUSE_MASTER_KEY`). Default: the process's.
    ///   - credentialInterval: how often credential statuses are re-read when the revision does not move. Default 2 s.
    public init(
        monitoring: any GatewayMonitoring, store: GatewayStore, listenAddress: @escaping @Sendable () -> String = { "" }, recordLimit: Int = 500,
        eventLimit: Int = 500, environment: [String: String] = ProcessInfo.processInfo.environment, credentialInterval: TimeInterval = 2
    ) {
        self.monitoring = monitoring
        self.store = store
        self.listenAddress = listenAddress
        self.recordLimit = recordLimit
        self.eventLimit = eventLimit
        self.environment = environment
        self.credentialInterval = credentialInterval
    }

    /// Takes a sample now (on the caller's thread).
    public func sample() -> ConsoleData {
        let rows = configuration()
        var data = ConsoleData(
            listenAddress: listenAddress(), monitor: monitoring.snapshot(), apis: rows.apis, servers: rows.servers,
            records: monitoring.recentRecords(limit: recordLimit), events: monitoring.recentEvents(limit: eventLimit), policies: rows.policies,
            subscriptions: rows.subscriptions, credentials: credentials(), upstreams: upstreams())
        data.registry = registry()
        return data
    }

    /// Takes a sample off the caller's actor.
    public func sampleDetached() async -> ConsoleData {
        await Task.detached(priority: .userInitiated) { self.sample() }.value
    }

    /// APIs, servers, policies and subscriptions, from the cache unless the revision moved. A store error keeps the
    /// last good rows.
    func configuration() -> StoreRows {
        let revision = (try? store.configRevision()) ?? -1
        if let cached = lock.withLock({ cached }), cached.revision == revision { return cached.rows }
        do {
            var rows = StoreRows(apis: try readAPIs(), servers: try readServers())
            rows.policies = Self.policyRows(try store.policies(), servers: &rows.servers)
            rows.subscriptions = try store.subscriptions().map(Self.subscriptionRow)
            lock.withLock { cached = (revision, rows) }
            return rows
        } catch {
            return lock.withLock { cached?.rows ?? StoreRows() }
        }
    }

    func readAPIs() throws -> [ConsoleData.APIRow] {
        try store.apis().map { api in
            let ops = try store.operations(apiId: api.id!).map {
                ConsoleData.OperationRow(id: $0.operationId ?? $0.key, method: $0.method, path: $0.path, summary: $0.summary ?? "", toolName: $0.toolName)
            }
            return ConsoleData.APIRow(
                name: api.name, title: api.title, version: api.version, format: api.format, source: api.source, baseURL: api.baseUrl,
                allowPrivateNetwork: api.allowPrivateNetwork, operations: ops, credential: api.credential, credentialOrigin: api.credentialOrigin)
        }
    }

    func readServers() throws -> [ConsoleData.ServerRow] {
        let apiNames = Dictionary(try store.apis().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        return try store.servers().map { server in
            let tools = try store.tools(serverId: server.id!).map(Self.toolRow)
            return ConsoleData.ServerRow(
                name: server.name, basePath: server.basePath, description: server.description, enabled: server.enabled,
                apiName: server.apiId.flatMap { apiNames[$0] }, tools: tools, requireSubscription: server.requireSubscription)
        }
    }

    static func toolRow(_ t: ToolWithOperation) -> ConsoleData.ToolRow {
        let definition = try? OperationDefinition.fromStored(t.operation.definition)
        return ConsoleData.ToolRow(
            name: t.tool.name, description: t.tool.descriptionOverride ?? definition?.description ?? t.operation.summary ?? "",
            method: t.operation.method, path: t.operation.path, enabled: t.tool.enabled, descriptionOverridden: t.tool.descriptionOverride != nil,
            inputSchema: definition.map { prettyJSON($0.inputSchema) } ?? "{}")
    }

    /// JSON with two-space indentation, object keys in their stored order.
    public static func prettyJSON(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + prettyJSON($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let object) where !object.isEmpty:
            let members = object.map { inner + JSONValue.string($0.key).jsonString + ": " + prettyJSON($0.value, indent: inner) }
            return "{\n" + members.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return value.jsonString
        }
    }
}
