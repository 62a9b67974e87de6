import Hummingbird
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

extension GatewayResponder {
    /// Runs a relayed request in a task of its own behind `streamed` (so cancellation can stop it): when the handler
    /// sent something first, the answer is the event stream and the task records the exchange once the final message
    /// went out; otherwise the caller's `reply` renders the JSON answer. `stamp` adjusts the outcome (the stateless
    /// revision's result fields), `whenDone` runs when the task ends, `onStream` when the answer becomes a stream.
    func streamedCall(
        _ message: JSONRPCMessage, id: JSONValue, in context: MCPRequestContext, handle: RequestHandle, streamed: StreamedReply,
        exchange: inout Exchange, stamp: @escaping @Sendable (HandlerOutcome) -> HandlerOutcome = { $0 },
        whenDone: @escaping @Sendable () -> Void = {}, onStream: (inout Exchange) -> Void = { _ in },
        reply: (HandlerOutcome, inout Exchange) -> Response
    ) async -> Response {
        let snapshot = exchange
        let done = LockedBox<(HandlerOutcome, Exchange)?>(nil)
        let task = Task {
            var ex = snapshot
            var outcome = await handler.handle(message, in: context, policy: &ex.policy)
            handle.finish()
            outcome = stamp(outcome)
            ex.noteAnswer(outcome)
            if streamed.complete(outcome.response) {
                recordStreamed(outcome, exchange: &ex)
            } else {
                done.withLock { $0 = (outcome, ex) }
            }
            whenDone()
        }
        handle.run(task)
        if let stream = await streamed.decided() {
            onStream(&exchange)
            var headers = HTTPReplies.sseHeaders
            headers.append(contentsOf: exchange.policy.responseHeaders)
            return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: stream))
        }
        await task.value
        guard let (outcome, ex) = done.withLock({ $0 }) else {
            return finish(
                &exchange, HTTPReplies.rpcError(.internalServerError, code: MCPProtocol.internalError, "internal error", id: id), outcome: .rpcError)
        }
        exchange = ex
        return reply(outcome, &exchange)
    }

    /// Records a request whose answer went out on an event stream (the response itself is already on its way).
    func recordStreamed(_ outcome: HandlerOutcome, exchange: inout Exchange) {
        let bytes = outcome.response?.serialized().count ?? 0
        _ = finish(
            &exchange, Response(status: .ok), outcome: outcome.outcome, tool: outcome.tool, arguments: outcome.arguments,
            backendStatus: outcome.backendStatus, backendLatency: outcome.backendLatency, bytesOut: bytes, error: outcome.error,
            serverFault: outcome.serverFault)
    }
}
