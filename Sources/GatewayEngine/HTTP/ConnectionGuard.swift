import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// The first handler of every client connection: admits it against the per-address cap and the fair share
/// (``AddressSlots``), and closes it when a request head or body is not delivered in time (``ConnectionTimers``).
/// It sees raw bytes; ``RequestProgress``, later in the pipeline, tells it where requests begin and end.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// What every connection's guard shares.
    struct Shared: Sendable {
        let slots: AddressSlots
        let trustedProxies: [IPRange]
        let limits: ConnectionLimits
        /// Told the reason when a limit bites (`gatehouse_connection_limit_total{reason}`).
        let onLimit: @Sendable (String) -> Void
    }

    private let shared: Shared
    private var timers: ConnectionTimers
    private var admitted: String?
    private var started = false
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    /// The answer in flight is an event stream.
    private var streaming = false

    init(shared: Shared) {
        self.shared = shared
        timers = ConnectionTimers(headerTimeout: shared.limits.headerTimeout.timeAmount, bodyTimeout: shared.limits.bodyTimeout.timeAmount)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        release()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        release()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        perform(timers.bytesRead(at: .now()))
        context.fireChannelRead(data)
    }

    /// A request head was decoded (from ``RequestProgress``).
    func headRead() { perform(timers.headRead(at: .now())) }
    /// The request's body ended.
    func bodyEnded() { timers.bodyEnded() }
    /// The answer's last part was written.
    func responseEnded() {
        streaming = false
        timers.responseEnded()
    }
    /// The answer in flight is an event stream.
    func streamStarted() { streaming = true }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client closed its side while an event stream was open to it: nobody reads the stream any more, so the
        // connection closes now (ending the stream, its session on the legacy transport and its slot) instead of at
        // the next keep-alive.
        if case .inputClosed = event as? ChannelEvent, streaming {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        let exempt = IPAddressBytes(peer).map { address in shared.trustedProxies.contains { $0.contains(address) } } ?? false
        if let refusal = shared.slots.acquire(peer, exempt: exempt) {
            shared.onLimit(refusal.rawValue)
            context.close(promise: nil)
            return
        }
        admitted = peer
        perform(timers.accepted(at: .now()))
    }

    private func release() {
        if let admitted { shared.slots.release(admitted) }
        admitted = nil
    }

    private func perform(_ action: ConnectionTimers.Action) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case .arm(let deadline):
            guard timer == nil else { return }
            timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                timer = nil
                perform(timers.timerFired(at: .now()))
            }
        case .close(let reason):
            shared.onLimit(reason.rawValue)
            context.close(promise: nil)
        }
    }
}

/// Sits after HTTP decoding and tells the connection's ``ConnectionGuard`` where requests begin and end.
final class RequestProgress: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let connection: ConnectionGuard

    init(_ connection: ConnectionGuard) { self.connection = connection }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: connection.headRead()
        case .end: connection.bodyEnded()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if response.headerFields[.contentType]?.hasPrefix("text/event-stream") == true { connection.streamStarted() }
        case .end: connection.responseEnded()
        case .body: break
        }
        context.write(data, promise: promise)
    }
}

/// Hummingbird's HTTP/1.1 child channel with the ``ConnectionGuard`` in front and ``RequestProgress`` after decoding.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let shared: ConnectionGuard.Shared

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let connection = ConnectionGuard(shared: shared)
        do {
            try channel.pipeline.syncOperations.addHandler(connection)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger).assumeIsolated().flatMapThrowing { value in
            let state = try channel.pipeline.syncOperations.context(handlerType: HTTPConnectionStateHandler.self)
            try channel.pipeline.syncOperations.addHandler(RequestProgress(connection), position: .before(state.handler))
            return value
        }.nonisolated()
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
