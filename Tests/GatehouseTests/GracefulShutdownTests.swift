import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Store
import Testing

@testable import GatewayEngine

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("a graceful shutdown ends open SSE streams instead of waiting on them", .timeLimit(.minutes(1)))
    func openStreamsDoNotHoldShutdown() async throws {
        let dir = TempDir()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        var config = GatewayConfiguration()
        config.port = 0
        config.sseKeepAlive = .seconds(3600)
        let gateway = Gateway(store: store, configuration: config, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        let specPath = dir.path + "/pets.yaml"
        try testSpec.write(toFile: specPath, atomically: true, encoding: .utf8)
        let importer = APIImportService(store: store)
        _ = try importer.save(
            try await importer.prepare(.init(name: "api", source: specPath, baseURL: "http://127.0.0.1:9", allowPrivateNetwork: true)))
        _ = try store.createServer(name: "s", basePath: "s", apiName: "api", operations: nil)
        gateway.reload()
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = gateway.makeApplication { address in portSink.yield(address?.port ?? 0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })))
        let running = Task { try await group.run() }
        var it = ports.makeAsyncIterator()
        let port = try #require(await it.next())

        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/s/sse")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        var body = response.body.makeAsyncIterator()
        let first = try #require(try await body.next())
        #expect(String(buffer: first).contains("event: endpoint"))

        await group.triggerGracefulShutdown()
        try await running.value
        // The stream ended cleanly (no more bytes), rather than the process hanging on it.
        while try await body.next() != nil {}
    }
}
