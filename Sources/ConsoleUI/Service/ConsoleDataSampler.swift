import Foundation
import GatewayEngine
import Store
import Synchronization

/// Samples everything the console shows into a ``ConsoleData``: it reads the feeds the registered screens need
/// (``ConsoleScreen/feeds``), each when its ``ConsoleFeed/Refresh`` rule says so. Traffic, records and events come
/// from the engine's ``GatewayMonitoring`` at every sample (cheap copies under short locks, so sampling never slows
/// traffic); APIs, servers, tools, policies and subscriptions from the store, re-read only when the store's
/// configuration revision moved. Credentials are re-read when the revision moves or every ``credentialInterval``;
/// upstreams when the revision moves or after the console's own upstream action. A failed read keeps the last good
/// value.
public final class ConsoleDataSampler: Sendable {
    let monitoring: any GatewayMonitoring
    let store: GatewayStore
    let listenAddress: @Sendable () -> String
    let engine: @Sendable () -> EngineLink
    let recordLimit: Int
    let eventLimit: Int
    /// Where the master key is read from (`GATEHOUSE_MASTER_KEY`, else the key file beside the database).
    let environment: [String: String]
    /// How long sampled credentials are reused while the revision stays put.
    let credentialInterval: TimeInterval
    /// What a sample reads, in order.
    let feeds: [ConsoleFeed]
    private let cache = Mutex<[String: Cached]>([:])

    /// A feed's last good value and what it was read at.
    private struct Cached: Sendable {
        var revision: Int64
        var generation: Int?
        var readAt: Date
        var value: ScreenValue
    }

    /// What a sample reads from the store.
    struct StoreRows: Sendable, Equatable {
        var apis: [ConsoleData.APIRow] = []
        var servers: [ConsoleData.ServerRow] = []
        var policies: [ConsoleData.PolicyRow] = []
        var subscriptions: [ConsoleData.SubscriptionRow] = []
    }

    /// A sampler of the standard screens' feeds.
    /// - Parameters:
    ///   - listenAddress: the engine's `http://HOST:PORT`, read at every sample.
    ///   - environment: where the master key is read from (`GATEHOUSE_MASTER_KEY`). Default: the process's.
    ///   - credentialInterval: how often credential statuses are re-read when the revision does not move. Default 2 s.
    public convenience init(
        monitoring: any GatewayMonitoring, store: GatewayStore, listenAddress: @escaping @Sendable () -> String = { "" },
        engine: @escaping @Sendable () -> EngineLink = { .embedded }, recordLimit: Int = 500,
        eventLimit: Int = 500, environment: [String: String] = ProcessInfo.processInfo.environment, credentialInterval: TimeInterval = 2
    ) {
        self.init(
            monitoring: monitoring, store: store, listenAddress: listenAddress, engine: engine, recordLimit: recordLimit, eventLimit: eventLimit,
            environment: environment,
            credentialInterval: credentialInterval, registry: .standard)
    }

    /// A sampler of the feeds `registry`'s screens need.
    init(
        monitoring: any GatewayMonitoring, store: GatewayStore, listenAddress: @escaping @Sendable () -> String = { "" },
        engine: @escaping @Sendable () -> EngineLink = { .embedded }, recordLimit: Int = 500,
        eventLimit: Int = 500, environment: [String: String] = ProcessInfo.processInfo.environment, credentialInterval: TimeInterval = 2,
        registry: ScreenRegistry
    ) {
        self.monitoring = monitoring
        self.store = store
        self.listenAddress = listenAddress
        self.engine = engine
        self.recordLimit = recordLimit
        self.eventLimit = eventLimit
        self.environment = environment
        self.credentialInterval = credentialInterval
        feeds = registry.feeds
    }

    /// Takes a sample now (on the caller's thread).
    public func sample() -> ConsoleData {
        let now = Date()
        let needsRevision = feeds.contains { $0.refresh.onRevision }
        let revision = needsRevision ? ((try? store.configRevision()) ?? -1) : -1
        var data = ConsoleData.empty(now: now)
        for feed in feeds {
            feed.apply(value(of: feed, revision: revision, now: now), &data)
        }
        return data
    }

    /// Takes a sample off the caller's actor.
    public func sampleDetached() async -> ConsoleData {
        await Task.detached(priority: .userInitiated) { self.sample() }.value
    }

    /// A feed's value: the cached one while its refresh rule allows, else a new read (the cached one, or the feed's
    /// initial value, when the read fails).
    private func value(of feed: ConsoleFeed, revision: Int64, now: Date) -> ScreenValue {
        let generation = feed.refresh.generation?(self)
        let cached = cache.withLock { $0[feed.id] }
        if let cached, isFresh(cached, feed.refresh, revision: revision, generation: generation, now: now) { return cached.value }
        do {
            let value = try feed.read(self, now)
            let entry = Cached(revision: revision, generation: generation, readAt: now, value: value)
            cache.withLock { $0[feed.id] = entry }
            return value
        } catch {
            return cached?.value ?? feed.initial
        }
    }

    private func isFresh(_ c: Cached, _ refresh: ConsoleFeed.Refresh, revision: Int64, generation: Int?, now: Date) -> Bool {
        if refresh.onRevision && c.revision != revision { return false }
        if refresh.generation != nil && c.generation != generation { return false }
        if let maxAge = refresh.maxAge?(self), now.timeIntervalSince(c.readAt) >= maxAge { return false }
        return true
    }

    /// APIs, servers, policies and subscriptions from the store.
    func readConfiguration() throws -> StoreRows {
        var rows = StoreRows(apis: try readAPIs(), servers: try readServers())
        rows.policies = Self.policyRows(try store.policies(), servers: &rows.servers)
        rows.subscriptions = try store.subscriptions().map(Self.subscriptionRow)
        return rows
    }

    func readAPIs() throws -> [ConsoleData.APIRow] {
        try store.apis().map { api in
            let ops = try store.operations(apiId: api.id).map {
                ConsoleData.OperationRow(
                    id: $0.operationId ?? $0.key, method: $0.method, path: $0.path, summary: $0.summary ?? "", toolName: $0.toolName)
            }
            return ConsoleData.APIRow(
                name: api.name, title: api.title, version: api.version, format: api.format, source: api.source, baseURL: api.baseUrl,
                allowPrivateNetwork: api.allowPrivateNetwork, operations: ops, credential: api.credential, credentialOrigin: api.credentialOrigin,
                findings: ImportWarning.fromStored(api.warnings))
        }
    }

    func readServers() throws -> [ConsoleData.ServerRow] {
        let apiNames = Dictionary(try store.apis().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        return try store.servers().map { server in
            let tools = try store.tools(serverId: server.id).map(Self.toolRow)
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
