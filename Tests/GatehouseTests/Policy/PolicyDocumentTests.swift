import Foundation
import Store
import Testing

@testable import GatewayEngine

@Suite("Policy documents")
struct PolicyDocumentTests {
    @Test("the issue's example document parses into the expected statements")
    func parsesExample() throws {
        let doc = try PolicyDocument.parse(
            yaml: """
                inbound:
                  - rate-limit-by-key: { calls: 5, renewal-period: 30, counter-key: client-ip }
                  - validate-jwt: { jwks-uri: https://idp.example/jwks.json, audiences: [https://gw.example/pets/mcp], issuers: [https://idp.example] }
                  - ip-filter: { action: allow, addresses: [10.0.0.0/8, "2001:db8::/32", 192.168.1.1-192.168.1.9] }
                  - quota-by-key: { calls: 100, renewal-period: 0, counter-key: "jwt:sub", increment-condition: success }
                  - set-header: { name: X-Tenant, value: "{{jwt:tid}}" }
                  - check-header: { name: X-Client, values: [a, b], ignore-case: true }
                  - cache-lookup: { public: true }
                outbound:
                  - cache-store: { duration: 60 }
                """)
        #expect(
            doc.inbound.map(\.kindName) == [
                "rate-limit-by-key", "validate-jwt", "ip-filter", "quota-by-key", "set-header", "check-header", "cache-lookup",
            ])
        guard case .rateLimit(let r) = doc.inbound[0] else {
            Issue.record("not a rate limit")
            return
        }
        #expect(r.calls == 5 && r.renewalPeriod == 30 && r.counterKey == .clientIP && r.methods == .toolCalls)
        guard case .quota(let q) = doc.inbound[3] else {
            Issue.record("not a quota")
            return
        }
        #expect(q.renewalPeriod == 0 && q.counterKey == .jwtClaim("sub") && q.incrementCondition == .success)
        guard case .validateJWT(let j) = doc.inbound[1] else {
            Issue.record("not validate-jwt")
            return
        }
        #expect(j.settings.audiences == ["https://gw.example/pets/mcp"] && j.authorizationServers == ["https://idp.example"])
        #expect(doc.outbound.map(\.kindName) == ["cache-store"])
    }

    @Test(
        "mistakes are refused with the exact place named",
        arguments: [
            ("inbound:\n  - rate-limit-by-key: { renewal-period: 30 }", "inbound[0].rate-limit-by-key: calls: required"),
            ("inbound:\n  - rate-limit: { calls: 0, renewal-period: 30 }", "calls: 0 is outside"),
            ("inbound:\n  - rate-limt: { calls: 1 }", "unknown policy 'rate-limt'"),
            ("inbound:\n  - rate-limit: { calls: 1, renewal-period: 5, burst: 3 }", "unknown attribute 'burst'"),
            ("outbound:\n  - rate-limit: { calls: 1, renewal-period: 5 }", "rate-limit belongs in the inbound section"),
            ("inbound:\n  - cache-store: { duration: 5 }", "cache-store belongs in the outbound section"),
            ("inbound:\n  - ip-filter: { action: allow, addresses: [10.0.0.300] }", "'10.0.0.300' is not an address"),
            ("inbound:\n  - ip-filter: { action: deny, addresses: [10.0.0.1] }", "action: expected allow or forbid"),
            ("inbound:\n  - validate-jwt: { audiences: [x] }", "openid-config, jwks-uri or keys"),
            ("inbound:\n  - validate-jwt: { jwks-uri: https://i/j, issuers: [i] }", "audiences:"),
            ("inbound:\n  - validate-jwt: { jwks-uri: 'file:///etc/passwd', audiences: [a], issuers: [i] }", "is not an http(s) URL"),
            ("inbound:\n  - set-header: { name: Host, value: evil }", "Host cannot be set"),
            ("inbound:\n  - set-header: { name: 'X-A', value: \"a\\r\\nB: c\" }", "must not contain line breaks"),
            ("inbound:\n  - set-header: { name: 'bad header', value: x }", "is not a valid header name"),
            ("inbound: {rate-limit: 1}", "inbound: must be a list"),
            ("inbound:\n  - {rate-limit: {calls: 1, renewal-period: 1}, quota: {calls: 1, renewal-period: 1}}", "one key"),
            ("inbound:\n  - rate-limit: { calls: 1, renewal-period: 1 }\n  - rate-limit: { calls: 2, renewal-period: 1 }", "only once per section"),
            ("inbound: [\n", "invalid YAML"),
            ("- just a list", "a policy document is a mapping"),
            ("inbund: []", "unknown section 'inbund'"),
        ])
    func refusesMistakes(text: String, expected: String) {
        do {
            _ = try PolicyDocument.parse(yaml: text, source: "doc.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.code == .invalidConfig)
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test("scopes parse and print back; bad scopes are refused")
    func scopes() throws {
        #expect(try PolicyScope(parsing: "global") == .global)
        #expect(try PolicyScope(parsing: "server:pets") == .server("pets"))
        #expect(try PolicyScope(parsing: "tool:pets/get/x") == .tool(server: "pets", tool: "get/x"))
        #expect(try PolicyScope(parsing: "tool:pets/getPet").description == "tool:pets/getPet")
        for bad in ["", "server:", "tool:pets", "tool:/x", "tool:pets/", "servers:pets", "GLOBAL"] {
            #expect(throws: GatewayError.self) { try PolicyScope(parsing: bad) }
        }
    }

    @Test("the inspector lists policies in execution order")
    func inspectorOrder() throws {
        let records = [
            PolicyRecordFixture.make(
                "global", "inbound: [ {ip-filter: {action: forbid, addresses: [10.0.0.1]}} ]\noutbound: [ {cache-store: {duration: 1}} ]"),
            PolicyRecordFixture.make("server:pets", "inbound: [ {rate-limit: {calls: 1, renewal-period: 1}} ]"),
            PolicyRecordFixture.make("tool:pets/echo", "inbound: [ {cache-lookup: {}} ]\noutbound: [ {cache-store: {duration: 2}} ]"),
            PolicyRecordFixture.make("server:other", "inbound: [ {rate-limit: {calls: 1, renewal-period: 1}} ]"),
            PolicyRecordFixture.make("server:broken", "inbound: [ {nope: {}} ]"),
        ]
        let inspector = PolicyInspector(records)
        let steps = inspector.steps(server: "pets", tool: "echo").map { "\($0.section) \($0.scope) \($0.policy)" }
        #expect(
            steps == [
                "inbound global ip-filter", "inbound server:pets rate-limit", "inbound tool:pets/echo cache-lookup",
                "outbound tool:pets/echo cache-store", "outbound global cache-store",
            ])
        #expect(inspector.problems.keys.sorted() == ["server:broken"])
    }
}

enum PolicyRecordFixture {
    /// A stored document (the inspector reads scopes and text, never ids).
    static func make(_ scope: String, _ document: String) -> PolicyRecord { PolicyRecord(id: 1, .init(scope: scope, document: document)) }
}
