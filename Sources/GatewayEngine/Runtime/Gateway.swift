import Foundation
import Logging
import Store

/// The engine: what is served (compiled from the store and reloaded when it changes), the backend client, live
/// sessions and the monitor. One per process; the HTTP server, the config watcher and the request-log writer are
/// its services (see ``makeServices(onServerRunning:)``).
public final class Gateway: Sendable {
    public let store: GatewayStore
    public let configuration: GatewayConfiguration
    public let monitor: RequestMonitor
    public let backend: BackendClient
    let logger: Logger
    let sessions: SessionRegistry
    /// Counters, cache and validators for policies.
    public let policies: PolicyEngine
    /// Outbound credentials (secrets sealed at rest, OAuth tokens).
    public let credentials: CredentialManager
    /// Upstream MCP servers: settings, circuit breakers, stdio children, discovery.
    let upstreams: UpstreamHub
    /// The registry: gateway and external entries, health probes.
    public let registry: RegistryService
    private let validators = LockedBox<[JWTValidationSettings: JWTValidator]>([:])
    private let table = LockedBox(RoutingTable())
    private let lastSweep = LockedBox(ContinuousClock.now)

    /// Creates the engine and compiles the current configuration.
    public init(store: GatewayStore, configuration: GatewayConfiguration = GatewayConfiguration(), logger: Logger, clock: PolicyClock = .system) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        let monitor = RequestMonitor()
        self.monitor = monitor
        backend = BackendClient(configuration: configuration.backend)
        sessions = SessionRegistry(idleTimeout: configuration.sessionIdleTimeout, maxSessions: configuration.maxSessions)
        credentials = CredentialManager(store: store, http: backend.http, environment: ProcessInfo.processInfo.environment, logger: logger)
        policies = PolicyEngine(
            store: store, monitor: monitor, logger: logger, clock: clock, trustedProxies: configuration.trustedProxies.compactMap(IPRange.init),
            credentials: credentials)
        let announce = LockedBox<(@Sendable (String, [UpstreamToolChange]) -> Void)?>(nil)
        upstreams = UpstreamHub(store: store, configuration: configuration.upstream, credentials: credentials, monitor: monitor, logger: logger) { name, changes in
            announce.withLock { $0 }?(name, changes)
        }
        registry = RegistryService(store: store, configuration: configuration, monitor: monitor, logger: logger)
        let callback: @Sendable (String, [UpstreamToolChange]) -> Void = { [weak self] name, changes in self?.upstreamToolsChanged(name, changes) }
        announce.withLock { $0 = callback }
        registry.attach(self)
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
    }

    /// What is served now.
    public var routingTable: RoutingTable { table.withLock { $0 } }

    /// Recompiles the routing table from the store.
    public func reload() {
        do {
            let snapshot = try store.snapshot()
            var problems: [String] = []
            let compiled = RoutingTable.compile(
                snapshot, policyCompiler: PolicyCompiler(validator: validator(for:), loopbackBind: configuration.isLoopbackBind),
                builtins: [RegistryMCP.compiledServer()], problems: &problems)
            let previous = table.withLock { t in
                defer { t = compiled }
                return t.revision
            }
            upstreams.update(snapshot.upstreams, inUse: compiled.upstreamsInUse)
            if previous != compiled.revision {
                policies.cache.removeAll()
                credentials.configurationChanged()
            }
            for p in problems {
                logger.warning("\(p)")
                monitor.event(.warning, p)
            }
            registry.configurationChanged()
            if previous >= 0 {
                let served = compiled.servers.values.filter { $0.basePath != RegistryMCP.basePath }
                let tools = served.reduce(0) { $0 + $1.tools.count }
                monitor.event(.info, "configuration reloaded (revision \(compiled.revision)): \(served.count) servers, \(tools) tools")
                logger.info("configuration reloaded", metadata: ["revision": "\(compiled.revision)"])
            }
        } catch {
            logger.error("configuration reload failed", metadata: ["error": "\(error)"])
            monitor.event(.error, "configuration reload failed: \(error.message)")
        }
    }

    /// The validator for a `validate-jwt` configuration, shared across reloads so its key cache survives them.
    func validator(for settings: JWTValidationSettings) -> JWTValidator {
        validators.withLock { cache in
            if let v = cache[settings] { return v }
            let v = JWTValidator(settings: settings, fetcher: HTTPJWKSFetcher(client: backend.http), logger: logger)
            cache[settings] = v
            return v
        }
    }

    /// Reloads when the store's revision moved; sweeps idle sessions now and then.
    public func reloadIfChanged() {
        if let revision = try? store.configRevision(), revision != table.withLock({ $0.revision }) {
            reload()
        }
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
        sessions.closeAll()
        monitor.finishStreams()
        await upstreams.shutdown()
        try? await backend.shutdown()
    }

    /// The number of live MCP sessions.
    public var sessionCount: Int { sessions.count }
}
