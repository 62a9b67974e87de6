import Crypto
import Foundation
import Hummingbird
import NIOCore

/// The admin endpoint's routes, all under `/admin/v1/` (`docs/ADMIN-API.md`).
extension AdminEndpoint {
    func makeRouter(token: String?) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AdminGuard(token: token))
        router.get("/admin/v1/status") { _, _ in Self.json(MonitorWire.encode(status())) }
        router.get("/admin/v1/snapshot") { [monitor] _, _ in Self.json(MonitorWire.encode(monitor.snapshot())) }
        router.get("/admin/v1/records") { [monitor, configuration] request, _ in
            let limit = Self.count(request, "limit", default: 100, max: configuration.backlogLimit)
            return Self.json(.array(monitor.recentRecords(limit: limit).map(MonitorWire.encode)))
        }
        router.get("/admin/v1/events") { [monitor, configuration] request, _ in
            let limit = Self.count(request, "limit", default: 100, max: configuration.backlogLimit)
            return Self.json(.array(monitor.recentEvents(limit: limit).map(MonitorWire.encode)))
        }
        router.post("/admin/v1/events") { [monitor] request, _ in
            let body = try await request.body.collect(upTo: 8 * 1024)
            guard let value = try? JSONParser().parse(body.readableBytesView),
                let level = value["level"]?.stringValue.flatMap(EngineEvent.Level.init),
                let message = value["message"]?.stringValue, !message.isEmpty, message.count <= 1_000
            else {
                return Self.json(
                    .object([
                        "error": "expected {\"level\": \"info\"|\"warning\"|\"error\", \"message\": \"…\"} with a message of 1 to 1000 characters"
                    ]),
                    status: .badRequest)
            }
            monitor.event(level, message)
            return Response(status: .noContent)
        }
        router.get("/admin/v1/stream") { request, _ in stream(request) }
        return router
    }

    /// `GET /admin/v1/stream?records=N&events=N&interval=MS`: NDJSON, one object per line with a `type`. First the
    /// status, a snapshot, the last `records` records and `events` events (oldest first); then every `interval` the
    /// status, a snapshot and whatever records and events are new. A reader that falls more than the ring behind
    /// gets a `gap` line with how many records it missed.
    func stream(_ request: Request) -> Response {
        let records = Self.count(request, "records", default: 500, max: configuration.backlogLimit)
        let events = Self.count(request, "events", default: 500, max: configuration.backlogLimit)
        let defaultMs = Int(configuration.streamInterval.milliseconds)
        let interval = Duration.milliseconds(Self.count(request, "interval", default: defaultMs, min: 100, max: 60_000))
        let (monitor, status, closer, backlog) = (monitor, status, closer, configuration.backlogLimit)
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[.cacheControl] = "no-store"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let (ticks, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                let id = closer.register(continuation)
                let ticker = Task {
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: interval) } catch { break }
                        continuation.yield()
                    }
                }
                defer {
                    ticker.cancel()
                    closer.remove(id)
                }
                var cursor = StreamCursor()
                var out: [UInt8] = []
                cursor.write(
                    into: &out, status: status(), snapshot: monitor.snapshot(), records: Array(monitor.recentRecords(limit: records).reversed()),
                    events: Array(monitor.recentEvents(limit: events).reversed()))
                try await writer.write(ByteBuffer(bytes: out))
                for await _ in ticks {
                    out.removeAll(keepingCapacity: true)
                    let newRecords = monitor.records(after: cursor.lastRecord, limit: backlog)
                    let newEvents = monitor.events(after: cursor.lastEvent, limit: backlog)
                    cursor.write(into: &out, status: status(), snapshot: monitor.snapshot(), records: newRecords, events: newEvents)
                    try await writer.write(ByteBuffer(bytes: out))
                }
                try await writer.finish(nil)
            })
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var bytes = value.serialized()
        bytes.append(0x0A)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func count(_ request: Request, _ name: String, default value: Int, min: Int = 0, max: Int) -> Int {
        guard let n = request.uri.queryParameters.get(name, as: Int.self) else { return value }
        return Swift.min(Swift.max(n, min), max)
    }
}

/// What a stream has sent so far, and its lines.
struct StreamCursor {
    var lastRecord: UInt64 = 0
    var lastEvent: UInt64 = 0

    mutating func write(into out: inout [UInt8], status: EngineStatus, snapshot: MonitorSnapshot, records: [RequestRecord], events: [EngineEvent]) {
        line(["type": "status", "status": MonitorWire.encode(status)], into: &out)
        line(["type": "snapshot", "snapshot": MonitorWire.encode(snapshot)], into: &out)
        if let first = records.first, lastRecord > 0, first.sequence > lastRecord + 1 {
            line(["type": "gap", "missedRecords": .int(Int64(first.sequence - lastRecord - 1))], into: &out)
        }
        for r in records {
            line(["type": "record", "record": MonitorWire.encode(r)], into: &out)
            lastRecord = max(lastRecord, r.sequence)
        }
        for e in events {
            line(["type": "event", "event": MonitorWire.encode(e)], into: &out)
            lastEvent = max(lastEvent, e.sequence)
        }
    }

    private func line(_ o: JSONObject, into out: inout [UInt8]) {
        JSONValue.object(o).write(into: &out)
        out.append(0x0A)
    }
}

/// Refuses browsers (any request with an `Origin`: no page has business here) and, on the TCP listener, requests
/// without the bearer token (compared in constant time, never logged).
struct AdminGuard: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.headers[.origin] != nil {
            return AdminEndpoint.json(.object(["error": "the admin endpoint does not answer browsers"]), status: .forbidden)
        }
        if let token {
            let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
            guard Self.sameSecret(given, token) else {
                var response = AdminEndpoint.json(.object(["error": "a bearer token is required (Authorization: Bearer …)"]), status: .unauthorized)
                response.headers[.wwwAuthenticate] = "Bearer realm=\"gatehouse-admin\""
                return response
            }
        }
        return try await next(request, context)
    }

    /// Compares digests, so the time taken says nothing about the token.
    static func sameSecret(_ a: String, _ b: String) -> Bool {
        Data(SHA256.hash(data: Data(a.utf8))) == Data(SHA256.hash(data: Data(b.utf8)))
    }
}
