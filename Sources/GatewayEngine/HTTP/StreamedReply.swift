import NIOCore

/// The answer to one POSTed request that may become an event stream: JSON when the handler finishes before
/// sending anything else, `text/event-stream` as soon as it sends an interim message (progress, a log message, a
/// request to the client) — then the final response ends the stream. The stream is only made when needed.
final class StreamedReply: Sendable {
    private struct State {
        /// nil until decided: true = streaming, false = a JSON reply.
        var streaming: Bool?
        var waiter: CheckedContinuation<AsyncStream<ByteBuffer>?, Never>?
        var stream: AsyncStream<ByteBuffer>?
        var output: AsyncStream<ByteBuffer>.Continuation?
    }
    private let state = LockedBox(State())
    /// Event IDs come from the session, so they are unique across all of its streams.
    private let nextEventID: @Sendable () -> UInt64
    /// Called when the client goes away before the final message (the stream ends unfinished).
    private let onAbandon: (@Sendable () -> Void)?

    /// `onAbandon` runs when the stream is dropped before its final message (the client closed it): the
    /// stateless revision's cancellation.
    init(eventIDs: @escaping @Sendable () -> UInt64, onAbandon: (@Sendable () -> Void)? = nil) {
        nextEventID = eventIDs
        self.onAbandon = onAbandon
    }

    /// Sends an interim message; the reply becomes an event stream. Ignored once the final answer was sent.
    func send(_ message: JSONValue) {
        emit(SSE.event(name: "message", id: "\(nextEventID())", data: message.jsonString))
    }

    /// Sends a keep-alive comment: the reply becomes an event stream (so that a client that goes away from a long
    /// request is noticed, and proxies keep it open). Ignored once the final answer was sent.
    func ping() {
        emit(SSE.comment("keep-alive"))
    }

    private func emit(_ event: ByteBuffer) {
        let (waiter, stream, output) = state.withLock {
            s -> (CheckedContinuation<AsyncStream<ByteBuffer>?, Never>?, AsyncStream<ByteBuffer>?, AsyncStream<ByteBuffer>.Continuation?) in
            if s.streaming == false { return (nil, nil, nil) }
            if s.output == nil {
                let (stream, output) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .unbounded)
                if let onAbandon {
                    output.onTermination = { reason in if case .cancelled = reason { onAbandon() } }
                }
                s.stream = stream
                s.output = output
                s.streaming = true
            }
            defer {
                if s.waiter != nil { s.stream = nil }
                s.waiter = nil
            }
            return (s.waiter, s.stream, s.output)
        }
        output?.yield(event)
        waiter?.resume(returning: stream)
    }

    /// The handler is done: true when the reply is a stream (the final message was sent on it and it ended),
    /// false when the caller must answer with JSON.
    func complete(_ final: JSONValue?) -> Bool {
        let (output, waiter) = state.withLock { s -> (AsyncStream<ByteBuffer>.Continuation?, CheckedContinuation<AsyncStream<ByteBuffer>?, Never>?) in
            if s.streaming == nil { s.streaming = false }
            defer { s.waiter = nil }
            return (s.output, s.waiter)
        }
        if let output {
            if let final { output.yield(SSE.event(name: "message", id: "\(nextEventID())", data: final.jsonString)) }
            output.finish()
            return true
        }
        waiter?.resume(returning: nil)
        return false
    }

    /// Waits until the reply is decided: the event stream, or nil for a JSON reply.
    func decided() async -> AsyncStream<ByteBuffer>? {
        await withCheckedContinuation { (c: CheckedContinuation<AsyncStream<ByteBuffer>?, Never>) in
            let now = state.withLock { s -> AsyncStream<ByteBuffer>?? in
                // The stream is handed out once and not kept: when its reader drops it unfinished, it terminates.
                defer { if s.streaming == true { s.stream = nil } }
                if let d = s.streaming { return .some(d ? s.stream : nil) }
                s.waiter = c
                return .none
            }
            if let now { c.resume(returning: now) }
        }
    }
}
