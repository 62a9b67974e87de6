import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Collects one backend answer for ``BackendClient`` as AsyncHTTPClient delivers it, on the request's event loop:
/// the head, then the body up to a size limit, each chunk taken from the gateway's ``BufferBudget`` as it arrives.
///
/// The delegate API reads an answer without an async sequence, a task group or a timer task per call (what reading
/// `HTTPClientResponse.Body` under a deadline costs), and the deadline given to `execute` covers the whole answer,
/// head and body. The caller gives the reserved bytes back with ``release()`` once it is done with the answer.
final class BackendResponseCollector: HTTPClientResponseDelegate {
    typealias Response = BackendClient.Response

    private struct State {
        var head: HTTPResponseHead?
        var body: ByteBuffer?
        /// Bytes taken from the budget and not given back yet.
        var reserved = 0
        /// ``release()`` ran: later chunks (a race with a deadline) are refused, not reserved.
        var released = false
    }

    /// The largest body accepted.
    let limit: Int
    let budget: BufferBudget
    private let state = Mutex(State())

    init(limit: Int, budget: BufferBudget) {
        self.limit = limit
        self.budget = budget
    }

    /// Whether the head arrived (a deadline after it cut the body off).
    var receivedHead: Bool { state.withLock { $0.head != nil } }

    /// Gives every reserved byte back to the budget; the collector accepts nothing afterwards.
    func release() {
        let bytes = state.withLock { s in
            defer {
                s.reserved = 0
                s.released = true
            }
            return s.reserved
        }
        budget.release(bytes)
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limit {
            return task.eventLoop.makeFailedFuture(
                BackendClient.Failure(message: "backend response of \(length) bytes exceeds the \(limit)-byte limit"))
        }
        state.withLock { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let refusal: String? = state.withLock { s in
            let held = s.body?.readableBytes ?? 0
            if s.released { return "the call already ended" }
            if held + buffer.readableBytes > limit { return "backend response exceeds the \(limit)-byte limit" }
            guard budget.reserve(buffer.readableBytes) else {
                return "the gateway holds \(budget.limit / (1024 * 1024)) MiB of backend answers already (its buffer budget); try again shortly"
            }
            s.reserved += buffer.readableBytes
            if s.body == nil {
                s.body = buffer
            } else {
                var chunk = buffer
                s.body!.writeBuffer(&chunk)
            }
            return nil
        }
        if let refusal { return task.eventLoop.makeFailedFuture(BackendClient.Failure(message: refusal)) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    /// Nothing to do: the error fails the task's future, where ``BackendClient`` reads it, and ``release()`` gives
    /// back what was reserved.
    func didReceiveError(task: HTTPClient.Task<Response>, _ error: any Error) {}

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        let (head, body) = state.withLock { s in
            defer { s.body = nil }
            return (s.head, s.body)
        }
        guard let head else { throw BackendClient.Failure(message: "backend closed the connection before its answer") }
        return Response(
            status: Int(head.status.code), reason: head.status.reasonPhrase,
            contentType: head.headers.first(name: "content-type"), body: body.map { Array($0.readableBytesView) } ?? [])
    }
}
