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
        var eventCounter: UInt64 = 0
    }
    private let state = LockedBox(State())

    init() {
        (stream, output) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .unbounded)
    }

    /// Sends an interim message; the reply becomes an event stream. Ignored once the final answer was sent.
    func send(_ message: JSONValue) {
        let (waiter, id, open) = state.withLock { s -> (CheckedContinuation<Bool, Never>?, UInt64, Bool) in
            if s.streaming == false { return (nil, 0, false) }
            s.streaming = true
            s.eventCounter += 1
            defer { s.waiter = nil }
            return (s.waiter, s.eventCounter, true)
        }
        guard open else { return }
        output.yield(SSE.event(name: "message", id: "r\(id)", data: message.jsonString))
        waiter?.resume(returning: true)
    }

    /// The handler is done: true when the reply is a stream (the final message was sent on it and it ended),
    /// false when the caller must answer with JSON.
    func complete(_ final: JSONValue?) -> Bool {
        let (streaming, waiter, id) = state.withLock { s -> (Bool, CheckedContinuation<Bool, Never>?, UInt64) in
            if s.streaming == nil { s.streaming = false }
            s.eventCounter += 1
            defer { s.waiter = nil }
            return (s.streaming!, s.waiter, s.eventCounter)
        }
        if streaming {
            if let final { output.yield(SSE.event(name: "message", id: "r\(id)", data: final.jsonString)) }
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
