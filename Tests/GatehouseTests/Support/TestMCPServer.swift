import Foundation
import GatewayEngine
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A small Streamable HTTP MCP server on 127.0.0.1 whose behaviour a test switches: answering `initialize` and
/// `tools/list` with a given tool list, refusing (503), asking for credentials (401), answering HTML, or holding the
/// request until released. For probing tests; real MCP clients and servers are exercised by the interop suite.
final class TestMCPServer: Sendable {
    enum Mode: Sendable, Equatable {
        case up(tools: [String])
        case down
        case authRequired
        case html
        /// Holds every request until ``release()``.
        case hang
    }

    let port: Int
    let task: Task<Void, any Error>
    private let mode: Mutex<Mode>
    private let held = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let holdWaiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    private init(port: Int, task: Task<Void, any Error>, mode: consuming Mutex<Mode>) {
        self.port = port
        self.task = task
        self.mode = mode
    }

    var url: String { "http://127.0.0.1:\(port)/mcp" }

    func set(_ m: Mode) { mode.withLock { $0 = m } }

    /// Lets held requests go on (answered by the mode set then).
    func release() {
        let waiting = held.withLock { h in
            defer { h = [] }
            return h
        }
        for w in waiting { w.resume() }
    }

    /// Returns once a request is held (in ``Mode/hang``).
    func waitUntilHeld() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = held.withLock { h in
                if !h.isEmpty { return true }
                holdWaiters.withLock { $0.append(c) }
                return false
            }
            if now { c.resume() }
        }
    }

    func stop() {
        release()
        task.cancel()
    }

    static func start(_ initial: Mode = .up(tools: ["a", "b"])) async throws -> TestMCPServer {
        let box = Mutex<TestMCPServer?>(nil)
        let (port, task) = try await startApplication { ready in
            let router = Router()
            router.post("/mcp") { request, _ -> Response in
                guard let server = box.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
                return try await server.answer(request)
            }
            router.delete("/mcp") { _, _ in Response(status: .ok) }
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in await ready(channel.localAddress?.port ?? 0) },
                logger: Logger(label: "mcp", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        let server = TestMCPServer(port: port, task: task, mode: Mutex(initial))
        box.withLock { $0 = server }
        return server
    }

    private func answer(_ request: Request) async throws -> Response {
        if mode.withLock({ $0 }) == .hang {
            await withCheckedContinuation { c in
                let waiters = held.withLock { h in
                    h.append(c)
                    return holdWaiters.withLock { w in
                        defer { w = [] }
                        return w
                    }
                }
                for w in waiters { w.resume() }
            }
        }
        let body = try await request.body.collect(upTo: 1 << 20)
        let message = try JSONParser().parse(Array(body.readableBytesView))
        switch mode.withLock({ $0 }) {
        case .down: return Response(status: .serviceUnavailable)
        case .authRequired: return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        case .html: return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>hi</html>")))
        case .hang: return Response(status: .serviceUnavailable)
        case .up(let tools):
            guard let id = message["id"] else { return Response(status: .accepted) }
            let result: JSONValue
            switch message["method"]?.stringValue {
            case "initialize":
                result = .object([
                    "protocolVersion": "2025-06-18", "capabilities": .object(["tools": .object([:])]),
                    "serverInfo": .object(["name": "test-mcp", "version": "1.0"]),
                ])
            case "tools/list":
                result = .object([
                    "tools": .array(
                        tools.map {
                            .object(["name": .string($0), "description": .string("tool \($0)"), "inputSchema": .object(["type": "object"])])
                        })
                ])
            default:
                result = .object([:])
            }
            let reply: JSONValue = .object(["jsonrpc": "2.0", "id": id, "result": result])
            return Response(
                status: .ok, headers: [.contentType: "application/json", .init("Mcp-Session-Id")!: "s1"],
                body: .init(byteBuffer: ByteBuffer(string: reply.jsonString)))
        }
    }
}
