import Foundation
import GatewayEngine
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A temporary directory removed at the end of the test.
final class TempDir: Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "gatehouse-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs an application in a task and returns its bound port once it listens.
func startApplication(_ make: (@escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol) async throws -> (
    port: Int, task: Task<Void, any Error>
) {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = make { port in continuation.yield(port) }
    let task = Task { try await app.runService(gracefulShutdownSignals: []) }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    return (port, task)
}

/// A REST backend on 127.0.0.1 that counts the requests it receives.
final class TestBackend: Sendable {
    let port: Int
    let task: Task<Void, any Error>
    let hits: Atomic<Int>
    let recorder: Counter

    private init(port: Int, task: Task<Void, any Error>, hits: consuming Atomic<Int>, recorder: Counter) {
        self.recorder = recorder
        self.port = port
        self.task = task
        self.hits = hits
    }

    var hitCount: Int { hits.load(ordering: .relaxed) }

    /// A backend listening on `host`:`port` (0: a free port).
    static func start(host: String = "127.0.0.1", port: Int = 0) async throws -> TestBackend {
        let counter = Counter()
        let (port, task) = try await startApplication { ready in
            let router = Router()
            router.get("/pets/{id}") { request, context -> Response in
                counter.increment()
                counter.record(request.headers, authority: request.head.authority)
                let id = context.parameters.get("id") ?? ""
                guard let n = Int(id), n > 0 else {
                    return Response(
                        status: .notFound, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: #"{"error":"no such pet"}"#)))
                }
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"id":\#(n),"name":"pet\#(n)"}"#)))
            }
            router.get("/echo/{value}") { request, _ -> Response in
                counter.increment()
                counter.record(request.headers)
                var echoed: JSONObject = ["path": .string(request.uri.path)]
                // Like a careless backend's error page: it echoes the credential it received.
                if let auth = request.headers[.authorization] { echoed["receivedAuthorization"] = .string(auth) }
                let body = JSONValue.object(echoed).jsonString
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            // A large JSON answer: {"data":"xxx…"} of about `kib` KiB.
            router.get("/big/{kib}") { _, context -> Response in
                counter.increment()
                let kib = min(Int(context.parameters.get("kib") ?? "") ?? 1, 8192)
                let body = #"{"data":""# + String(repeating: "x", count: kib * 1024) + #""}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            // A chunked answer without a length: {"data":"xxx…"} of about `kib` KiB, written 1 KiB at a time.
            router.get("/stream/{kib}") { _, context -> Response in
                counter.increment()
                let kib = min(Int(context.parameters.get("kib") ?? "") ?? 1, 8192)
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(string: #"{"data":""#))
                        for _ in 0..<kib { try await writer.write(ByteBuffer(string: String(repeating: "x", count: 1024))) }
                        try await writer.write(ByteBuffer(string: #""}"#))
                        try await writer.finish(nil)
                    })
            }
            // A redirect to a pet: a gateway that followed it would call the backend twice.
            router.get("/moved") { _, _ -> Response in
                counter.increment()
                return Response(
                    status: .found, headers: [.location: "/pets/1", .contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "moved")))
            }
            // A backend that drips its answer, one byte every 50 ms, for as long as the client reads.
            router.get("/drip") { _, _ -> Response in
                counter.increment()
                return Response(
                    status: .ok, headers: [.contentType: "application/json", .contentLength: "100000"],
                    body: ResponseBody { writer in
                        while !Task.isCancelled {
                            try await writer.write(ByteBuffer(string: " "))
                            try await Task.sleep(for: .milliseconds(50))
                        }
                    })
            }
            // A backend call that hangs until the test opens the gate (`releaseHanging()`).
            router.get("/hang") { _, _ -> Response in
                counter.increment()
                await counter.hang()
                return Response(
                    status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"done":true}"#)))
            }
            return Application(
                router: router, configuration: .init(address: .hostname(host, port: port)),
                onServerRunning: { channel in await ready(channel.localAddress?.port ?? 0) },
                logger: Logger(label: "backend", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        let backend = TestBackend(port: port, task: task, hits: Atomic(0), recorder: counter)
        counter.target.withLock { $0 = backend }
        return backend
    }

    /// Forwards increments to the backend once it exists, keeps every header set received, and holds `/hang` calls.
    final class Counter: Sendable {
        let target = Mutex<TestBackend?>(nil)
        let headers = Mutex<[[String: String]]>([])
        /// The `/hang` calls held, and whether the gate is open.
        let gate = Mutex<(waiting: [CheckedContinuation<Void, Never>], open: Bool)>(([], false))
        func hang() async {
            await withCheckedContinuation { c in
                let open = gate.withLock { g in
                    if !g.open { g.waiting.append(c) }
                    return g.open
                }
                if open { c.resume() }
            }
        }
        func increment() { target.withLock { _ = $0?.hits.add(1, ordering: .relaxed) } }
        func record(_ fields: HTTPFields, authority: String? = nil) {
            var h: [String: String] = [:]
            if let authority { h["host"] = authority }
            for f in fields { h[f.name.canonicalName, default: ""] += (h[f.name.canonicalName] == nil ? "" : ", ") + f.value }
            headers.withLock { $0.append(h) }
        }
    }

    /// Every header set the backend received, in order (names lowercase).
    var receivedHeaders: [[String: String]] { recorder.headers.withLock { $0 } }

    /// How many `/hang` calls are held now.
    var hangingCount: Int { recorder.gate.withLock { $0.waiting.count } }

    /// Opens the gate: every held `/hang` call answers, and later ones answer at once.
    func releaseHanging() {
        let held = recorder.gate.withLock { g in
            g.open = true
            defer { g.waiting = [] }
            return g.waiting
        }
        for c in held { c.resume() }
    }

    func stop() {
        releaseHanging()
        task.cancel()
    }
}
