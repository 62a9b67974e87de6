import AsyncHTTPClient
import Foundation
import Logging
import Store

/// The registry without a running engine (the CLI): the routing table compiled from the store, live figures from
/// the request log, and probes run in this process and recorded like the engine's.
extension RegistryAdmin {
    /// The catalog as an engine with this namespace would serve it (nothing is recorded as published).
    func standaloneCatalog(namespace: String) throws -> (RegistryCatalog, RegistrySnapshot) {
        let snapshot = try store.snapshot()
        let registry = try store.registrySnapshot()
        var problems: [String] = []
        let logger = self.logger
        let compiler = PolicyCompiler(validator: { JWTValidator(settings: $0, fetcher: HTTPJWKSFetcher(client: .shared), logger: logger) })
        let table = RoutingTable.compile(snapshot, policyCompiler: compiler, problems: &problems)
        return (RegistryCatalog.build(gateway: GatewayServerFacts.all(table), registry: registry, namespace: namespace), registry)
    }

    /// Every entry with its health, history and (from the request log, or `live` when an engine runs in this
    /// process) the last hour's traffic. Gateway URLs use `origin`.
    public func listing(origin: String = "http://127.0.0.1:8080", namespace: String? = nil, live: LiveFigureWindows? = nil) throws -> RegistryListing
    {
        let ns = namespace ?? namespaceInUse()
        let (catalog, snapshot) = try standaloneCatalog(namespace: ns)
        let histories = try store.healthHistories(limit: 10)
        let since = Date().addingTimeInterval(-3600)
        return RegistryListing.build(
            catalog, snapshot: snapshot, histories: histories, origin: origin.hasSuffix("/") ? String(origin.dropLast()) : origin, namespace: ns
        ) { e in
            guard e.kind == .gateway, e.status != .deleted, let server = e.gatewayServer else { return nil }
            if let live { return live.figures(server: server) ?? LiveFigures() }
            return (try? store.requestLogFigures(server: server, since: since)).map(LiveFigures.init) ?? LiveFigures()
        }
    }

    /// One target's probe history, newest first.
    public func history(of row: RegistryListing.Row, limit: Int = GatewayStore.healthHistoryLimit) throws -> [RegistryHealthEventRecord] {
        guard row.kind == .external else { return [] }
        return try store.healthHistory(target: RegistryProbeTarget.external(row.name).key, limit: limit)
    }

    /// A probe run now from this process.
    public struct ProbeOutcome: Sendable, Equatable {
        public var target: String
        public var state: RegistryHealthRecord.State
        public var detail: String?
        public var latencyMs: Double?
        public var toolCount: Int?
        public var change: String?
    }

    /// Probes now (every external entry and HTTP upstream, or those of one name) and records the results.
    public func probe(_ name: String? = nil, timeout: Duration = .seconds(10)) async throws -> [ProbeOutcome] {
        let (catalog, _) = try standaloneCatalog(namespace: namespaceInUse())
        var targets = RegistryProbe.targets(catalog: catalog, upstreams: try store.upstreams(), defaults: UpstreamConfiguration())
        if let name {
            targets = targets.filter { $0.target == .external(name) || $0.target == .upstream(name) }
            guard !targets.isEmpty else {
                throw GatewayError(.notFound, "nothing to probe named '\(name)': no external entry with an http(s) remote, and no HTTP upstream")
            }
        }
        let probe = RegistryProbe(timeout: timeout, logger: logger)
        let store = self.store
        return try await UpstreamDiscovery.withStandalone(store: store, logger: logger) { hub async throws(UpstreamError) -> [ProbeOutcome] in
            var out: [ProbeOutcome] = []
            for t in targets {
                let r = await probe.run(t, channel: hub.makeChannel(t.settings))
                let change = try? RegistryHealthWriter.record(store: store, target: t.key, result: r)
                out.append(
                    ProbeOutcome(
                        target: t.key, state: r.state, detail: r.detail, latencyMs: r.latency?.milliseconds, toolCount: r.tools?.count,
                        change: change ?? nil))
            }
            return out
        }
    }
}
