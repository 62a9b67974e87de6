import Foundation
import GRDB

/// Everything the engine serves, read in one transaction.
public struct ConfigSnapshot: Sendable {
    /// One enabled server with its enabled tools.
    public struct Server: Sendable {
        public var record: ServerRecord
        public var tools: [ToolWithOperation]
        /// Upstream sources, in order.
        public var upstreams: [ServerUpstreamSource] = []
    }

    /// The revision this snapshot reflects.
    public var revision: Int64
    /// Enabled servers.
    public var servers: [Server]
    /// APIs by id.
    public var apis: [Int64: APIRecord]
    /// Every policy document.
    public var policies: [PolicyRecord] = []
    /// Every subscription.
    public var subscriptions: [SubscriptionRecord] = []
    /// Every upstream, by name.
    public var upstreams: [String: UpstreamRecord] = [:]
    /// Recorded upstream tools by upstream name.
    public var upstreamTools: [String: [UpstreamToolRecord]] = [:]
    /// Who may read the registry.
    public var registrySettings = RegistrySettingsRecord()
}

extension GatewayStore {
    /// Reads a consistent snapshot of what is served: enabled servers and their enabled tools.
    public func snapshot() throws(StoreError) -> ConfigSnapshot {
        try read { db in
            let revision = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'configRevision'") ?? 0
            let servers = try ServerRecord.filter(Column("enabled") == true).order(Column("name")).fetchAll(db)
            let tools = try Self.fetchTools(db, serverIds: servers.map { $0.id })
            let apis = Dictionary(uniqueKeysWithValues: try APIRecord.fetchAll(db).map { ($0.id, $0) })
            let sources = try Self.fetchSources(db, serverIds: servers.map { $0.id })
            let upstreams = try UpstreamRecord.fetchAll(db)
            let namesById = Dictionary(uniqueKeysWithValues: upstreams.map { ($0.id, $0.name) })
            var upstreamTools: [String: [UpstreamToolRecord]] = [:]
            for t in try UpstreamToolRecord.order(Column("name")).fetchAll(db) {
                if let n = namesById[t.upstreamId] { upstreamTools[n, default: []].append(t) }
            }
            var snapshot = ConfigSnapshot(
                revision: revision,
                servers: servers.map {
                    ConfigSnapshot.Server(
                        record: $0, tools: (tools[$0.id] ?? []).filter { $0.tool.enabled }, upstreams: sources[$0.id] ?? [])
                },
                apis: apis,
                policies: try PolicyRecord.order(Column("scope")).fetchAll(db),
                subscriptions: try SubscriptionRecord.fetchAll(db),
                upstreams: Dictionary(uniqueKeysWithValues: upstreams.map { ($0.name, $0) }),
                upstreamTools: upstreamTools)
            snapshot.registrySettings = try RegistrySettingsRecord.fetchOne(db) ?? RegistrySettingsRecord()
            return snapshot
        }
    }
}
