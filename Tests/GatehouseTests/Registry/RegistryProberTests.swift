import Foundation
import Testing

@testable import GatewayEngine
@testable import Store

@Suite("Registry probes", .serialized)
struct RegistryProberTests {
    @Test("the schedule: new and changed targets are due at once, then an interval (jittered within bounds) later")
    func schedule() {
        let clock = TestClock()
        var s = ProbeSchedule<TestClock.Instant>(interval: .seconds(300), jitter: 0.1)
        let t0 = clock.now
        s.update(["a": "1", "b": "1"], now: t0)
        #expect(s.takeDue(now: t0) == ["a", "b"])
        #expect(s.takeDue(now: t0).isEmpty, "running targets are not due again")
        s.finished("a", signature: "1", now: t0, random: 0)
        s.finished("b", signature: "1", now: t0, random: 1)
        #expect(s.nextDue == t0.advanced(by: .seconds(270)), "1 - jitter at the low end")
        #expect(s.takeDue(now: t0.advanced(by: .seconds(269))).isEmpty)
        #expect(s.takeDue(now: t0.advanced(by: .seconds(270))) == ["a"])
        #expect(s.takeDue(now: t0.advanced(by: .seconds(330))) == ["b"], "1 + jitter at the high end")
        s.finished("a", signature: "1", now: t0, random: 0.5)
        s.update(["a": "2", "b": "1"], now: t0.advanced(by: .seconds(1)))
        #expect(s.takeDue(now: t0.advanced(by: .seconds(1))) == ["a"], "a changed target is due at once")
        s.finished("a", signature: "1", now: t0, random: 0.5)
        #expect(s.nextDue == t0.advanced(by: .seconds(1)), "a probe of the old settings leaves the changed target due")
        #expect(s.update(["b": "1"], now: t0) == ["a"], "a vanished target is dropped")
    }

    @Test("probes classify what answers: reachable with its tools, auth-required, not-mcp, unreachable")
    func classification() async throws {
        let server = try await TestMCPServer.start(.up(tools: ["x", "y"]))
        defer { server.stop() }
        let g = try await TestGateway.start { $0.registry.probing = false }
        defer { g.stop() }
        let admin = RegistryAdmin(store: g.store)
        try admin.add(try RegistryAdmin.document(for: .init(name: "com.example/probe", url: server.url)), .init(allowPrivateNetwork: true))
        func probe() async throws -> RegistryAdmin.ProbeOutcome {
            try #require(try await admin.probe("com.example/probe", timeout: .seconds(5)).first)
        }
        var o = try await probe()
        #expect(o.state == .reachable && o.toolCount == 2 && o.change == "first probe: reachable")
        #expect(o.detail?.contains("test-mcp 1.0") == true)
        server.set(.authRequired)
        #expect(try await probe().state == .authRequired)
        server.set(.html)
        #expect(try await probe().state == .notMCP)
        server.set(.down)
        o = try await probe()
        #expect(o.state == .unreachable && o.change == "state: not-mcp → unreachable")

        // Without permission the SSRF guard refuses loopback: unreachable, and nothing was sent.
        try admin.update(name: "com.example/probe", version: nil, document: nil) { $0.allowPrivateNetwork = false }
        server.set(.up(tools: ["x"]))
        o = try await probe()
        #expect(o.state == .unreachable && o.detail?.contains("private") == true, "\(o.detail ?? "")")
    }

    @Test("the prober probes at start and on change, then on its clock; health changes are events, history rows and gauges", .timeLimit(.minutes(1)))
    func prober() async throws {
        let server = try await TestMCPServer.start(.up(tools: ["a", "b"]))
        defer { server.stop() }
        let g = try await TestGateway.start {
            $0.registry.probing = false
            $0.registry.probeJitter = 0
        }
        defer { g.stop() }
        let registry = g.gateway.registry
        let clock = TestClock()
        var events = registry.probeEvents().makeAsyncIterator()
        let prober = Task { try await RegistryProber(registry: registry, clock: clock, random: { 0.5 }).run() }
        defer { prober.cancel() }

        try RegistryAdmin(store: g.store).add(
            try RegistryAdmin.document(for: .init(name: "com.example/live", url: server.url)), .init(allowPrivateNetwork: true))
        let first = try #require(await events.next())
        #expect(first.target == "external:com.example/live" && first.state == .reachable && first.change == "first probe: reachable")

        server.set(.down)
        await clock.waitForSleeper(until: clock.now.advanced(by: .seconds(300))) // one interval (unjittered here) away
        clock.advance(by: .seconds(300))
        let down = try #require(await events.next())
        #expect(down.state == .unreachable && down.change == "state: reachable → unreachable")
        let list = try await send("http://127.0.0.1:\(g.port)/v0.1/servers", method: "GET", json: false)
        let item = try #require(list.json?["servers"]?.arrayValue?.first { $0["server"]?["name"] == "com.example/live" })
        #expect(item["server"]?["_meta"]?[RegistryMeta.key]?["health"]?["state"] == "unreachable")
        #expect(item["server"]?["_meta"]?[RegistryMeta.key]?["health"]?["toolCount"] == .int(2))
        let metrics = try await send("http://127.0.0.1:\(g.port)/metrics", method: "GET", json: false)
        #expect(metrics.body.contains(#"gatehouse_registry_entry_up{name="com.example/live"} 0.0"#))

        server.set(.up(tools: ["a", "b", "c"]))
        await clock.waitForSleeper()
        clock.advance(by: .seconds(300))
        let back = try #require(await events.next())
        #expect(back.state == .reachable && back.change == "state: unreachable → reachable; tools changed: 2 → 3")
        #expect(g.gateway.monitor.recentEvents(limit: 50).contains { $0.message.contains("'com.example/live' changed its tool list (2 → 3 tools)") })
        let history = try g.store.healthHistory(target: "external:com.example/live")
        #expect(history.map(\.state) == [.reachable, .unreachable, .reachable])
        let up = try await send("http://127.0.0.1:\(g.port)/metrics", method: "GET", json: false)
        #expect(up.body.contains(#"gatehouse_registry_entry_up{name="com.example/live"} 1.0"#))

        // A probe that hangs never holds the list endpoint up: it answers from the last recorded health.
        server.set(.hang)
        await clock.waitForSleeper()
        clock.advance(by: .seconds(300))
        await server.waitUntilHeld()
        let during = try await send("http://127.0.0.1:\(g.port)/v0.1/servers?search=live", method: "GET", json: false)
        #expect(during.status == 200)
        #expect(during.json?["servers"]?[0]?["server"]?["_meta"]?[RegistryMeta.key]?["health"]?["state"] == "reachable")
        server.set(.up(tools: ["a", "b", "c"]))
        server.release()
        let after = try #require(await events.next())
        #expect(after.state == .reachable && after.change == nil)
    }
}

extension JSONValue {
    /// Element lookup on arrays, for tests.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
