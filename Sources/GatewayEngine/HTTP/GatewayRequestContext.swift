import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the client's address.
struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The peer's socket address.
    let remoteAddress: SocketAddress?
    /// Completes when the client's connection closes (a long-lived stream ends with it).
    let connectionClosed: EventLoopFuture<Void>

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        connectionClosed = source.channel.closeFuture
    }

    /// The client's IP address as text.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
