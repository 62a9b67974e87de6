import Foundation
import Testing

@testable import GatewayEngine

/// Issue #13 item 8: a `pattern` a backtracking engine cannot bound is never evaluated on the request path.
@Suite("Hardening: ReDoS through pattern", .serialized)
struct PatternReDoSTests {
    @Test(
        "nested quantifiers and backreferences are refused; ordinary patterns are kept",
        arguments: [
            ("^(a+)+$", false), ("(a*)*b", false), ("^(\\d{1,3}){2,}$", false), ("(x)\\1", false), ("^([a-z]?)+$", false),
            ("^[a-z0-9-]+$", true), ("^(?:[A-Z]{2})?\\d+$", true), ("^\\d{3}-\\d{4}$", true), ("^(ab)+$", true), ("[(]+\\)", true),
        ])
    func classification(pattern: String, safe: Bool) {
        #expect((PatternSafety.problem(pattern) == nil) == safe, "\(pattern)")
    }

    @Test("a ReDoS pattern from a spec is dropped at import, and callers sending near-misses do not slow a ping")
    func redosUnderLoad() async throws {
        let spec = testSpec.replacingOccurrences(
            of: "- {name: value, in: path, required: true, schema: {type: string}}",
            with: #"- {name: value, in: path, required: true, schema: {type: string, pattern: "^(a+)+$"}}"#)
        #expect(spec != testSpec)
        let g = try await TestGateway.start(spec: spec)
        defer { g.stop() }
        let sid = try await initialize(g)
        let list = try await send(g.url, body: #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, headers: ["mcp-session-id": sid])
        let echo = try #require(list.json?["result"]?["tools"]?.arrayValue?.first { $0["name"]?.stringValue == "echo" })
        #expect(echo["inputSchema"]?["properties"]?["value"]?["pattern"] == nil)
        #expect(echo["inputSchema"]?["properties"]?["value"]?["type"] == "string")

        // The attack: four concurrent callers, each a near-miss that costs 2^30 steps to a backtracking engine.
        let nearMiss = String(repeating: "a", count: 30) + "!"
        let body = #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"value":"\#(nearMiss)"}}}"#
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { _ = try await send(g.url, body: body, headers: ["mcp-session-id": sid]) } }
            group.addTask { try await UnboundedNamesTests.wellBehavedClient(g, deadline: .seconds(5)) }
            try await group.waitForAll()
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        // The validator alone, on a stored schema that still has the pattern (imported before this check).
        let schema = JSONValue.object(["type": .string("string"), "pattern": .string("^(a+)+$")])
        #expect(JSONSchemaValidator().validate(.string(nearMiss), against: schema).isEmpty)
    }
}
