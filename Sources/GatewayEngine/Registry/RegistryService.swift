import Foundation
import Logging
import Prometheus
import Store

/// The engine's registry: the catalog of gateway and external entries (rebuilt only when the configuration, the
/// routing table or recorded health moved, so a list request costs one small read), the probe targets and their
/// results, the `gatehouse_registry_entry_up{name}` gauges, and the console events for health changes. One per
/// ``Gateway``.
public final class RegistryService: Sendable {
    static var entryUp: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "registry_entry_up", unitName: "", helpText: "1 while a registry entry's last health check succeeded")
    }
    static var upstreamUp: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "upstream_up", unitName: "", helpText: "1 while an upstream answers its health check")
    }

    let store: GatewayStore
    public let configuration: RegistryConfiguration
    let upstreamDefaults: UpstreamConfiguration
    let monitor: RequestMonitor
    let logger: Logger
    /// The namespace of gateway entries (configured, or derived from the public URL).
    public let namespace: String
    /// Whether unidentified callers may read when the store says "only on a loopback bind".
    let loopbackBind: Bool
    /// The origin clients reach the gateway at when a request does not say (the public URL, else the listen address).
    let defaultOrigin: String
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
        defaultOrigin = configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)"
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
            do { try store.recordPublished(built.publish) } catch {
                logger.warning("registry: cannot record published entries", metadata: ["error": "\(error.message)"])
            }
        }
        state.withLock { s in
            s.catalog = built
            s.key = key
        }
        report(built)
        return built
    }

    /// Problems (once each) as console events, and the up gauges.
    private func report(_ c: RegistryCatalog) {
        let fresh = state.withLock { s -> [String] in
            let new = c.problems.filter { !s.reportedProblems.contains($0) }
            s.reportedProblems = Set(c.problems)
            return new
        }
        for p in fresh { monitor.event(.warning, p) }
        updateGauges(c)
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
                let g = s.gauges[name] ?? registry.makeGauge(descriptor: RegistryService.entryUp, labels: [("name", name)])
                s.gauges[name] = g
                g.set(to: up ? 1.0 : 0.0)
            }
            for (name, gauge) in s.upstreamGauges where upstreams[name] == nil {
                registry.unregisterGauge(gauge)
                s.upstreamGauges[name] = nil
            }
            for (name, up) in upstreams {
                let g = s.upstreamGauges[name] ?? registry.makeGauge(descriptor: RegistryService.upstreamUp, labels: [("upstream", name)])
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

    /// Records a probe, announces what changed in the console log, rebuilds the catalog, then tells those waiting (so
    /// a subscriber sees the catalog, the history and the events already updated).
    func record(_ target: String, _ result: ProbeResult) {
        do {
            let change = try RegistryHealthWriter.recordChange(store: store, target: target, result: result)
            if let change, let t = RegistryProbeTarget(key: target) { announce(t, change, result) }
            _ = catalog()
            let event = ProbeEvent(target: target, state: result.state, change: change?.summary)
            let subscribers = state.withLock { Array($0.resultSubscribers.values) }
            for s in subscribers { s.yield(event) }
        } catch {
            logger.warning("registry: cannot record a probe", metadata: ["target": "\(target)", "error": "\(error.message)"])
        }
    }

    /// A changed state (not the first probe of a reachable target) and a changed tool list are console events.
    private func announce(_ t: RegistryProbeTarget, _ change: RegistryHealthWriter.Change, _ result: ProbeResult) {
        let subject: String
        switch t {
        case .external(let name): subject = "'\(name)'"
        case .upstream(let name): subject = "upstream '\(name)'"
        }
        if let s = change.state, s.from != nil || s.to != .reachable {
            let level: EngineEvent.Level = s.to == .reachable ? .info : .warning
            let was = s.from.map { " (was \($0.rawValue))" } ?? ""
            monitor.event(level, "registry: \(subject) is \(s.to.rawValue)\(was)\(result.detail.map { ": \($0)" } ?? "")")
        }
        if let tools = change.tools {
            monitor.event(.warning, "registry: \(subject) changed its tool list (\(tools.from) → \(tools.to) tools)")
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
    /// What a probe changed against the one before it.
    struct Change: Sendable {
        /// The state before, and after (nil before: the first probe).
        var state: (from: RegistryHealthRecord.State?, to: RegistryHealthRecord.State)?
        /// Tool counts before and after a changed fingerprint.
        var tools: (from: Int, to: Int)?
        /// One line for the history (`state: reachable → unreachable; tools changed: 2 → 3`).
        var summary: String
    }

    /// Records a probe; returns the history line (nil when nothing changed).
    @discardableResult
    static func record(store: GatewayStore, target: String, result r: ProbeResult, now: Date = .storeNow) throws(StoreError) -> String? {
        try recordChange(store: store, target: target, result: r, now: now)?.summary
    }

    /// Records a probe; returns what changed (nil when nothing did).
    static func recordChange(store: GatewayStore, target: String, result r: ProbeResult, now: Date = .storeNow) throws(StoreError) -> Change? {
        let prev = try store.registryHealth(target: target)
        var h = RegistryHealthRecord(
            target: target, state: r.state, detail: r.detail, latencyMs: r.latency?.milliseconds, toolCount: r.tools?.count ?? prev?.toolCount,
            fingerprint: r.fingerprint ?? prev?.fingerprint, tools: r.tools ?? prev?.toolNames, checkedAt: now,
            lastReachableAt: r.state == .reachable ? now : prev?.lastReachableAt, changedAt: prev?.state == r.state ? prev!.changedAt : now)
        if r.tools == nil && prev?.tools == nil { h.tools = nil }
        var change = Change(summary: "")
        var lines: [String] = []
        if let prev {
            if prev.state != r.state {
                change.state = (prev.state, r.state)
                lines.append("state: \(prev.state.rawValue) → \(r.state.rawValue)")
            }
            if let a = prev.fingerprint, let b = r.fingerprint, a != b {
                change.tools = (prev.toolCount ?? 0, r.tools?.count ?? 0)
                lines.append("tools changed: \(prev.toolCount ?? 0) → \(r.tools?.count ?? 0)")
            }
        } else {
            change.state = (nil, r.state)
            lines.append("first probe: \(r.state.rawValue)")
        }
        try store.recordHealth(h, change: lines.isEmpty ? nil : lines.joined(separator: "; "))
        guard !lines.isEmpty else { return nil }
        change.summary = lines.joined(separator: "; ")
        return change
    }
}
