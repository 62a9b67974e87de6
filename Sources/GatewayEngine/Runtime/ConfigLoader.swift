import Logging
import Store

/// Compiles the store's configuration into the routing table and swaps it in whole; requests in flight keep the
/// table they started with. Owned by ``Gateway``; the MCP handler calls ``reload()`` after discovery recorded new
/// upstream tools. The `validate-jwt` validators are shared across reloads, so their key caches survive them.
final class ConfigLoader: Sendable {
    let store: GatewayStore
    let upstreams: UpstreamHub
    let policies: PolicyEngine
    let credentials: CredentialManager
    let monitor: RequestMonitor
    let logger: Logger
    let backend: BackendClient
    /// Whether the engine binds a loopback address (policies that depend on it, such as the registry's anonymous read).
    let loopbackBind: Bool
    /// The engine's own servers, served beside the store's (the registry's `/registry/mcp`).
    let builtins: [CompiledServer]
    /// Called after every reload (the registry rebuilds its catalog).
    let afterReload: @Sendable () -> Void
    private let table = LockedBox(RoutingTable())
    private let validators = LockedBox<[JWTValidationSettings: JWTValidator]>([:])

    init(
        store: GatewayStore, upstreams: UpstreamHub, policies: PolicyEngine, credentials: CredentialManager, monitor: RequestMonitor,
        backend: BackendClient, logger: Logger, loopbackBind: Bool = true, builtins: [CompiledServer] = [],
        afterReload: @escaping @Sendable () -> Void = {}
    ) {
        self.loopbackBind = loopbackBind
        self.builtins = builtins
        self.afterReload = afterReload
        self.store = store
        self.upstreams = upstreams
        self.policies = policies
        self.credentials = credentials
        self.monitor = monitor
        self.backend = backend
        self.logger = logger
    }

    /// What is served now.
    var routingTable: RoutingTable { table.withLock { $0 } }

    /// Recompiles the routing table from the store.
    func reload() {
        do {
            let snapshot = try store.snapshot()
            var problems: [String] = []
            let compiled = RoutingTable.compile(
                snapshot, policyCompiler: PolicyCompiler(validator: validator(for:), loopbackBind: loopbackBind), builtins: builtins,
                problems: &problems)
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
            afterReload()
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

    /// Reloads when the store's revision moved (another process changed the configuration).
    func reloadIfChanged() {
        if let revision = try? store.configRevision(), revision != table.withLock({ $0.revision }) {
            reload()
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
}
