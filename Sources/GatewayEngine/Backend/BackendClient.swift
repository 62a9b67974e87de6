import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Calls REST backends: pooled HTTP/1.1 keep-alive connections and TLS through AsyncHTTPClient, no redirects
/// followed (a redirect could lead to a private address or another origin), a timeout on every call and a cap on
/// the response size.
final class BackendClient: Sendable {
    /// Limits for backend calls.
    struct Configuration: Sendable {
        /// The whole call, connect to last byte. Default 30 s.
        var timeout: TimeAmount = .seconds(30)
        /// Connecting. Default 5 s.
        var connectTimeout: TimeAmount = .seconds(5)
        /// The largest response body accepted. Default 10 MiB.
        var maxResponseBytes: Int = 10 * 1024 * 1024
        /// Idle connections kept per backend host. Default 64.
        var connectionsPerHost: Int = 64
        /// Calls in flight per API and per tool, and how long a call over them waits.
        var concurrency = CallConcurrency.Limits()
        /// The bytes of answers buffered at once, over every call. Default 256 MiB.
        var bufferBudget: Int = 256 * 1024 * 1024

        init() {}
    }

    /// A backend's answer.
    struct Response: Sendable {
        var status: Int
        var reason: String
        var contentType: String?
        var body: [UInt8]
    }

    /// Why a call failed before a response arrived.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Connects only to addresses the SSRF guard approved (shared with the credential manager and JWKS fetches).
    let http: PinnedHTTPClient
    let configuration: Configuration
    let concurrency: CallConcurrency
    let budget: BufferBudget

    /// A client; `onLimit` is told when a concurrency limit (`api`, `tool`) or the buffer budget (nil) refuses a call
    /// (the `/metrics` counters).
    init(
        configuration: Configuration = Configuration(), addressGuard: AddressGuard = AddressGuard(),
        onLimit: @escaping @Sendable (CallConcurrency.Refusal?) -> Void = { _ in }
    ) {
        self.configuration = configuration
        concurrency = CallConcurrency(limits: configuration.concurrency, onRefusal: { onLimit($0) })
        budget = BufferBudget(limit: configuration.bufferBudget, onRefusal: { onLimit(nil) })
        var config = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: configuration.connectTimeout, read: configuration.timeout),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connectionsPerHost),
            // Identity encoding: no Accept-Encoding is sent, so no decompression (and no decompression bomb) on the hot path.
            decompression: .disabled)
        config.httpVersion = .automatic
        // No distributed tracing spans per backend call: they cost ~3% of a tools/call and nothing consumes them yet.
        config.tracing.tracer = nil
        http = PinnedHTTPClient(http: config, addressGuard: addressGuard)
    }

    /// Stops the connection pool.
    func shutdown() async throws { try await http.shutdown() }

    /// Sends a request as one call of `tool` of `api` (within their concurrency limits), after checking its origin
    /// with the SSRF guard (every resolved address; verdicts cached for 30 s) and connecting to an address it approved.
    /// `origin` is the API's base URL, which the request URL always starts with. The whole call, queueing and the last byte of the body included, ends by
    /// ``Configuration/timeout``, whatever the backend does.
    func execute(
        _ request: BackendRequest, origin: String, allowPrivateNetwork: Bool, api: String = "", tool: String = ""
    ) async throws(Failure) -> Response {
        guard request.url.hasPrefix(origin) else { throw Failure(message: "request URL left the API's base URL") }
        let deadline = NIODeadline.now() + configuration.timeout
        return try await concurrency.withSlot(api: api, tool: tool, refused: { Failure(message: $0) }) { () async throws(Failure) -> Response in
            let client: HTTPClient
            do throws(GatewayError) {
                client = try await http.approved(origin, allowPrivateNetwork: allowPrivateNetwork).client
            } catch {
                throw Failure(message: error.message)
            }
            return try await send(request, client: client, deadline: deadline)
        }
    }

    private func send(_ request: BackendRequest, client: HTTPClient, deadline: NIODeadline) async throws(Failure) -> Response {
        var req = HTTPClientRequest(url: request.url)
        req.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { req.headers.add(name: name, value: value) }
        if let body = request.body {
            req.body = .bytes(ByteBuffer(bytes: body))
        }
        let limit = configuration.maxResponseBytes
        do {
            // AsyncHTTPClient's deadline ends at the response head; the body is read under the same deadline below.
            let response = try await client.execute(req, deadline: deadline)
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limit {
                throw Failure(message: "backend response of \(length) bytes exceeds the \(limit)-byte limit")
            }
            let body = try await Self.readBody(response.body, limit: limit, deadline: deadline, budget: budget)
            // The answer leaves the budget once handed over (mapping it is quick; reading it is what waits).
            budget.release(body.count)
            return Response(
                status: Int(response.status.code), reason: response.status.reasonPhrase,
                contentType: response.headers.first(name: "content-type"), body: body)
        } catch let failure as Failure {
            throw failure
        } catch let error as HTTPClientError {
            throw Failure(message: Self.describe(error))
        } catch {
            throw Failure(message: "backend call failed: \(error)")
        }
    }

    /// The body, at most `limit` bytes, read by `deadline` (a backend that drips its answer is cut off there), each
    /// chunk taken from `budget` as it arrives; on success the caller gives the body's bytes back.
    static func readBody(_ body: HTTPClientResponse.Body, limit: Int, deadline: NIODeadline, budget: BufferBudget) async throws -> [UInt8] {
        try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                do {
                    for try await chunk in body {
                        if bytes.count + chunk.readableBytes > limit {
                            throw Failure(message: "backend response exceeds the \(limit)-byte limit")
                        }
                        guard budget.reserve(chunk.readableBytes) else {
                            throw Failure(
                                message:
                                    "the gateway holds \(budget.limit / (1024 * 1024)) MiB of backend answers already (its buffer budget); try again shortly"
                            )
                        }
                        bytes.append(contentsOf: chunk.readableBytesView)
                    }
                } catch {
                    budget.release(bytes.count)
                    throw error
                }
                return bytes
            }
            group.addTask {
                let left = deadline - NIODeadline.now()
                try await Task.sleep(nanoseconds: UInt64(max(0, left.nanoseconds)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw Failure(message: "backend did not finish its answer in time")
            }
            return bytes
        }
    }

    static func describe(_ error: HTTPClientError) -> String {
        switch error {
        case .deadlineExceeded, .readTimeout: "backend did not answer in time"
        case .connectTimeout: "could not connect to the backend in time"
        case .remoteConnectionClosed: "backend closed the connection"
        default: "backend call failed: \(error)"
        }
    }
}
