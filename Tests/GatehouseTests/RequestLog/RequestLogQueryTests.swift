import Foundation
import Testing

@testable import GatewayEngine
@testable import Store

@Suite("Request log: queries, stats, retention and the records a real call leaves", .serialized)
struct RequestLogQueryTests {
    @Test("stats: counts, errors, rejections and nearest-rank percentiles per group, and per time bucket")
    func stats() throws {
        let dir = TempDir()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/log.sqlite"))
        let base = Date(timeIntervalSince1970: 1_796_299_980) // a whole minute
        var rows: [RequestLogRecord.New] = []
        // Tool a: latencies 1…100 ms, one record per second from base; every 10th is a tool error, every 25th rejected.
        for i in 1...100 {
            let outcome = i % 25 == 0 ? "rejected" : i % 10 == 0 ? "tool_error" : "ok"
            rows.append(
                .init(
                    time: base.addingTimeInterval(Double(i - 1)), server: "pets", client: "127.0.0.1", method: "tools/call", tool: "a",
                    outcome: outcome,
                    status: outcome == "rejected" ? 429 : 200, backendStatus: nil, latencyMicros: Int64(i) * 1000, bytesIn: 1, bytesOut: 1, error: nil
                ))
        }
        // Tool b: three calls of 5 ms.
        for i in 0..<3 {
            rows.append(
                .init(
                    time: base.addingTimeInterval(Double(i)), server: "pets", client: "127.0.0.1", method: "tools/call", tool: "b", outcome: "ok",
                    status: 200, backendStatus: nil, latencyMicros: 5000, bytesIn: 1, bytesOut: 1, error: nil))
        }
        try store.appendRequestLogs(rows)
        let now = base.addingTimeInterval(200)
        let byTool = try store.requestLogStats(.all, by: .tool, now: now)
        #expect(byTool.map(\.group) == ["a", "b"], "most calls first")
        let a = byTool[0]
        #expect(a.calls == 100)
        #expect(a.errors == 10 + 4 - 2, "tool errors at 10, 20, …, 100 and rejections at 25, 50, 75, 100; 50 and 100 are both")
        #expect(a.rejected == 4)
        #expect(a.p50 == 50_000 && a.p95 == 95_000 && a.p99 == 99_000 && a.max == 100_000)
        #expect(byTool[1].calls == 3 && byTool[1].p99 == 5000)

        let perMinute = try store.requestLogStats(try RequestLogFilter(parsing: "tool:a"), by: .tool, every: 60, now: now)
        #expect(perMinute.map(\.calls) == [60, 40])
        #expect(perMinute.map(\.bucket) == [base, base.addingTimeInterval(60)])
        #expect(perMinute[1].p50 == 80_000, "the second minute holds 61…100 ms")

        let refused = try store.requestLogStats(try RequestLogFilter(parsing: "status:rejected"), by: .code, now: now)
        #expect(refused.map(\.group) == ["http 429"] && refused[0].calls == 4)

        // The latency histogram: 1…100 ms into 1-2-5 buckets (≤1 ms: 1; ≤2: 1; ≤5: 3; ≤10: 5; ≤20: 10; ≤50: 30; ≤100: 50).
        let bounds = RequestLogStats.latencyBounds
        #expect(a.latencyBuckets.count == bounds.count + 1 && a.latencyBuckets.reduce(0, +) == 100)
        func count(atMost micros: Int64) -> Int { a.latencyBuckets[bounds.firstIndex(of: micros)!] }
        #expect([1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000].map(count(atMost:)) == [1, 1, 3, 5, 10, 30, 50])
        #expect(byTool[1].latencyBuckets[bounds.firstIndex(of: 5_000)!] == 3, "5 ms exactly is in the ≤5 ms bucket")
    }

    @Test("stats by policy: a record counts in every policy it went through, refused only in the one that refused it")
    func statsByPolicy() throws {
        let dir = TempDir()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/log.sqlite"))
        let now = Date()
        func record(_ outcome: String, _ decisions: [String], status: Int = 200, micros: Int64 = 1000) -> RequestLogRecord.New {
            .init(
                time: now.addingTimeInterval(-10), server: "pets", client: "127.0.0.1", method: "tools/call", tool: "getPet", outcome: outcome,
                status: status, backendStatus: nil, latencyMicros: micros, bytesIn: 1, bytesOut: 1, error: nil,
                decisions: decisions.isEmpty ? nil : decisions.joined(separator: "\n"))
        }
        let ip = "ip-filter@global allowed 127.0.0.1"
        try store.appendRequestLogs([
            record("ok", [ip, "rate-limit-by-key@server:pets counted 1/5"]),
            record("ok", [ip, "rate-limit-by-key@server:pets counted 2/5", "cache-lookup@tool:pets/getPet hit"]),
            record("rejected", [ip, "rate-limit-by-key@server:pets refused (retry after 3 s)"], status: 429),
            record("rejected", ["subscription bot accepted", "ip-filter@global refused 10.0.0.9"], status: 403),
            record("invalid_params", [ip, "rate-limit-by-key@server:pets counted 3/5"]),
            record("ok", []),
        ])
        let stats = Dictionary(uniqueKeysWithValues: try store.requestLogStats(.all, by: .policy, now: now).map { ($0.group, $0) })
        #expect(Set(stats.keys) == ["ip-filter@global", "rate-limit-by-key@server:pets", "cache-lookup@tool:pets/getPet", "(no policy)"])
        let ipFilter = try #require(stats["ip-filter@global"])
        #expect(ipFilter.calls == 5 && ipFilter.rejected == 1 && ipFilter.refusedElsewhere == 1 && ipFilter.clientErrors == 1)
        let limit = try #require(stats["rate-limit-by-key@server:pets"])
        #expect(limit.calls == 4 && limit.rejected == 1 && limit.refusedElsewhere == 0 && limit.clientErrors == 1)
        #expect(stats["cache-lookup@tool:pets/getPet"]?.calls == 1)
        #expect(stats["(no policy)"]?.calls == 1 && stats["(no policy)"]?.rejected == 0)
    }

    @Test("paging back with before, following with after, and retention by age")
    func pagingAndRetention() throws {
        let dir = TempDir()
        var config = StoreConfiguration(path: dir.path + "/log.sqlite")
        config.requestLogMaxAge = 3600
        let store = try GatewayStore(configuration: config)
        let now = Date()
        let rows = (0..<10).map { i in
            RequestLogRecord.New(
                time: now.addingTimeInterval(-Double(i) * 1000), server: "s", client: "c", method: "m", tool: nil, outcome: "ok", status: 200,
                backendStatus: nil, latencyMicros: 1, bytesIn: 0, bytesOut: 0, error: nil)
        }
        try store.appendRequestLogs(rows)
        // 0, 1000, 2000 and 3000 s old are kept; the rest is older than an hour.
        #expect(try store.requestLogCount() == 4)
        let first = try store.queryRequestLog(.all, limit: 2)
        let next = try store.queryRequestLog(.all, limit: 2, before: try #require(first.last?.id))
        #expect(Set(first.map(\.id)).isDisjoint(with: next.map(\.id)) && next.count == 2)
        #expect(try store.queryRequestLog(.all, limit: 10, after: try #require(next.first?.id)).map(\.id) == first.map(\.id))
        var exported: [Int64] = []
        try store.forEachRequestLog(.all, page: 3) { r in
            exported.append(r.id)
            return true
        }
        #expect(exported == (first + next).map(\.id).sorted(), "oldest first, across pages")
    }

    @Test("a real session's records carry transport, revision, client, JSON-RPC code; the CLI queries them")
    func realCalls() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let sid = try await initialize(g)
        _ = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"getPetById","arguments":{"petId":7}}}"#,
            headers: ["mcp-session-id": sid, "MCP-Protocol-Version": "2025-11-25"])
        let unknown = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"nope","arguments":{}}}"#,
            headers: ["mcp-session-id": sid, "MCP-Protocol-Version": "2025-11-25"])
        #expect(unknown.json?["error"]?["code"] == .int(-32602))
        let writer = RequestLogWriter(monitor: g.gateway.monitor, store: g.store, logger: .init(label: "test"))
        let deadline = ContinuousClock.now + .seconds(10)
        while try g.store.requestLogCount() < 3, ContinuousClock.now < deadline {
            writer.flush()
            await Task.yield()
        }
        let ok = try #require(try g.store.queryRequestLog(try RequestLogFilter(parsing: "tool:getPet* status:ok")).first)
        #expect(ok.clientName == "swift-test" && ok.clientVersion == "1")
        #expect(ok.protocolVersion == "2025-11-25" && ok.transport == "streamable")
        #expect(ok.backendMicros != nil && ok.backendStatus == 200 && ok.rpcCode == nil)
        let failed = try g.store.queryRequestLog(try RequestLogFilter(parsing: "code:-32602 client:SWIFT*"))
        #expect(failed.map(\.tool) == ["nope"])

        try #require(FileManager.default.isExecutableFile(atPath: gatehouseBinary), "build the gatehouse product first")
        let db = g.dir.path + "/gatehouse.sqlite"
        let query = try runProgram(gatehouseBinary, ["logs", "query", "--db", db, "--json", "code:-32602"])
        #expect(query.status == 0, "\(query.err)")
        let lines = query.out.split(separator: "\n")
        #expect(lines.count == 1)
        let line = try JSONParser().parse(Array(lines[0].utf8))
        #expect(line["tool"] == "nope" && line["rpcCode"] == .int(-32602) && line["clientName"] == "swift-test" && line["authMethod"] == "none")
        let stats = try runProgram(gatehouseBinary, ["logs", "stats", "--db", db, "--by", "tool", "--json", "method:tools/call"])
        let groups = try JSONParser().parse(Array(stats.out.utf8)).arrayValue ?? []
        #expect(Set(groups.compactMap { $0["group"]?.stringValue }) == ["getPetById", "nope"], "\(stats.out)\(stats.err)")
        let bad = try runProgram(gatehouseBinary, ["logs", "query", "--db", db, "latency>soon"])
        #expect(bad.status == 1 && bad.err == "error: column 1: 'latency>soon': 'soon' is not a latency: use a number with us, ms or s (500ms, 2s)\n")
        let csv = try runProgram(gatehouseBinary, ["logs", "query", "--db", db, "--csv", "tool:nope"])
        #expect(csv.out.hasPrefix(LogCSVHeader.text) && csv.out.contains(",nope,"))
    }
}

/// The CLI's CSV header, as documented.
enum LogCSVHeader {
    static let text =
        "id,time,server,method,tool,transport,protocol_version,client_name,client_version,client_address,principal,auth_method,outcome,rpc_code,is_error,http_status,backend_status,latency_ms,backend_ms,cache_hit,bytes_in,bytes_out,error\n"
}
