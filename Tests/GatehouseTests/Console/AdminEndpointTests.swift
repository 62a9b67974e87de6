import AsyncHTTPClient
import ConsoleUI
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Testing

@testable import GatewayEngine

/// The admin endpoint a console attaches to, over a real Unix socket and a real TCP listener: status, snapshot,
/// records and events, the NDJSON stream folded by ``RemoteMonitor``, owner-only permissions, browsers and missing
/// tokens refused, one engine per socket, and the socket gone after a clean stop.
@Suite(.timeLimit(.minutes(1))) struct AdminEndpointTests {
    final class Running: Sendable {
        let dir: String
        let socket: String
        let monitor = RequestMonitor()
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let tcpPort: Int

        init(token: String? = nil, reusing existing: String? = nil) async throws {
            dir = existing ?? NSTemporaryDirectory() + "gh-admin-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            socket = AdminEndpointConfiguration.defaultSocketPath(database: dir + "/g.db")
            var config = AdminEndpointConfiguration(socketPath: socket)
            config.streamInterval = .milliseconds(100)
            if let token {
                config.tcpHost = "127.0.0.1"
                config.token = token
            }
            let monitor = monitor
            let endpoint = AdminEndpoint(
                configuration: config, monitor: monitor, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            ) {
                EngineStatus(
                    mode: "serve", startedAt: monitor.startedAt, listen: "http://127.0.0.1:1", database: "/tmp/x.db", sessions: 2, streams: 1)
            }
            let (ready, readySink) = AsyncStream.makeStream(of: Int.self)
            let expected = token == nil ? 1 : 2
            let group = ServiceGroup(
                services: endpoint.services(onSocketReady: { _ in readySink.yield(0) }, onTCPReady: { readySink.yield($0) }),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            self.group = group
            task = Task { try await group.run() }
            var port = 0
            var seen = 0
            for await p in ready {
                port = max(port, p)
                seen += 1
                if seen == expected { break }
            }
            tcpPort = port
        }

        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await task.value
            try? FileManager.default.removeItem(atPath: dir)
        }

        func get(_ path: String, headers: [(String, String)] = []) async throws -> (Int, String) {
            var request = HTTPClientRequest(url: URL(httpURLWithSocketPath: socket, uri: path)!.absoluteString)
            for (k, v) in headers { request.headers.add(name: k, value: v) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
    }

    /// A Unix socket file with no listener, as a killed engine leaves it: bound, then closed without unlinking.
    static func leaveStaleSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        try #require(bytes.count < MemoryLayout.size(ofValue: address.sun_path))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
    }

    static func record(_ n: Int, tool: String = "getPet") -> RequestRecord {
        RequestRecord(
            time: Date(), server: "pets", client: "127.0.0.1", transport: "streamable", method: "tools/call", tool: tool,
            arguments: .object(["petId": .int(Int64(n)), "apiKey": "***"]), outcome: n % 2 == 0 ? .ok : .toolError, status: 200, backendStatus: 200,
            latency: .microseconds(1234), backendLatency: .microseconds(900), bytesIn: 80, bytesOut: 120, error: nil, principal: "subscription:k1",
            decisions: ["rate-limit allowed"], protocolVersion: "2026-07-28", clientName: "probe", clientVersion: "1", rpcCode: nil)
    }

    @Test("status, snapshot, records and events answer on an owner-only socket; browsers are refused")
    func reads() async throws {
        let engine = try await Running()
        engine.monitor.record(Self.record(1))
        engine.monitor.event(.warning, "something to see")
        let client = AdminClient(socketPath: engine.socket)
        let status = try await client.fetchStatus()
        await client.shutdown()
        #expect(status.mode == "serve" && status.sessions == 2 && status.streams == 1 && status.connectedClients == 3)
        var info = stat()
        #expect(stat(engine.socket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)

        let (code, snapshot) = try await engine.get("/admin/v1/snapshot")
        #expect(code == 200)
        let decoded = try MonitorWire.snapshot(try JSONParser().parse(snapshot))
        #expect(decoded.total.totalRequests == 1)
        let (_, records) = try await engine.get("/admin/v1/records?limit=5")
        let list = try #require(try JSONParser().parse(records).arrayValue)
        #expect(try list.map(MonitorWire.record).map(\.tool) == ["getPet"])
        let (_, events) = try await engine.get("/admin/v1/events")
        #expect(events.contains("something to see"))

        let (refused, body) = try await engine.get("/admin/v1/status", headers: [("Origin", "http://evil.example")])
        #expect(refused == 403 && body.contains("browsers"))
        try await engine.stop()
    }

    @Test("the stream brings new records and events to a RemoteMonitor, which reads like a local monitor")
    func remoteMonitor() async throws {
        let engine = try await Running()
        engine.monitor.record(Self.record(1, tool: "old"))
        let remote = RemoteMonitor(client: AdminClient(socketPath: engine.socket), interval: .milliseconds(100))
        let arrivals = remote.records(bufferSize: 16)
        let group = ServiceGroup(services: [remote], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await group.run() }
        var iterator = arrivals.makeAsyncIterator()
        // The backlog first, then what happens after the console attached.
        #expect(await iterator.next()?.tool == "old")
        engine.monitor.record(Self.record(2, tool: "new"))
        let fresh = try #require(await iterator.next())
        #expect(fresh.tool == "new" && fresh.arguments == .object(["petId": 2, "apiKey": "***"]) && fresh.latency == .microseconds(1234))
        #expect(remote.recentRecords(limit: 10).map(\.tool) == ["new", "old"])
        #expect(remote.link.attached && remote.link.problem == nil && remote.link.status?.sessions == 2)
        #expect(remote.snapshot().startedAt.timeIntervalSince1970.rounded() == engine.monitor.startedAt.timeIntervalSince1970.rounded())
        #expect(remote.link.clientsCutOffByQuit == 0, "quitting an attached console cuts nobody off")

        // The engine stops: the link says so instead of freezing on old figures.
        let changes = remote.linkChanges()
        try await engine.stop()
        var links = changes.makeAsyncIterator()
        #expect(await links.next()?.problem != nil)
        #expect(remote.link.problem != nil)
        await group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("one engine per socket: a second claim names the first; a stale file is fine; a clean stop removes it")
    func claim() async throws {
        let engine = try await Running()
        await #expect(throws: GatewayError.self) { try await AdminEndpoint.claim(socketPath: engine.socket) }
        do {
            try await AdminEndpoint.claim(socketPath: engine.socket)
        } catch {
            #expect(error.message.contains("pid \(ProcessInfo.processInfo.processIdentifier)") && error.message.contains("--attach"))
        }
        let socket = engine.socket
        try await engine.stop()
        #expect(!FileManager.default.fileExists(atPath: socket))
        // A socket nobody listens on (a killed engine's) is no obstacle, and the listener takes its place.
        let dir = (socket as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.leaveStaleSocket(at: socket)
        try await AdminEndpoint.claim(socketPath: socket)
        let again = try await Running(reusing: dir)
        #expect(try await AdminClient(socketPath: again.socket).status().mode == "serve")
        try await again.stop()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Anything else at the path is named, not overwritten.
        #expect(FileManager.default.createFile(atPath: socket, contents: Data("notes".utf8)))
        await #expect(throws: GatewayError.self) { try await AdminEndpoint.claim(socketPath: socket) }
        #expect(FileManager.default.contents(atPath: socket) == Data("notes".utf8))
        unlink(socket)
        let long = "/tmp/" + String(repeating: "d", count: 120) + "/g.db-admin.sock"
        await #expect(throws: GatewayError.self) { try await AdminEndpoint.claim(socketPath: long) }
    }

    @Test("the TCP listener answers only with the bearer token")
    func tcpToken() async throws {
        let token = "0123456789abcdef0123456789abcdef"
        let engine = try await Running(token: token)
        let base = "http://127.0.0.1:\(engine.tcpPort)"
        let bare = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/admin/v1/status"), timeout: .seconds(5))
        #expect(bare.status.code == 401 && bare.headers["WWW-Authenticate"].first?.hasPrefix("Bearer") == true)
        var wrong = HTTPClientRequest(url: base + "/admin/v1/status")
        wrong.headers.add(name: "Authorization", value: "Bearer \(token.dropLast())x")
        #expect(try await HTTPClient.shared.execute(wrong, timeout: .seconds(5)).status.code == 401)
        let client = AdminClient(target: .url(base), token: token)
        #expect(try await client.fetchStatus().mode == "serve")
        await client.shutdown()
        try await engine.stop()
    }

    @Test("records, events and snapshots survive the wire unchanged")
    func wireRoundTrip() throws {
        var r = Self.record(3)
        r.sequence = 42
        r.toolIsKnown = true
        r.rpcCode = -32602
        r.error = "invalid arguments"
        r.time = Date(timeIntervalSince1970: 1_796_000_000.25)
        let back = try MonitorWire.record(try JSONParser().parse(MonitorWire.encode(r).jsonString))
        #expect(back == r && back.toolIsKnown)
        var e = EngineEvent(time: Date(timeIntervalSince1970: 1_796_000_001.5), level: .error, message: "x")
        e.sequence = 7
        #expect(try MonitorWire.event(try JSONParser().parse(MonitorWire.encode(e).jsonString)) == e)
        let s = MonitorSnapshot(
            startedAt: Date(timeIntervalSince1970: 1_796_000_000), takenAt: Date(timeIntervalSince1970: 1_796_000_100),
            total: TrafficStats(
                requestsPerSecond: 12.5, errorRate: 0.25, p50: .microseconds(800), p95: .microseconds(4000), requests: 40, totalRequests: 900,
                history: [1, 2, 3]),
            servers: ["pets": TrafficStats(requests: 3)], droppedLogRecords: 2, limitHits: ["connection/header_timeout": 3])
        #expect(try MonitorWire.snapshot(try JSONParser().parse(MonitorWire.encode(s).jsonString)) == s)
        #expect(throws: MonitorWire.DecodingError.self) { try MonitorWire.record(.object(["sequence": 1])) }
    }
}
