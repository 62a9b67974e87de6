import Foundation
import Logging
import Prometheus
import Store

/// The engine's registry: the catalog of gateway and external entries (rebuilt only when the configuration, the
/// routing table or recorded health moved, so a list request costs one small read), the probe targets and their
/// results, the `gatehouse_registry_entry_up{name}` gauges, and the console events for health changes. One per
/// ``Gateway``.
public final class RegistryService: Sendable {
    let store: GatewayStore
    public let configuration: RegistryConfiguration
    let upstreamDefaults: UpstreamConfiguration
    let monitor: RequestMonitor
    let logger: Logger
    /// The namespace of gateway entries (configured, or derived from the public URL).
    public let namespace: String
    /// Whether unidentified callers may read when the store says "only on a loopback bind".
    let loopbackBind: Bool
    /// Wakes the prober: the configuration changed, or someone asked to probe now.
    let wakeup = Wakeup()

    private struct State {
        weak var gateway: Gateway?
        var catalog: RegistryCatalog?
        var key: CacheKey?
        var gauges: [String: Gauge] = [:]
        var upstreamGauges: [String: Gauge] = [:]
        var reportedProblems: Set<String> = []
        var probeNowRequested = false
        var resultSubscribers: [UInt64: AsyncStream<ProbeEvent>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
    }

    struct CacheKey: Equatable {
        var config: Int64
        var health: Int64
        var table: Int64
    }

    /// A finished probe, for those who wait on the prober (tests, the CLI's "probe now").
    public struct ProbeEvent: Sendable, Equatable {
        public var target: String
        public var state: RegistryHealthRecord.State
        public var change: String?
    }

    private let state = LockedBox(State())

    init(store: GatewayStore, configuration: GatewayConfiguration, monitor: RequestMonitor, logger: Logger) {
        self.store = store
        self.configuration = configuration.registry
        upstreamDefaults = configuration.upstream
        self.monitor = monitor
        self.logger = logger
        namespace = configuration.registry.namespace ?? RegistryConfiguration.namespace(publicURL: configuration.publicURL)
        loopbackBind = configuration.isLoopbackBind
    }

    func attach(_ gateway: Gateway) { state.withLock { $0.gateway = gateway } }

    var gateway: Gateway? { state.withLock { $0.gateway } }

    /// Called by the engine after each reload: the prober re-reads its targets.
    func configurationChanged() { wakeup.signal() }

    /// Asks the prober to probe every target now.
    public func probeNow() {
        state.withLock { $0.probeNowRequested = true }
        wakeup.signal()
    }

    func takeProbeNowRequest() -> Bool {
        state.withLock { s in
            defer { s.probeNowRequested = false }
            return s.probeNowRequested
        }
    }

    // MARK: Catalog

    /// The catalog now: rebuilt when the store's configuration or health revision, or the routing table, moved.
    func catalog() -> RegistryCatalog {
        guard let gateway else { return RegistryCatalog() }
        let table = gateway.routingTable
        let revisions = (try? store.registryRevisions()) ?? (config: table.revision, health: -1)
        let key = CacheKey(config: revisions.config, health: revisions.health, table: table.revision)
        if let cached = state.withLock({ s in s.key == key ? s.catalog : nil }) { return cached }
        guard let snapshot = try? store.registrySnapshot() else { return state.withLock { $0.catalog } ?? RegistryCatalog() }
        let built = RegistryCatalog.build(gateway: GatewayServerFacts.all(table), registry: snapshot, namespace: namespace)
        if !built.publish.isEmpty {
            do { try store.recordPublished(built.publish) } catch { logger.warning("registry: cannot record published entries", metadata: ["error": "\(error.message)"]) }
        }
        let previous = state.withLock { s -> RegistryCatalog? in
            defer {
                s.catalog = built
                s.key = key
            }
            return s.catalog
        }
        report(built, previous: previous)
        return built
    }

    /// Problems (once each), health changes as console events, and the up gauges.
    private func report(_ c: RegistryCatalog, previous: RegistryCatalog?) {
        let fresh = state.withLock { s -> [String] in
            let new = c.problems.filter { !s.reportedProblems.contains($0) }
            s.reportedProblems = Set(c.problems)
            return new
        }
        for p in fresh { monitor.event(.warning, p) }
        if let previous { announceHealthChanges(previous, c) }
        updateGauges(c)
    }

    private func announceHealthChanges(_ old: RegistryCatalog, _ new: RegistryCatalog) {
        var before: [String: RegistryHealthRecord] = [:]
        for e in old.entries where e.isLatest { if let h = e.health { before[e.name] = h } }
        for e in new.entries where e.isLatest && e.kind == .external {
            guard let h = e.health, let was = before[e.name], was.checkedAt != h.checkedAt else { continue }
            if was.state != h.state {
                let level: EngineEvent.Level = h.state == .reachable ? .info : .warning
                monitor.event(level, "registry: '\(e.name)' is \(h.state.rawValue) (was \(was.state.rawValue))\(h.detail.map { ": \($0)" } ?? "")")
            }
            if let a = was.fingerprint, let b = h.fingerprint, a != b {
                monitor.event(.warning, "registry: '\(e.name)' changed its tool list (\(was.toolCount ?? 0) → \(h.toolCount ?? 0) tools)")
            }
        }
    }

    private func updateGauges(_ c: RegistryCatalog) {
        var want: [String: Bool] = [:]
        for e in c.entries where e.isLatest && e.status != .deleted { want[e.name] = e.isUp }
        var upstreams: [String: Bool] = [:]
        for e in c.entries where e.kind == .gateway {
            for u in e.upstreams { upstreams[u.upstream] = u.health?.state == .reachable }
        }
        let registry = monitor.registry
        state.withLock { s in
            for (name, gauge) in s.gauges where want[name] == nil {
                registry.unregisterGauge(gauge)
                s.gauges[name] = nil
            }
            for (name, up) in want {
                let g = s.gauges[name] ?? registry.makeGauge(name: "gatehouse_registry_entry_up", labels: [("name", name)])
                s.gauges[name] = g
                g.set(to: up ? 1.0 : 0.0)
            }
            for (name, gauge) in s.upstreamGauges where upstreams[name] == nil {
                registry.unregisterGauge(gauge)
                s.upstreamGauges[name] = nil
            }
            for (name, up) in upstreams {
                let g = s.upstreamGauges[name] ?? registry.makeGauge(name: "gatehouse_upstream_up", labels: [("upstream", name)])
                s.upstreamGauges[name] = g
                g.set(to: up ? 1.0 : 0.0)
            }
        }
    }

    /// A gateway server's traffic over the last hour.
    func live(_ e: RegistryEntry) -> LiveFigures? {
        guard e.kind == .gateway, e.status != .deleted, let server = e.gatewayServer else { return nil }
        return monitor.liveFigures.figures(server: server) ?? LiveFigures()
    }

    // MARK: Probes

    /// What the prober probes (``RegistryProbe/targets(catalog:upstreams:defaults:)``).
    func probeTargets() -> [ProbeTarget] {
        RegistryProbe.targets(catalog: catalog(), upstreams: (try? store.upstreams()) ?? [], defaults: upstreamDefaults)
    }

    /// Runs one probe through the engine's upstream clients.
    func probe(_ t: ProbeTarget) async -> ProbeResult {
        guard let hub = gateway?.upstreams else { return ProbeResult(state: .unknown, detail: "the engine is shutting down") }
        return await RegistryProbe(timeout: configuration.probeTimeout, logger: logger).run(t, channel: hub.makeChannel(t.settings))
    }

    /// Records a probe and tells those waiting.
    func record(_ target: String, _ result: ProbeResult) {
        do {
            let change = try RegistryHealthWriter.record(store: store, target: target, result: result)
            let event = ProbeEvent(target: target, state: result.state, change: change)
            let subscribers = state.withLock { Array($0.resultSubscribers.values) }
            for s in subscribers { s.yield(event) }
            if change != nil, case .upstream(let name)? = RegistryProbeTarget(key: target) {
                monitor.event(result.state == .reachable ? .info : .warning, "registry: upstream '\(name)' is \(result.state.rawValue)\(result.detail.map { ": \($0)" } ?? "")")
            }
            _ = catalog()
        } catch {
            logger.warning("registry: cannot record a probe", metadata: ["target": "\(target)", "error": "\(error.message)"])
        }
    }

    /// Finished probes as they happen (each subscriber gets every one; the oldest are dropped beyond 1,000).
    public func probeEvents() -> AsyncStream<ProbeEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ProbeEvent.self, bufferingPolicy: .bufferingNewest(1_000))
        let id = state.withLock { s in
            s.nextSubscriber += 1
            s.resultSubscribers[s.nextSubscriber] = continuation
            return s.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.resultSubscribers.removeValue(forKey: id) } }
        return stream
    }

    /// Forgets the health of targets no longer probed.
    func forget(_ targets: [String]) {
        try? store.forgetHealth(targets: targets.filter { RegistryProbeTarget(key: $0) != nil })
    }
}

/// Writes a probe's result: the target's health (tools and fingerprint kept from the last probe that listed them)
/// and a history row saying what changed. Shared by the prober and `gatehouse registry probe`.
enum RegistryHealthWriter {
    @discardableResult
    static func record(store: GatewayStore, target: String, result r: ProbeResult, now: Date = Date()) throws(StoreError) -> String? {
        let prev = try store.registryHealth(target: target)
        var h = RegistryHealthRecord(
            target: target, state: r.state, detail: r.detail, latencyMs: r.latency?.milliseconds, toolCount: r.tools?.count ?? prev?.toolCount,
            fingerprint: r.fingerprint ?? prev?.fingerprint, tools: r.tools ?? prev?.toolNames, checkedAt: now,
            lastReachableAt: r.state == .reachable ? now : prev?.lastReachableAt, changedAt: prev?.state == r.state ? prev!.changedAt : now)
        if r.tools == nil && prev?.tools == nil { h.tools = nil }
        var changes: [String] = []
        if let prev {
            if prev.state != r.state { changes.append("state: \(prev.state.rawValue) → \(r.state.rawValue)") }
            if let a = prev.fingerprint, let b = r.fingerprint, a != b {
                changes.append("tools changed: \(prev.toolCount ?? 0) → \(r.tools?.count ?? 0)")
            }
        } else {
            changes.append("first probe: \(r.state.rawValue)")
        }
        let change = changes.isEmpty ? nil : changes.joined(separator: "; ")
        try store.recordHealth(h, change: change)
        return change
    }
}
