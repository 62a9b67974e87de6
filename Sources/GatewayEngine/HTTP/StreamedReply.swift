import NIOCore

/// The answer to one POSTed request that may become an event stream: JSON when the handler finishes before
/// sending anything else, `text/event-stream` as soon as it sends an interim message (progress, a log message, a
/// request to the client) — then the final response ends the stream.
final class StreamedReply: Sendable {
    let stream: AsyncStream<ByteBuffer>
    private let output: AsyncStream<ByteBuffer>.Continuation
    private struct State {
        /// nil until decided: true = streaming, false = a JSON reply.
        var streaming: Bool?
        var waiter: CheckedContinuation<Bool, Never>?
    }
    private let state = LockedBox(State())
    /// Event IDs come from the session, so they are unique across all of its streams.
    private let nextEventID: @Sendable () -> UInt64

    init(eventIDs: @escaping @Sendable () -> UInt64) {
        nextEventID = eventIDs
        (stream, output) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .unbounded)
    }

    /// Sends an interim message; the reply becomes an event stream. Ignored once the final answer was sent.
    func send(_ message: JSONValue) {
        let (waiter, open) = state.withLock { s -> (CheckedContinuation<Bool, Never>?, Bool) in
            if s.streaming == false { return (nil, false) }
            s.streaming = true
            defer { s.waiter = nil }
            return (s.waiter, true)
        }
        guard open else { return }
        output.yield(SSE.event(name: "message", id: "\(nextEventID())", data: message.jsonString))
        waiter?.resume(returning: true)
    }

    /// The handler is done: true when the reply is a stream (the final message was sent on it and it ended),
    /// false when the caller must answer with JSON.
    func complete(_ final: JSONValue?) -> Bool {
        let (streaming, waiter) = state.withLock { s -> (Bool, CheckedContinuation<Bool, Never>?) in
            if s.streaming == nil { s.streaming = false }
            defer { s.waiter = nil }
            return (s.streaming!, s.waiter)
        }
        if streaming {
            if let final { output.yield(SSE.event(name: "message", id: "\(nextEventID())", data: final.jsonString)) }
            output.finish()
        } else {
            output.finish()
            waiter?.resume(returning: false)
        }
        return streaming
    }

    /// Waits until the reply is decided: true for a stream.
    func decided() async -> Bool {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let now = state.withLock { s -> Bool? in
                if let d = s.streaming { return d }
                s.waiter = c
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }
}
