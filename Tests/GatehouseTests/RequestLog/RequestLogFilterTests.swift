import Foundation
import Testing

@testable import Store

@Suite("Request-log filter language")
struct RequestLogFilterTests {
    @Test("terms join by AND, OR binds looser, - negates a term or a group, quotes keep spaces")
    func grammar() throws {
        #expect(try RequestLogFilter(parsing: "") == .all)
        #expect(try RequestLogFilter(parsing: "  ") == .all)
        #expect(try RequestLogFilter(parsing: "server:pets") == .text(.server, glob: "pets"))
        #expect(
            try RequestLogFilter(parsing: "server:pets tool:get* OR status:error")
                == .or([.and([.text(.server, glob: "pets"), .text(.tool, glob: "get*")]), .outcome(.error)]))
        #expect(try RequestLogFilter(parsing: "-server:pets") == .not(.text(.server, glob: "pets")))
        #expect(
            try RequestLogFilter(parsing: "-(tool:a OR tool:b) code:-32602")
                == .and([.not(.or([.text(.tool, glob: "a"), .text(.tool, glob: "b")])), .number(.code, .equal, -32602)]))
        #expect(try RequestLogFilter(parsing: #"error:"connection refused""#) == .text(.error, glob: "connection refused"))
        #expect(try RequestLogFilter(parsing: "latency>500ms") == .number(.latency, .greater, 500_000))
        #expect(try RequestLogFilter(parsing: "latency>=1.5s") == .number(.latency, .greaterOrEqual, 1_500_000))
        #expect(try RequestLogFilter(parsing: "latency<250") == .number(.latency, .less, 250_000), "a bare latency is milliseconds")
        #expect(try RequestLogFilter(parsing: "since:1h until:10m") == .and([.since(seconds: 3600), .until(seconds: 600)]))
        #expect(try RequestLogFilter(parsing: "status:429") == .number(.status, .equal, 429))
        #expect(try RequestLogFilter(parsing: "status:5xx") == .and([.number(.status, .greaterOrEqual, 500), .number(.status, .less, 600)]))
        #expect(try RequestLogFilter(parsing: "status:rejected") == .outcome(.rejected))
        #expect(try RequestLogFilter(parsing: "bytes-out>=1024") == .number(.bytesOut, .greaterOrEqual, 1024))
    }

    @Test("a precise error names the token it could not read, and its column")
    func errors() {
        func error(_ text: String) -> RequestLogFilterError? {
            do {
                _ = try RequestLogFilter(parsing: text)
                return nil
            } catch { return error }
        }
        #expect(
            error("server:pets bogus:1")?.formatted
                == "column 13: 'bogus:1': unknown key 'bogus' (keys: addr, address, backend, bytes-in, bytes-out, client, code, error, ip, latency, method, outcome, principal, server, since, status, tool, transport, until, version)"
        )
        #expect(error("pets")?.message.hasPrefix("'pets' is not a condition: write key:value") == true)
        #expect(error("latency>fast")?.message == "'latency>fast': 'fast' is not a latency: use a number with us, ms or s (500ms, 2s)")
        #expect(error("since:yesterday")?.location == "column 1")
        #expect(error("tool:>x") == nil, "the first operator splits; the value may hold others")
        #expect(error("server>pets")?.message == "'server>pets': server is text: write server:value")
        #expect(error("(tool:a")?.formatted == "column 1: '(' is not closed")
        #expect(error("tool:a)")?.formatted == "column 7: unexpected ')' (no '(' to close)")
        #expect(error("tool:a OR")?.formatted == "column 8: 'OR' needs a condition after it")
        #expect(error("OR tool:a")?.formatted == "column 1: 'OR' needs a condition before it")
        #expect(error(#"error:"open"#)?.message == #"unclosed quote in 'error:"open'"#)
        #expect(error("code:abc")?.message == "'code:abc': 'abc' is not a whole number")
        #expect(error("outcome:weird")?.message.hasPrefix("'outcome:weird': outcome is one of ok, error") == true)
        #expect(error("tool:")?.message == "'tool:' has no value after ':'")
        #expect(error("since:99999999999999999w") != nil, "an overflowing duration is refused, not wrapped")
    }

    @Test("globs are case-insensitive with * and ?; principal matches with or without its kind")
    func globs() {
        #expect(Glob.matches("get*", "getPetById"))
        #expect(Glob.matches("GET*ID", "getPetById"))
        #expect(Glob.matches("g?t*", "gotcha"))
        #expect(!Glob.matches("get", "getPet"))
        #expect(Glob.matches("*", ""))
        #expect(Glob.matches("a*b*c", "axxbyyc"))
        #expect(!Glob.matches("a*b*c", "axxbyy"))
        var r = RequestLogFields(
            time: Date(), server: "pets", client: "127.0.0.1", method: "tools/call", tool: "t", outcome: "ok", status: 200, backendStatus: nil,
            latencyMicros: 1, bytesIn: 1, bytesOut: 1, error: nil, principal: "jwt:alice")
        #expect(RequestLogFilter.text(.principal, glob: "alice").matches(r))
        #expect(RequestLogFilter.text(.principal, glob: "jwt:*").matches(r))
        #expect(!RequestLogFilter.text(.principal, glob: "subscription:*").matches(r))
        r.principal = nil
        #expect(!RequestLogFilter.text(.principal, glob: "*").matches(r), "a missing value matches nothing")
        #expect(RequestLogFilter.not(.text(.principal, glob: "*")).matches(r))
    }

    /// Records with every field varied, deterministic.
    static func records(count: Int, now: Date) -> [RequestLogFields] {
        let servers = ["pets", "zoo", "Weather_100%"]
        let tools: [String?] = ["getPetById", "listPets", "echo", nil]
        let outcomes = ["ok", "ok", "ok", "tool_error", "rpc_error", "rejected"]
        let principals: [String?] = [nil, "jwt:alice", "subscription:alice", "subscription:bob"]
        let clients: [String?] = ["claude-code", "Cursor", nil]
        return (0..<count).map { i in
            var r = RequestLogFields(
                time: now.addingTimeInterval(-Double(i * 37 % 7200)), server: servers[i % 3], client: "10.0.0.\(i % 5)",
                method: tools[i % 4] == nil ? "tools/list" : "tools/call", tool: tools[i % 4], outcome: outcomes[i % 6],
                status: [200, 200, 429, 401, 200, 503][i % 6], backendStatus: i % 2 == 0 ? 200 + (i % 3) * 100 : nil,
                latencyMicros: Int64(i * 7919 % 2_000_000), bytesIn: i * 13 % 4000, bytesOut: i * 31 % 9000,
                error: i % 6 == 5 ? "upstream 'a_b' down" : nil,
                principal: principals[i % 4])
            r.clientName = clients[i % 3]
            r.transport = i % 2 == 0 ? "streamable" : "sse"
            r.protocolVersion = ["2025-11-25", "2025-06-18", "2026-07-28"][i % 3]
            r.rpcCode = outcomes[i % 6] == "rpc_error" ? [-32602, -32601][i % 2] : nil
            return r
        }
    }

    @Test(
        "every expression selects the same records in memory and in SQLite",
        arguments: [
            "", "server:pets", "server:PETS", "server:weather_100%", "server:weather_1?0%", "tool:get*", "-tool:*", "tool:*",
            "status:error", "status:ok", "status:429", "status:4xx", "status:5xx", "outcome:rpc_error code:-32602", "code:-32601 OR code:-32602",
            "latency>500ms", "latency<=100ms status:ok", "since:1h", "until:30m", "since:1h until:30m", "principal:alice", "principal:jwt:*",
            "-principal:*", "client:claude*", "client:cursor OR -client:*", "address:10.0.0.3", "transport:sse version:2025-*",
            "backend>=300", "bytes-in>2000 bytes-out<100", "error:*a_b*", "error:*a?b*", "-(server:pets OR server:zoo) status:error",
            "(tool:echo OR tool:listPets) -status:ok latency>1s",
        ])
    func sqlMatchesMemory(expression: String) throws {
        let dir = TempDirectory()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/log.sqlite"))
        let now = Date()
        let records = Self.records(count: 300, now: now)
        try store.appendRequestLogs(records)
        let filter = try RequestLogFilter(parsing: expression)
        let stored = try store.queryRequestLog(.all, limit: 1000, now: now)
        let inMemory = Set(stored.filter { filter.matches($0, now: now) }.map(\.id))
        let bySQL = Set(try store.queryRequestLog(filter, limit: 1000, now: now).map(\.id))
        #expect(bySQL == inMemory, "\(expression): SQL \(bySQL.count), memory \(inMemory.count)")
        #expect(!inMemory.isEmpty, "\(expression) selects nothing, so the comparison proves nothing")
        #expect(expression.isEmpty || inMemory.count < stored.count, "\(expression) selects everything")
    }
}

/// A temporary directory removed when released (the Store tests' own, so this suite needs nothing of the engine's).
final class TempDirectory: Sendable {
    let path = NSTemporaryDirectory() + "gatehouse-log-" + UUID().uuidString
    init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
