import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

extension Gateway {
    /// The HTTP application serving every enabled MCP server, with the config watcher, the request-log writer and
    /// the registry's prober as its services. Run it with `runService()` or put it in a `ServiceGroup` beside the console.
    /// - Parameter onServerRunning: called with the bound address once the listener is up (port 0 picks one).
    public func makeApplication(onServerRunning: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }) -> some ApplicationProtocol {
        let responder = GatewayResponder(
            configuration: configuration, routing: { [loader] in loader.routingTable }, handler: handler, sessions: sessions, policies: policies,
            monitor: monitor, credentials: credentials, registry: registry)
        var services: [any Service] = [
            ConfigWatcher(engine: self, interval: configuration.reloadInterval),
            RequestLogWriter(monitor: monitor, store: store, logger: logger),
            ShutdownHook(gateway: self),
        ]
        if configuration.registry.probing { services.append(RegistryProber(registry: registry, clock: ContinuousClock())) }
        return Application(
            responder: responder,
            server: .http1(configuration: .init(idleTimeout: .seconds(120))),
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
