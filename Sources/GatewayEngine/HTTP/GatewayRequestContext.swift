import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the client's address.
struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The peer's socket address.
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
