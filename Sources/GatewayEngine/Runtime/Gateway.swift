import Foundation
import Logging
import Metrics
import Store

/// The engine: what is served (compiled from the store and reloaded when it changes), the backend client, live
/// sessions and the monitor. One per process; the HTTP server, the config watcher and the request-log writer are
/// its services (see ``makeServices(onServerRunning:)``).
public final class Gateway: Sendable {
    /// The configuration store every change goes through.
    public let store: GatewayStore
    /// How the engine serves.
    public let configuration: GatewayConfiguration
    /// Request records, traffic figures, events and metrics (what the console samples).
    public let monitor: RequestMonitor
    let backend: BackendClient
    let logger: Logger
    let sessions: SessionRegistry
    /// Counters, cache and validators for policies.
    let policies: PolicyEngine
    /// Outbound credentials (secrets sealed at rest, OAuth tokens).
    public let credentials: CredentialManager
    /// Upstream MCP servers: settings, circuit breakers, stdio children, discovery.
    let upstreams: UpstreamHub
    /// Compiles the store into the routing table (and keeps the JWT validators across reloads).
    let loader: ConfigLoader
    /// Handles the JSON-RPC requests of established sessions; the transports call it.
    let handler: MCPHandler
    /// The registry: gateway and external entries, health probes.
    public let registry: RegistryService
    private let lastSweep = LockedBox(ContinuousClock.now)
    /// The `subscriptions/listen` streams of the stateless revision (2026-07-28).
    let listeners = ListenHub()
    /// The shared relays behind stateless requests to servers with upstreams (what upstreams announce to them goes
    /// to the principal's listeners).
    let statelessRelays: StatelessRelays
    /// Stateless requests parked between rounds of a multi round-trip request.
    let inputRequests = InputRequestBroker()
    /// A fingerprint of each server's tool list as last served, to tell listeners when it changes.
    let toolPrints = LockedBox<[String: Int]>([:])

    /// Creates the engine and compiles the current configuration.
    public convenience init(store: GatewayStore, configuration: GatewayConfiguration = GatewayConfiguration(), logger: Logger) {
        self.init(store: store, configuration: configuration, logger: logger, clock: .system)
    }

    /// Creates the engine with the clock its policies count time by (tests inject a manual one).
    init(store: GatewayStore, configuration: GatewayConfiguration, logger: Logger, clock: PolicyClock) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        statelessRelays = StatelessRelays(onNotification: { [listeners] in listeners.deliver(basePath: $0, principal: $1, $2) })
        let monitor = RequestMonitor()
        self.monitor = monitor
        backend = BackendClient(configuration: configuration.backend, addressGuard: configuration.addressGuard) {
            monitor.limitBit(.backend, $0?.rawValue ?? "buffer")
        }
        var sessionLimits = configuration.sessionLimits
        sessionLimits.maxSessions = configuration.maxSessions
        sessionLimits.idleTimeout = configuration.sessionIdleTimeout
        sessions = SessionRegistry(limits: sessionLimits, onLimit: { monitor.limitBit(.session, $0, count: $1) })
        credentials = CredentialManager(store: store, http: backend.http, environment: ProcessInfo.processInfo.environment, logger: logger)
        policies = PolicyEngine(
            store: store, monitor: monitor, logger: logger, clock: clock, trustedProxies: configuration.trustedProxies.compactMap(IPRange.init),
            credentials: credentials)
        let announce = LockedBox<(@Sendable (String, [UpstreamToolChange]) -> Void)?>(nil)
        let reloaded = LockedBox<(@Sendable () -> Void)?>(nil)
        upstreams = UpstreamHub(
            store: store, configuration: configuration.upstream, credentials: credentials, monitor: monitor, logger: logger,
            addressGuard: configuration.addressGuard,
            onLimit: { monitor.limitBit(.backend, $0 == .api ? "upstream" : "upstream_tool") }
        ) {
            name, changes in
            announce.withLock { $0 }?(name, changes)
        }
        let registry = RegistryService(store: store, configuration: configuration, monitor: monitor, logger: logger)
        self.registry = registry
        let loader = ConfigLoader(
            store: store, upstreams: upstreams, policies: policies, credentials: credentials, monitor: monitor, backend: backend, logger: logger,
            loopbackBind: configuration.isLoopbackBind, builtins: [RegistryMCP.compiledServer()],
            afterReload: {
                registry.configurationChanged()
                reloaded.withLock { $0 }?()
            })
        self.loader = loader
        handler = MCPHandler(
            settings: .init(toolsPageSize: configuration.toolsPageSize, toolsPageMaxBytes: configuration.toolsPageMaxBytes),
            routing: { loader.routingTable }, reload: { loader.reload() },
            backend: backend, credentials: credentials, upstreams: upstreams, policies: policies, monitor: monitor, registry: registry, logger: logger
        )
        let callback: @Sendable (String, [UpstreamToolChange]) -> Void = { [weak self] name, changes in self?.upstreamToolsChanged(name, changes) }
        announce.withLock { $0 = callback }
        reloaded.withLock { $0 = { [weak self] in self?.configurationReloaded() } }
        registry.attach(self)
        if let warning = configuration.hostCheckWarning {
            logger.warning("\(warning)")
            monitor.event(.warning, warning)
        }
        reload()
    }

    /// Discovery changed an upstream's tools: serve the new set and tell the clients of every server using it.
    func upstreamToolsChanged(_ upstream: String, _ changes: [UpstreamToolChange]) {
        for change in changes where change.kind == .changed || change.kind == .flagged {
            let what = change.kind == .changed ? "changed its definition" : "is new and its text is flagged"
            monitor.event(.warning, "upstream '\(upstream)': tool '\(change.tool)' \(what); held back until approved")
        }
        reload()
        let paths = Set(routingTable.servers.values.filter { $0.upstreams.contains { $0.upstream == upstream } }.map(\.basePath))
        for session in sessions.sessions(basePaths: paths) {
            session.send(.object(["jsonrpc": "2.0", "method": "notifications/tools/list_changed"]))
        }
        listeners.notify(.tools, basePaths: paths)
    }

    /// After every reload: listeners of servers whose tool list changed are told, and the stateless relays of
    /// servers no longer served are closed.
    func configurationReloaded() {
        let table = loader.routingTable
        var prints: [String: Int] = [:]
        for (path, server) in table.servers {
            var h = Hasher()
            for tool in server.tools { h.combine(tool.listEntry) }
            prints[path] = h.finalize()
        }
        let changed = toolPrints.withLock { old -> Set<String> in
            defer { old = prints }
            return Set(prints.keys.filter { old[$0] != nil && old[$0] != prints[$0] })
        }
        if !changed.isEmpty { listeners.notify(.tools, basePaths: changed) }
        statelessRelays.close(except: Set(table.servers.keys))
    }

    /// What is served now.
    var routingTable: RoutingTable { loader.routingTable }

    /// Recompiles the routing table from the store.
    public func reload() { loader.reload() }

    /// Reloads when the store's revision moved; sweeps idle sessions now and then.
    public func reloadIfChanged() {
        loader.reloadIfChanged()
        let now = ContinuousClock.now
        let due = lastSweep.withLock { last in
            guard now - last > .seconds(10) else { return false }
            last = now
            return true
        }
        if due { sessions.sweep() }
        upstreams.tick(now: now)
    }

    /// Shuts down sessions, streams and the backend client.
    public func shutdown() async {
        listeners.closeAll()
        statelessRelays.close()
        sessions.closeAll()
        monitor.finishStreams()
        await upstreams.shutdown()
        try? await backend.shutdown()
    }

    /// The number of live MCP sessions.
    var sessionCount: Int { sessions.count }
}
