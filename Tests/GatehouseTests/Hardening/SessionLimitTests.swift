import Foundation
import Testing

@testable import GatewayEngine

/// Issue #13 item 3: an `initialize` flood neither fills the session table for everyone nor starves another server.
@Suite("Hardening: session limits", .serialized)
struct SessionLimitTests {
    static let callBody = #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"getPetById","arguments":{"petId":5}}}"#

    /// Initializes on `url` as client `address` (via a trusted X-Forwarded-For); the reply.
    static func initialize(_ url: String, as address: String) async throws -> RawReply {
        try await send(url, body: initializeBody, headers: ["X-Forwarded-For": address])
    }

    /// Calls `getPetById` on an established session; true when it answered.
    static func call(_ url: String, session: String, as address: String) async throws -> Bool {
        let r = try await send(url, body: callBody, headers: ["mcp-session-id": session, "X-Forwarded-For": address])
        return r.json?["result"]?["structuredContent"] == .object(["id": 5, "name": "pet5"])
    }

    @Test("a flood is capped per address, a full table evicts the busiest server's oldest idle session, others keep theirs")
    func flood() async throws {
        let g = try await TestGateway.start(trustedProxies: ["127.0.0.1"]) { config in
            config.maxSessions = 12
            config.sessionLimits.perClientAddress = 4
        }
        defer { g.stop() }
        _ = try g.store.createServer(name: "other", basePath: "other", apiName: "petstore", operations: nil)
        let until = ContinuousClock.now + .seconds(5)
        while g.gateway.routingTable.servers["other"] == nil && ContinuousClock.now < until { await Task.yield() }
        let otherURL = "http://127.0.0.1:\(g.port)/other/mcp"
        let early = try await Self.initialize(otherURL, as: "10.9.9.9")
        let earlySession = try #require(early.headers["mcp-session-id"])
        #expect(try await Self.call(otherURL, session: earlySession, as: "10.9.9.9"))

        // The attack: 8 addresses × 6 initialize calls on `pets`, none of them used afterwards.
        var statuses: [Int: Int] = [:]
        for a in 1...8 {
            for _ in 0..<6 { statuses[try await Self.initialize(g.url, as: "10.0.0.\(a)").status, default: 0] += 1 }
        }
        #expect(statuses == [200: 32, 429: 16])
        #expect(g.gateway.sessions.count <= 12)

        // A new, well-behaved client is admitted and served within a deadline; the other server's session lives.
        let started = ContinuousClock.now
        let fresh = try await Self.initialize(g.url, as: "10.9.9.8")
        #expect(fresh.status == 200)
        let freshSession = try #require(fresh.headers["mcp-session-id"])
        #expect(try await Self.call(g.url, session: freshSession, as: "10.9.9.8"))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(try await Self.call(otherURL, session: earlySession, as: "10.9.9.9"))

        let metrics = try await send("http://127.0.0.1:\(g.port)/metrics", method: "GET", json: false).body
        #expect(metrics.contains(#"gatehouse_session_limit_total{reason="client_address"} 16"#))
        #expect(metrics.contains(#"gatehouse_session_limit_total{reason="evicted_full"} 22"#))
    }

    @Test("a session never used after initialize expires after the unused timeout; a used one does not")
    func unusedExpiry() {
        let offset = LockedBox<Duration>(.zero)
        var limits = SessionLimits()
        limits.unusedTimeout = .seconds(30)
        let registry = SessionRegistry(limits: limits, now: { .now + offset.withLock { $0 } })
        let unused = MCPSession(basePath: "p", transport: .streamable, client: "10.0.0.1", protocolVersion: "2025-11-25")
        let used = MCPSession(basePath: "p", transport: .streamable, client: "10.0.0.2", protocolVersion: "2025-11-25")
        #expect(registry.add(unused) && registry.add(used))
        #expect(registry.lookup(used.id, basePath: "p") != nil)
        offset.withLock { $0 = .seconds(31) }
        registry.sweep()
        #expect(registry.count == 1)
        #expect(registry.lookup(unused.id, basePath: "p") == nil)
        #expect(registry.lookup(used.id, basePath: "p") != nil)
    }
}
