import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of a running engine's admin endpoint (``AdminEndpoint``): what `gatehouse console --attach` and the
/// second-engine check read. Call ``shutdown()`` when done.
public struct AdminClient: Sendable {
    /// Where the endpoint is.
    public enum Target: Sendable, Equatable, CustomStringConvertible {
        /// A Unix socket path.
        case socket(String)
        /// `http://HOST:PORT` (the TCP listener, which needs a token).
        case url(String)

        /// A socket path, or an `http://` URL.
        public init(_ text: String) {
            self = text.hasPrefix("http://") || text.hasPrefix("https://") ? .url(text) : .socket(text)
        }

        public var description: String {
            switch self {
            case .socket(let path): path
            case .url(let url): url
            }
        }
    }

    /// A message of the admin stream.
    public enum StreamMessage: Sendable, Equatable {
        case status(EngineStatus)
        case snapshot(MonitorSnapshot)
        case record(RequestRecord)
        case event(EngineEvent)
        /// Records the reader missed because it fell more than the engine's ring behind.
        case gap(Int)
    }

    /// An answer that is not what the endpoint documents.
    public struct Failure: GatehouseError {
        public var message: String
        public var errorCode: String { "admin_unreachable" }
        public var description: String { message }
    }

    public let target: Target
    let token: String?
    let http: HTTPClient

    /// A client of `target`; `token` is sent as a bearer token (the TCP listener requires it).
    public init(target: Target, token: String? = nil, readTimeout: Duration = .seconds(10)) {
        self.target = target
        self.token = token
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(2), read: .microseconds(readTimeout.microseconds)))
        // A socket nobody listens on (a killed engine's) is refused at once: say so now instead of retrying for 2 s.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A client of the Unix socket at `socketPath`.
    public init(socketPath: String) { self.init(target: .socket(socketPath)) }

    /// Closes its connections.
    public func shutdown() async { try? await http.shutdown() }

    /// The engine's status; throws when nothing answers or what answers is not a Gatehouse engine.
    public func status() async throws -> EngineStatus {
        do {
            let status = try await fetchStatus()
            await shutdown()
            return status
        } catch {
            await shutdown()
            throw error
        }
    }

    /// A short reason why an endpoint did not answer: "nothing is listening" for a refused or timed-out connection or
    /// a socket that is not there, else the error's own text, cut to `limit` characters.
    public static func describe(_ error: any Error, limit: Int = 160) -> String {
        let text = "\(error)"
        let unreachable = ["connectTimeout", "connectionRefused", "refused", "ENOENT", "No such file", "ECONNREFUSED"]
        if unreachable.contains(where: text.contains) { return "nothing is listening" }
        return text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// The engine's status, keeping the client open.
    public func fetchStatus() async throws -> EngineStatus {
        let response = try await http.execute(request("/admin/v1/status"), timeout: .seconds(3))
        let body = try await response.body.collect(upTo: 64 * 1024)
        guard response.status == .ok else { throw Failure(message: "\(target) answered \(response.status.code) to /admin/v1/status") }
        return try MonitorWire.status(try JSONParser().parse(body.readableBytesView))
    }

    /// Adds an event to the engine's log pane (what an attached console changed).
    public func report(_ level: EngineEvent.Level, _ message: String) async {
        var req = request("/admin/v1/events")
        req.method = .POST
        req.headers.add(name: "Content-Type", value: "application/json")
        let body: JSONValue = .object(["level": .string(level.rawValue), "message": .string(String(message.prefix(1_000)))])
        req.body = .bytes(ByteBuffer(bytes: body.serialized()))
        _ = try? await http.execute(req, timeout: .seconds(3))
    }

    /// The engine's stream, decoded line by line; ends when the engine closes it, throws when the connection fails.
    public func stream(records: Int = 500, events: Int = 500, interval: Duration = .seconds(1)) async throws -> AsyncThrowingStream<
        StreamMessage, any Error
    > {
        let ms = Int64(interval.milliseconds)
        let response = try await http.execute(
            request("/admin/v1/stream?records=\(records)&events=\(events)&interval=\(ms)"), deadline: .distantFuture)
        guard response.status == .ok else { throw Failure(message: "\(target) answered \(response.status.code) to /admin/v1/stream") }
        let body = response.body
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var pending: [UInt8] = []
                    for try await chunk in body {
                        pending.append(contentsOf: chunk.readableBytesView)
                        while let newline = pending.firstIndex(of: 0x0A) {
                            let line = pending[..<newline]
                            if !line.isEmpty { continuation.yield(try Self.message(line)) }
                            pending.removeSubrange(...newline)
                        }
                        guard pending.count <= 16 * 1024 * 1024 else { throw Failure(message: "\(target) sent a line over 16 MiB") }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func message(_ line: ArraySlice<UInt8>) throws -> StreamMessage {
        let value = try JSONParser().parse(line)
        switch value["type"]?.stringValue {
        case "status": return .status(try MonitorWire.status(value["status"] ?? .null))
        case "snapshot": return .snapshot(try MonitorWire.snapshot(value["snapshot"] ?? .null))
        case "record": return .record(try MonitorWire.record(value["record"] ?? .null))
        case "event": return .event(try MonitorWire.event(value["event"] ?? .null))
        case "gap": return .gap(Int(value["missedRecords"]?.intValue ?? 0))
        default: throw Failure(message: "the admin stream sent a line of unknown type")
        }
    }

    func request(_ path: String) -> HTTPClientRequest {
        var req: HTTPClientRequest
        switch target {
        case .socket(let socketPath):
            req = HTTPClientRequest(url: URL(httpURLWithSocketPath: socketPath, uri: path)?.absoluteString ?? "http+unix://invalid")
        case .url(let base): req = HTTPClientRequest(url: (base.hasSuffix("/") ? String(base.dropLast()) : base) + path)
        }
        if let token { req.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return req
    }
}
