import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The engine's admin endpoint (`docs/ADMIN-API.md`): what a console needs to watch a running engine — its status,
/// the monitoring snapshot, recent request records and events, and one NDJSON stream of all of them — on an
/// owner-only Unix socket beside the database, and optionally on TCP behind a bearer token. It changes no
/// configuration: a console attached to it writes through the store, whose validation and revision triggers every
/// change already goes through, and the engine picks the change up as it does any other. The only write it takes is
/// an event for the log pane (what an attached console did).
///
/// Put ``services`` in the engine's `ServiceGroup`; call ``claim(socketPath:)`` first, so that a second engine on the
/// same database fails with a sentence naming the first instead of stealing its socket.
public struct AdminEndpoint: Sendable {
    let configuration: AdminEndpointConfiguration
    let monitor: RequestMonitor
    let status: @Sendable () -> EngineStatus
    let logger: Logger
    let closer = StreamCloser()

    /// An endpoint over a gateway's monitor; `status` is read at each request.
    public init(configuration: AdminEndpointConfiguration, monitor: RequestMonitor, logger: Logger, status: @escaping @Sendable () -> EngineStatus) {
        self.configuration = configuration
        self.monitor = monitor
        self.status = status
        self.logger = logger
    }

    /// The listeners (the Unix socket, the TCP listener when configured) and the service that ends open streams at
    /// graceful shutdown. `onSocketReady` gets the socket's path once it listens (owner-only), `onTCPReady` the TCP
    /// listener's port.
    public func services(
        onSocketReady: @escaping @Sendable (String) -> Void = { _ in }, onTCPReady: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> [any Service] {
        var services: [any Service] = []
        if let path = configuration.socketPath, !path.isEmpty {
            services.append(
                Application(
                    router: makeRouter(token: nil),
                    configuration: .init(address: .unixDomainSocket(path: path), serverName: "gatehouse-admin"),
                    onServerRunning: { _ in
                        // Owner only: connecting to a Unix socket needs write permission on it.
                        chmod(path, 0o600)
                        onSocketReady(path)
                    },
                    logger: logger))
            services.append(SocketFileRemover(path: path))
        }
        if let host = configuration.tcpHost {
            services.append(
                Application(
                    router: makeRouter(token: configuration.token),
                    configuration: .init(address: .hostname(host, port: configuration.tcpPort), serverName: "gatehouse-admin"),
                    onServerRunning: { channel in onTCPReady(channel.localAddress?.port ?? 0) }, logger: logger))
        }
        // Last, so that it is shut down first: the listeners' drain waits for open streams, which it ends.
        services.append(closer)
        return services
    }

    /// Fails when a live engine already answers on `socketPath` (a stale socket file left by a killed engine is
    /// fine: the listener replaces it), when something other than a socket is there, or when the path is too long
    /// for a Unix socket.
    public static func claim(socketPath: String) async throws(GatewayError) {
        guard socketPath.utf8.count <= AdminEndpointConfiguration.maxSocketPathBytes else {
            throw GatewayError(
                .invalidArgument,
                "the admin socket path '\(socketPath)' is longer than the \(AdminEndpointConfiguration.maxSocketPathBytes) bytes a Unix socket allows; give a shorter one with --admin-socket"
            )
        }
        var info = stat()
        guard lstat(socketPath, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw GatewayError(
                .conflict,
                "'\(socketPath)' exists and is not a socket, so the admin endpoint cannot listen there; move the file away or give another path with --admin-socket"
            )
        }
        guard let other = try? await AdminClient(socketPath: socketPath).status() else { return }
        throw GatewayError(
            .conflict,
            "another engine (pid \(other.pid), \(other.mode), serving \(other.listen.isEmpty ? "no listener yet" : other.listen)) already serves this database through \(socketPath); watch it with `gatehouse console --attach`, or give this engine its own --admin-socket"
        )
    }
}

/// Removes the socket file when the group shuts down, so no stale file is left after a clean stop.
struct SocketFileRemover: Service {
    let path: String

    func run() async throws {
        try? await gracefulShutdown()
        unlink(path)
    }
}

/// Ends every open admin stream at graceful shutdown, so the listener's drain does not wait for them.
final class StreamCloser: Service, Sendable {
    private let state = Mutex<(closed: Bool, next: Int, open: [Int: AsyncStream<Void>.Continuation])>((false, 0, [:]))

    func run() async throws {
        try? await gracefulShutdown()
        let open = state.withLock { s in
            s.closed = true
            defer { s.open = [:] }
            return Array(s.open.values)
        }
        open.forEach { $0.finish() }
    }

    /// Registers a stream's ticks; finished at once when shutdown already began.
    func register(_ continuation: AsyncStream<Void>.Continuation) -> Int {
        let (id, closed) = state.withLock { s in
            s.next += 1
            if !s.closed { s.open[s.next] = continuation }
            return (s.next, s.closed)
        }
        if closed { continuation.finish() }
        return id
    }

    func remove(_ id: Int) { _ = state.withLock { $0.open.removeValue(forKey: id) } }
}
