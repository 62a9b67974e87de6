import NIOCore
import Synchronization

/// The queue of one long-lived SSE stream (the legacy transport's stream, a Streamable HTTP GET stream): the events
/// sent and not yet written to the client, bounded in bytes and in events.
///
/// A client that does not read fills it; at the bound the stream is ended, the overflow handler runs (the session
/// is ended) and later events are refused, so such a client holds at most ``Limits/maxBytes`` of the gateway's memory
/// instead of every answer sent to it. An event larger than the bound still goes when the queue is empty, so a
/// client that reads always gets its answers.
final class EventQueue: Sendable {
    /// The bounds. Defaults: 16 MiB and 1,000 events.
    struct Limits: Sendable, Equatable {
        /// Bytes queued at most. Default 16 MiB.
        var maxBytes = 16 * 1024 * 1024
        /// Events queued at most. Default 1,000.
        var maxEvents = 1_000
        init() {}
    }

    private struct Pending {
        var bytes = 0
        var events = 0
        var closed = false
        /// When the last event other than a keep-alive was queued.
        var lastEvent = ContinuousClock.now
    }

    let limits: Limits
    private let base: AsyncStream<ByteBuffer>
    private let continuation: AsyncStream<ByteBuffer>.Continuation
    private let pending = Mutex(Pending())
    private let onOverflow: @Sendable () -> Void

    /// A queue; `onOverflow` runs once when a client that does not read fills it.
    init(limits: Limits = Limits(), onOverflow: @escaping @Sendable () -> Void = {}) {
        self.limits = limits
        self.onOverflow = onOverflow
        (base, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .unbounded)
    }

    /// What the response body writes: each event leaves the queue as the writer takes it.
    var output: AsyncMapSequence<AsyncStream<ByteBuffer>, ByteBuffer> {
        base.map { [self] event in
            written(event.readableBytes)
            return event
        }
    }

    /// Called once when the stream ends (the client went away, the queue overflowed, or ``finish()``).
    func onTermination(_ handler: @escaping @Sendable () -> Void) {
        continuation.onTermination = { _ in handler() }
    }

    /// Queues an event; false when the stream has ended or this event overflowed it (which ends it). Keep-alives do
    /// not count as traffic (``lastEvent``).
    @discardableResult
    func yield(_ event: ByteBuffer, keepAlive: Bool = false) -> Bool {
        let size = event.readableBytes
        let verdict: Bool? = pending.withLock { p in
            if p.closed { return false }
            if p.events > 0, p.bytes + size > limits.maxBytes || p.events + 1 > limits.maxEvents {
                p.closed = true
                return nil
            }
            p.bytes += size
            p.events += 1
            if !keepAlive { p.lastEvent = .now }
            return true
        }
        switch verdict {
        case true?:
            continuation.yield(event)
            return true
        case false?:
            return false
        case nil:
            onOverflow()
            continuation.finish()
            return false
        }
    }

    /// Ends the stream.
    func finish() {
        pending.withLock { $0.closed = true }
        continuation.finish()
    }

    /// When the last event other than a keep-alive was queued (the stream's creation at first).
    var lastEvent: ContinuousClock.Instant { pending.withLock { $0.lastEvent } }

    /// Bytes and events queued now.
    var queued: (bytes: Int, events: Int) { pending.withLock { ($0.bytes, $0.events) } }

    private func written(_ size: Int) {
        pending.withLock { p in
            p.bytes -= size
            p.events -= 1
        }
    }
}
