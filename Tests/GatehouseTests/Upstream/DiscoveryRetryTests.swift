import Foundation
import Store
import Testing

@testable import GatewayEngine

/// An upstream that was down or slow when its server was first listed is listed as soon as it answers — not only
/// after the background retry half a minute later — and a call of one of its tools finds it.
@Suite("Upstreams: a failed discovery is retried on demand")
struct DiscoveryRetryTests {
    /// The tool names a fresh session on /combo lists.
    static func listedTools(_ g: TestGateway) async throws -> [String] {
        let url = "http://127.0.0.1:\(g.port)/combo/mcp"
        let opened = try await send(url, body: initializeBody)
        let sid = try #require(opened.headers["mcp-session-id"], "\(opened)")
        let reply = try await send(url, body: #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, headers: ["Mcp-Session-Id": sid])
        let tools = reply.json?.objectValue?["result"]?.objectValue?["tools"]?.arrayValue ?? []
        return tools.compactMap { $0.objectValue?["name"]?.stringValue }.sorted()
    }

    @Test("down at the first tools/list, up a moment later: the next list has its tools, without the background retry")
    func upstreamDownAtFirstList() async throws {
        let upstream = try await TestMCPServer.start(.down)
        defer { upstream.stop() }
        let g = try await TestGateway.start {
            $0.upstream.failedDiscoveryRetryOnDemand = .zero
            $0.upstream.failedDiscoveryRetry = .seconds(3600)
        }
        defer { g.stop() }
        _ = try g.store.addUpstream(.init(name: "late", transport: .streamable, url: upstream.url, allowPrivateNetwork: true))
        _ = try g.store.createServer(
            name: "combo", basePath: "combo", apiName: "petstore", operations: nil, upstreams: [ServerUpstreamSpec(upstream: "late", prefix: "late_")]
        )
        g.gateway.reload()
        #expect(try await Self.listedTools(g) == ["echo", "getPetById"])
        upstream.set(.up(tools: ["a", "b"]))
        #expect(try await Self.listedTools(g) == ["echo", "getPetById", "late_a", "late_b"])
    }

    @Test("a failed discovery is asked again only after the on-demand interval (a dead upstream is not asked on every request)")
    func onDemandInterval() async throws {
        let upstream = try await TestMCPServer.start(.down)
        defer { upstream.stop() }
        let dir = TempDir()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        let record = try store.addUpstream(.init(name: "late", transport: .streamable, url: upstream.url, allowPrivateNetwork: true))
        let hub = UpstreamHub(store: store, configuration: UpstreamConfiguration(), credentials: nil, logger: .init(label: "test"))
        hub.update(["late": record], inUse: ["late"])
        #expect(hub.needsDiscovery("late"), "never discovered")
        await #expect(throws: UpstreamError.self) { try await hub.discover("late") }
        let failed = ContinuousClock.now
        #expect(!hub.needsDiscovery("late", now: failed + .seconds(1)))
        #expect(hub.needsDiscovery("late", now: failed + .seconds(3)))
        upstream.set(.up(tools: ["a"]))
        _ = try await hub.discover("late")
        #expect(!hub.needsDiscovery("late", now: .now + .seconds(3600)), "a discovery that worked waits for the rediscovery interval")
        await hub.shutdown()
    }
}
