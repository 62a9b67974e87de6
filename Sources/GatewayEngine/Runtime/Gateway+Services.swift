import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import ServiceLifecycle

extension Gateway {
    /// The HTTP application serving every enabled MCP server, with the config watcher, the request-log writer and
    /// the registry's prober as its services. Run it with `runService()` or put it in a `ServiceGroup` beside the console.
    /// - Parameter onServerRunning: called with the bound address once the listener is up (port 0 picks one).
    public func makeApplication(onServerRunning: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }) -> some ApplicationProtocol {
        let responder = GatewayResponder(
            configuration: configuration, routing: { [loader] in loader.routingTable }, handler: handler, sessions: sessions, policies: policies,
            monitor: monitor, credentials: credentials, registry: registry, listeners: listeners, statelessRelays: statelessRelays,
            inputRequests: inputRequests)
        var services: [any Service] = [
            ConfigWatcher(engine: self, interval: configuration.reloadInterval),
            RequestLogWriter(monitor: monitor, store: store, logger: logger),
            ShutdownHook(gateway: self),
        ]
        if let interval = configuration.memoryTrimInterval {
            services.append(MemoryTrimmer(policy: .init(interval: interval), factory: monitor.metricsFactory, logger: logger))
        }
        if configuration.registry.probing { services.append(RegistryProber(registry: registry, clock: ContinuousClock())) }
        let limits = configuration.connectionLimits
        let shared = ConnectionGuard.Shared(
            slots: AddressSlots(
                perAddress: limits.perClientAddress, fairShare: limits.fairShare, nearlyFull: configuration.maxConnections * 7 / 8),
            trustedProxies: configuration.trustedProxies.compactMap(IPRange.init), limits: limits,
            onLimit: { [monitor] in monitor.limitBit(.connection, $0) })
        let http1 = HTTP1Channel.Configuration(idleTimeout: limits.idleTimeout.timeAmount)
        return Application(
            responder: responder,
            server: HTTPServerBuilder { responder in
                GuardedHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: http1), shared: shared)
            },
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "gatehouse",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress) },
            logger: logger)
    }
}

/// Closes sessions and the backend client when the service group shuts down.
struct ShutdownHook: Service {
    let gateway: Gateway

    func run() async throws {
        try? await gracefulShutdown()
        await gateway.shutdown()
    }
}
