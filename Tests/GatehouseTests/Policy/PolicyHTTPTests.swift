import Foundation
import GRDB
import Store
import Testing

@testable import GatewayEngine

/// Policies over real HTTP: a gateway on an ephemeral port, a real backend, counters exercised by real requests.
@Suite("Policies over HTTP", .serialized)
struct PolicyHTTPTests {
    static func call(_ tool: String = "getPetById", id: Int = 3, arguments: String = #"{"petId":7}"#) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#
    }

    /// Sets a policy document and makes the gateway serve it now.
    static func setPolicy(_ g: TestGateway, _ scope: String, _ yaml: String) throws {
        try g.store.setPolicy(scope: scope, document: yaml)
        g.gateway.reload()
    }

    @Test("rate-limit-by-key: N+1 gets 429 with RateLimit headers and a Retry-After after which a call passes (R1)")
    func rateLimitRetryAfter() async throws {
        let clock = ManualClock()
        let g = try await TestGateway.start(clock: clock.policyClock)
        defer { g.stop() }
        try Self.setPolicy(g, "server:pets", "inbound:\n  - rate-limit-by-key: { calls: 2, renewal-period: 30, counter-key: client-ip }")
        let sid = try await initialize(g)
        let hits = g.backend.hitCount
        for i in 0..<2 {
            let ok = try await send(g.url, body: Self.call(id: i), headers: ["Mcp-Session-Id": sid])
            #expect(ok.status == 200 && ok.headers["ratelimit-limit"] == "2" && ok.headers["ratelimit-remaining"] == "\(1 - i)")
        }
        clock.advance(seconds: 5)
        let refused = try await send(g.url, body: Self.call(id: 9), headers: ["Mcp-Session-Id": sid])
        #expect(refused.status == 429)
        #expect(refused.headers["retry-after"] == "25")
        #expect(refused.headers["ratelimit-remaining"] == "0")
        #expect(refused.json?["id"] == .int(9))
        #expect(refused.json?["error"]?["data"]?["policy"] == .string("rate-limit-by-key"))
        #expect(g.backend.hitCount == hits + 2, "a refused call never reaches the backend")
        // Other methods are not counted by default.
        #expect(try await send(g.url, body: #"{"jsonrpc":"2.0","id":4,"method":"tools/list"}"#, headers: ["Mcp-Session-Id": sid]).status == 200)
        clock.advance(seconds: 24)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 429)
        clock.advance(seconds: 1)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200)
        let record = try #require(g.gateway.monitor.recentRecords(limit: 20).first { $0.status == 429 })
        #expect(record.decisions.contains { $0.hasPrefix("rate-limit-by-key@server:pets refused") })
        // A refused call keeps what it asked for, so an operator sees which tool was throttled.
        #expect(record.method == "tools/call" && record.tool == "getPetById" && record.outcome == .rejected)
        let metrics = String(decoding: g.gateway.monitor.prometheusText(), as: UTF8.self)
        #expect(metrics.contains(#"gatehouse_policy_rejections_total{policy="rate-limit-by-key",scope="server:pets"} "#))
    }

    @Test("2N concurrent tool calls with limit N: exactly N pass (R2)")
    func concurrentExactness() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.setPolicy(
            g, "tool:pets/getPetById", "inbound:\n  - rate-limit-by-key: { calls: 20, renewal-period: 300, counter-key: fixed-bucket }")
        let sid = try await initialize(g)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<40 { group.addTask { try await send(g.url, body: Self.call(id: i), headers: ["Mcp-Session-Id": sid]).status } }
            var out: [Int] = []
            for try await s in group { out.append(s) }
            return out
        }
        #expect(statuses.filter { $0 == 200 }.count == 20)
        #expect(statuses.filter { $0 == 429 }.count == 20)
    }

    @Test("counter keys are isolated and a missing header falls back to the client address, never to no limit (R4)")
    func keyIsolation() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.setPolicy(g, "server:pets", "inbound:\n  - rate-limit-by-key: { calls: 1, renewal-period: 60, counter-key: 'header:x-user' }")
        let sid = try await initialize(g)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid, "X-User": "a"]).status == 200)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid, "X-User": "a"]).status == 429)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid, "X-User": "b"]).status == 200)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 429, "no header: keyed by address")
    }

    @Test("increment-condition success: failing calls do not consume the limit (R5)")
    func incrementCondition() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.setPolicy(g, "server:pets", "inbound:\n  - rate-limit-by-key: { calls: 1, renewal-period: 60, increment-condition: success }")
        let sid = try await initialize(g)
        for i in 0..<3 {
            let miss = try await send(g.url, body: Self.call(id: i, arguments: #"{"petId":-1}"#), headers: ["Mcp-Session-Id": sid])
            #expect(miss.status == 200 && miss.json?["result"]?["isError"] == .bool(true))
        }
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 429)
    }

    @Test("quota: 403 with Retry-After, survives a restart, counts a key once across scopes, resets at the boundary (Q1, Q2)")
    func quotaPersistence() async throws {
        let clock = ManualClock()
        let dir = TempDir()
        let quota = "inbound:\n  - quota-by-key: { calls: 3, renewal-period: 3600, counter-key: shared }"
        do {
            let g = try await TestGateway.start(clock: clock.policyClock, directory: dir)
            defer { g.stop() }
            try Self.setPolicy(g, "server:pets", quota)
            try Self.setPolicy(g, "tool:pets/getPetById", quota)
            let sid = try await initialize(g)
            #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200)
            #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200)
            let counters = try g.store.quotaCounters()
            #expect(counters.count == 1 && counters[0].count == 2, "one counter, incremented once per request")
        }
        let g = try await TestGateway.start(clock: clock.policyClock, directory: dir, seed: false)
        defer { g.stop() }
        let sid = try await initialize(g)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200)
        let refused = try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid])
        #expect(refused.status == 403)
        let wait = try #require(refused.headers["retry-after"].flatMap(Int.init))
        #expect(wait >= 1 && wait <= 3600)
        #expect(try g.store.quotaCounters()[0].count == 3, "a refused call is not counted")
        clock.advance(seconds: Double(wait - 1))
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 403)
        clock.advance(seconds: 1)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200, "the window renewed")
    }

    @Test("a quota with renewal-period 0 never renews")
    func quotaNeverRenews() async throws {
        let clock = ManualClock()
        let g = try await TestGateway.start(clock: clock.policyClock)
        defer { g.stop() }
        try Self.setPolicy(g, "global", "inbound:\n  - quota-by-key: { calls: 1, renewal-period: 0 }")
        let sid = try await initialize(g)
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200)
        clock.advance(seconds: 86_400 * 400)
        let refused = try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid])
        #expect(refused.status == 403 && refused.headers["retry-after"] == nil)
    }

    @Test("a locked counter store: quota fails closed, rate limit keeps working, both reported (R7)")
    func storeFailure() async throws {
        let g = try await TestGateway.start(busyTimeout: 0.05)
        defer { g.stop() }
        try Self.setPolicy(g, "tool:pets/getPetById", "inbound:\n  - quota-by-key: { calls: 100, renewal-period: 60 }")
        try Self.setPolicy(g, "tool:pets/echo", "inbound:\n  - rate-limit-by-key: { calls: 100, renewal-period: 60 }")
        let sid = try await initialize(g)
        // Another connection holds the write lock until told to let go.
        let blocker = try DatabaseQueue(path: g.dir.path + "/gatehouse.sqlite")
        let (locked, lockedSignal) = AsyncStream.makeStream(of: Void.self)
        let release = DispatchSemaphore(value: 0)
        let holder = Task.detached {
            try blocker.inDatabase { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                lockedSignal.yield()
                release.wait()
                try db.execute(sql: "ROLLBACK")
            }
        }
        var it = locked.makeAsyncIterator()
        _ = await it.next()
        let refused = try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid])
        #expect(refused.status == 503)
        #expect(refused.json?["error"]?["data"]?["policy"] == .string("quota-by-key"))
        let echo = try await send(g.url, body: Self.call("echo", arguments: #"{"value":"x"}"#), headers: ["Mcp-Session-Id": sid])
        #expect(echo.status == 200)
        release.signal()
        try await holder.value
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200)
        let metrics = String(decoding: g.gateway.monitor.prometheusText(), as: UTF8.self)
        #expect(metrics.contains(#"gatehouse_policy_store_failures_total{policy="quota-by-key"} 1"#))
    }

    @Test("ip-filter: allow and forbid lists, IPv4-mapped addresses, spoofed X-Forwarded-For (I1, I2)")
    func ipFilter() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.setPolicy(g, "tool:pets/echo", "inbound:\n  - ip-filter: { action: forbid, addresses: ['::ffff:127.0.0.1'] }")
        let sid = try await initialize(g)
        let refused = try await send(g.url, body: Self.call("echo", arguments: #"{"value":"x"}"#), headers: ["Mcp-Session-Id": sid])
        #expect(refused.status == 403 && refused.json?["error"]?["data"]?["policy"] == .string("ip-filter"))
        #expect(try await send(g.url, body: Self.call(), headers: ["Mcp-Session-Id": sid]).status == 200, "other tools are not filtered")
        // Server scope: every request, initialize included; a spoofed header from an untrusted peer changes nothing.
        try Self.setPolicy(g, "server:pets", "inbound:\n  - ip-filter: { action: allow, addresses: [203.0.113.0/24] }")
        let spoofed = try await send(g.url, body: initializeBody, headers: ["X-Forwarded-For": "203.0.113.5"])
        #expect(spoofed.status == 403)
        // With the peer trusted as a proxy, the forwarded address decides.
        try Self.setPolicy(
            g, "server:pets", "inbound:\n  - ip-filter: { action: allow, addresses: [203.0.113.0/24], trusted-proxies: [127.0.0.1] }")
        #expect(try await send(g.url, body: initializeBody, headers: ["X-Forwarded-For": "203.0.113.5"]).status == 200)
        #expect(try await send(g.url, body: initializeBody, headers: ["X-Forwarded-For": "198.51.100.1"]).status == 403)
    }

    @Test("check-header refuses requests without the header or with a wrong value")
    func checkHeader() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.setPolicy(
            g, "server:pets",
            "inbound:\n  - check-header: { name: X-Client, values: [alpha, beta], ignore-case: true, failed-check-httpcode: 401, failed-check-error-message: 'unknown client' }"
        )
        #expect(try await send(g.url, body: initializeBody).status == 401)
        #expect(try await send(g.url, body: initializeBody, headers: ["X-Client": "gamma"]).status == 401)
        let ok = try await send(g.url, body: initializeBody, headers: ["X-Client": "ALPHA"])
        #expect(ok.status == 200)
        // Refused before the body was parsed, the record still says what was asked: method, tool, masked arguments.
        let call = Self.call("echo", arguments: #"{"value":"x","apiKey":"sk-live-0123456789abcdef"}"#)
        #expect(try await send(g.url, body: call, headers: ["X-Client": "gamma"]).status == 401)
        let record = try #require(g.gateway.monitor.recentRecords(limit: 5).first)
        #expect(record.status == 401 && record.method == "tools/call" && record.tool == "echo" && record.toolIsKnown)
        #expect(record.arguments?["value"] == .string("x"))
        #expect(record.arguments?["apiKey"] != .string("sk-live-0123456789abcdef"), "arguments are masked")
        let metrics = String(decoding: g.gateway.monitor.prometheusText(), as: UTF8.self)
        #expect(metrics.contains(#"tool="echo",method="tools/call",outcome="rejected""#))
    }

    @Test("set-header reaches the backend; the client's Authorization, cookies and subscription key never do (A18)")
    func setHeaderAndNoPassthrough() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let (_, key) = try SubscriptionKeys(store: g.store).create(name: "acme", servers: nil, expiresAt: nil)
        try Self.setPolicy(
            g, "server:pets",
            "inbound:\n  - set-header: { name: X-Caller, value: 'sub={{subscription}} ip={{client-ip}}' }\n  - set-header: { name: Accept, exists-action: delete }"
        )
        let headers = ["Gatehouse-Subscription-Key": key, "Authorization": "Bearer client-token-CANARY", "Cookie": "session=CANARY"]
        let sid = try #require(try await send(g.url, body: initializeBody, headers: headers).headers["mcp-session-id"])
        var h = headers
        h["Mcp-Session-Id"] = sid
        #expect(try await send(g.url, body: Self.call(), headers: h).status == 200)
        let received = try #require(g.backend.receivedHeaders.last)
        #expect(received["x-caller"] == "sub=acme ip=127.0.0.1")
        #expect(received["accept"] == nil)
        #expect(
            !received.values.contains { $0.contains("CANARY") } && received["gatehouse-subscription-key"] == nil && received["authorization"] == nil)
    }

    @Test("cache: per-principal entries, errors never stored, no cache without both policies (C1, C2, C3)")
    func cacheIsolation() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let (_, keyA) = try SubscriptionKeys(store: g.store).create(name: "a", servers: nil, expiresAt: nil)
        let (_, keyB) = try SubscriptionKeys(store: g.store).create(name: "b", servers: nil, expiresAt: nil)
        try Self.setPolicy(g, "server:pets", "inbound:\n  - cache-lookup: {}\noutbound:\n  - cache-store: { duration: 60 }")
        func session(_ key: String) async throws -> [String: String] {
            let sid = try #require(
                try await send(g.url, body: initializeBody, headers: ["Gatehouse-Subscription-Key": key]).headers["mcp-session-id"])
            return ["Gatehouse-Subscription-Key": key, "Mcp-Session-Id": sid]
        }
        let a = try await session(keyA)
        let b = try await session(keyB)
        let start = g.backend.hitCount
        #expect(try await send(g.url, body: Self.call(), headers: a).status == 200)
        #expect(
            try await send(g.url, body: Self.call(), headers: a.merging(["X-Forwarded-Host": "evil", "Accept-Language": "xx"]) { $1 }).status == 200)
        #expect(g.backend.hitCount == start + 1, "A's second call is a hit, whatever unkeyed headers say")
        #expect(try await send(g.url, body: Self.call(), headers: b).status == 200)
        #expect(g.backend.hitCount == start + 2, "B never sees A's entry")
        for _ in 0..<2 { _ = try await send(g.url, body: Self.call(arguments: #"{"petId":-5}"#), headers: a) }
        #expect(g.backend.hitCount == start + 4, "error results are not cached")
        // A public cache-lookup shares entries.
        try Self.setPolicy(g, "server:pets", "inbound:\n  - cache-lookup: { public: true }\noutbound:\n  - cache-store: { duration: 60 }")
        _ = try await send(g.url, body: Self.call(arguments: #"{"petId":8}"#), headers: a)
        _ = try await send(g.url, body: Self.call(arguments: #"{"petId":8}"#), headers: b)
        #expect(g.backend.hitCount == start + 5)
    }

    @Test("subscriptions: required, invalid, suspended, expired, out of scope, and sessions bound to the principal")
    func subscriptions() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let keys = SubscriptionKeys(store: g.store)
        let (_, good) = try keys.create(name: "good", servers: ["pets"], expiresAt: nil)
        let (_, other) = try keys.create(name: "other", servers: nil, expiresAt: nil)
        let (_, paused) = try keys.create(name: "paused", servers: nil, expiresAt: nil)
        try g.store.updateSubscription(named: "paused", state: .suspended)
        let (_, old) = try keys.create(name: "old", servers: nil, expiresAt: Date().addingTimeInterval(-1))
        _ = try g.store.createServer(name: "elsewhere", basePath: "elsewhere", apiName: "petstore", operations: nil)
        try g.store.setServerRequiresSubscription(named: "pets", true)
        g.gateway.reload()
        let missing = try await send(g.url, body: initializeBody)
        #expect(missing.status == 401 && missing.json?["error"]?["message"]?.stringValue?.contains("missing subscription key") == true)
        #expect(try await send(g.url, body: initializeBody, headers: ["Gatehouse-Subscription-Key": "ghk_wrong"]).status == 401)
        #expect(try await send(g.url, body: initializeBody, headers: ["Gatehouse-Subscription-Key": paused]).status == 403)
        #expect(try await send(g.url, body: initializeBody, headers: ["Gatehouse-Subscription-Key": old]).status == 403)
        let elsewhere = "http://127.0.0.1:\(g.port)/elsewhere/mcp"
        #expect(try await send(elsewhere, body: initializeBody, headers: ["Gatehouse-Subscription-Key": good]).status == 403, "key scoped to pets")
        #expect(try await send(elsewhere, body: initializeBody).status == 200, "elsewhere does not require a key")
        let opened = try await send(g.url, body: initializeBody, headers: ["Gatehouse-Subscription-Key": good])
        let sid = try #require(opened.headers["mcp-session-id"])
        let ping = #"{"jsonrpc":"2.0","id":5,"method":"ping"}"#
        #expect(try await send(g.url, body: ping, headers: ["Gatehouse-Subscription-Key": good, "Mcp-Session-Id": sid]).status == 200)
        let hijack = try await send(g.url, body: ping, headers: ["Gatehouse-Subscription-Key": other, "Mcp-Session-Id": sid])
        #expect(hijack.status == 404, "another principal's session is unknown to this one")
        // Rotation: the old key stops at once.
        let rotated = try keys.rotate(name: "good")
        g.gateway.reload()
        #expect(try await send(g.url, body: ping, headers: ["Gatehouse-Subscription-Key": good, "Mcp-Session-Id": sid]).status == 401)
        #expect(try await send(g.url, body: initializeBody, headers: ["Gatehouse-Subscription-Key": rotated]).status == 200)
        #expect(try g.store.subscriptions().allSatisfy { !$0.keyHash.contains(good) && $0.keyHash.count == 64 })
    }

    @Test("a stored document that no longer parses closes its server (fail closed) and the reload says why")
    func brokenDocumentFailsClosed() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        try await g.store.dbPool.write { db in
            try db.execute(
                sql: "INSERT INTO policy(scope, document, updatedAt) VALUES ('server:pets', 'inbound: [ {frobnicate: {}} ]', ?)", arguments: [Date()])
        }
        g.gateway.reload()
        let reply = try await send(g.url, body: initializeBody)
        #expect(reply.status == 503 && reply.body.contains("frobnicate"))
        #expect(g.gateway.monitor.recentEvents(limit: 50).contains { $0.message.contains("policy server:pets") })
    }
}
