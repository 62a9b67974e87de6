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
        var headers = HTTPHeaders()
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        let prepared: HTTPClient.Request
        do {
            prepared = try HTTPClient.Request(
                url: request.url, method: HTTPMethod(rawValue: request.method), headers: headers, body: request.body.map { .bytes($0) })
        } catch {
            throw Failure(message: "backend call failed: \(error)")
        }
        // The delegate API: the answer is collected on the request's event loop under one deadline for head and body,
        // and the calling task is resumed once, with the whole answer.
        let collector = BackendResponseCollector(limit: configuration.maxResponseBytes, budget: budget)
        // The answer leaves the budget once handed over (mapping it is quick; reading it is what waits).
        defer { collector.release() }
        let task = client.execute(request: prepared, delegate: collector, eventLoop: .indifferent, deadline: deadline, logger: nil)
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded, collector.receivedHead { throw Failure(message: "backend did not finish its answer in time") }
            throw Failure(message: Self.describe(error))
        } catch {
            throw Failure(message: "backend call failed: \(error)")
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
