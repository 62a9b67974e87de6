import Foundation
import Testing

@testable import GatewayEngine

/// Issue #13 item 1: names a client chooses never become metric labels or unbounded records.
@Suite("Hardening: unbounded names", .serialized)
struct UnboundedNamesTests {
    /// A well-behaved client: initialize and call a tool, within `deadline`.
    static func wellBehavedClient(_ g: TestGateway, deadline: Duration = .seconds(10)) async throws {
        let started = ContinuousClock.now
        let sid = try await initialize(g)
        let call = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"getPetById","arguments":{"petId":3}}}"#,
            headers: ["mcp-session-id": sid])
        #expect(call.json?["result"]?["structuredContent"] == .object(["id": 3, "name": "pet3"]))
        #expect(ContinuousClock.now - started < deadline)
    }

    @Test("huge method and tool names become `other`/`unknown` labels and 128-character record fields")
    func hugeNames() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let sid = try await initialize(g)
        let huge = String(repeating: "m", count: 256 * 1024)
        // The attack: 16 unknown methods without a session, 16 on a session, 16 unknown tools (bounded count).
        for i in 0..<16 {
            let name = huge + "\(i)"
            _ = try await send(g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"\#(name)"}"#, headers: ["mcp-session-id": "nope\(i)"])
            _ = try await send(g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"\#(name)"}"#, headers: ["mcp-session-id": sid])
            _ = try await send(
                g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\#(name)","arguments":{}}}"#,
                headers: ["mcp-session-id": sid])
        }
        try await Self.wellBehavedClient(g)

        let metrics = try await send("http://127.0.0.1:\(g.port)/metrics", method: "GET", json: false)
        #expect(metrics.body.utf8.count < 64 * 1024, "metrics grew to \(metrics.body.utf8.count) bytes")
        #expect(!metrics.body.contains(String(huge.prefix(200))))
        #expect(metrics.body.contains(#"method="other""#))
        #expect(metrics.body.contains(#"tool="unknown""#))
        #expect(metrics.body.contains(#"tool="getPetById""#))
        let records = g.gateway.monitor.recentRecords(limit: 1_000)
        #expect(records.count >= 48)
        for r in records {
            #expect(r.method.count <= RecordBounds.nameCharacters)
            #expect((r.tool?.count ?? 0) <= RecordBounds.nameCharacters)
            #expect((r.error?.count ?? 0) <= RecordBounds.errorCharacters)
        }
    }

    @Test("a request refused before routing (bad Origin) leaves only a counter")
    func refusedBeforeRouting() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let before = g.gateway.monitor.recentRecords(limit: 1_000).count
        let origin = "http://" + String(repeating: "o", count: 4096) + ".example"
        for _ in 0..<8 {
            let r = try await send(g.url, body: initializeBody, headers: ["Origin": origin])
            #expect(r.status == 403)
        }
        #expect(g.gateway.monitor.recentRecords(limit: 1_000).count == before)
        let metrics = try await send("http://127.0.0.1:\(g.port)/metrics", method: "GET", json: false)
        #expect(metrics.body.contains(#"gatehouse_refused_unrouted_total{reason="host_or_origin"} 8"#))
        try await Self.wellBehavedClient(g)
    }
}
