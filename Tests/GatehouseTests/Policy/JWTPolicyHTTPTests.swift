import Foundation
import Testing

@testable import GatewayEngine

/// `validate-jwt` through the gateway: real tokens from a real identity provider on 127.0.0.1.
@Suite("validate-jwt over HTTP", .serialized)
struct JWTPolicyHTTPTests {
    static func protect(_ g: TestGateway, _ idp: TestIdentityProvider, scope: String = "server:pets", extra: String = "") throws {
        try g.store.setPolicy(
            scope: scope,
            document: """
                inbound:
                  - validate-jwt:
                      jwks-uri: \(idp.jwksURL)
                      audiences: [\(TestIdentityProvider.defaultAudience)]
                      issuers: [\(idp.issuer)]
                      allow-private-network: true
                \(extra)
                """)
        g.gateway.reload()
    }

    @Test("no token: 401 with resource_metadata; the metadata names the resource and the authorization server (A1, A2)")
    func challengeAndMetadata() async throws {
        let idp = try await TestIdentityProvider.start()
        defer { idp.stop() }
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.protect(g, idp)
        let reply = try await send(g.url, body: initializeBody)
        #expect(reply.status == 401)
        let challenge = try #require(reply.headers["www-authenticate"])
        let expectedURL = "http://127.0.0.1:\(g.port)/.well-known/oauth-protected-resource/pets/mcp"
        #expect(challenge == "Bearer resource_metadata=\"\(expectedURL)\"")
        #expect(reply.json?["error"]?["data"]?["policy"] == .string("validate-jwt"))
        for url in [expectedURL, "http://127.0.0.1:\(g.port)/.well-known/oauth-protected-resource"] {
            let meta = try await send(url, method: "GET", json: false)
            #expect(meta.status == 200)
            #expect(meta.json?["resource"] == .string("http://127.0.0.1:\(g.port)/pets/mcp"))
            #expect(meta.json?["authorization_servers"] == .array([.string(idp.issuer)]))
        }
        #expect(try await send("http://127.0.0.1:\(g.port)/.well-known/oauth-protected-resource/other/mcp", method: "GET", json: false).status == 404)
    }

    @Test("a valid token opens a session usable only with a token of the same principal (A3, session binding)")
    func validTokenAndBinding() async throws {
        let idp = try await TestIdentityProvider.start()
        defer { idp.stop() }
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.protect(g, idp)
        let alice = idp.mint(subject: "alice")
        let opened = try await send(g.url, body: initializeBody, headers: ["Authorization": "Bearer \(alice)"])
        #expect(opened.status == 200)
        let sid = try #require(opened.headers["mcp-session-id"])
        let call = PolicyHTTPTests.call()
        #expect(try await send(g.url, body: call, headers: ["Authorization": "Bearer \(alice)", "Mcp-Session-Id": sid]).status == 200)
        // Every request must carry the token (MCP: authorization on every request).
        #expect(try await send(g.url, body: call, headers: ["Mcp-Session-Id": sid]).status == 401)
        let bob = idp.mint(subject: "bob", algorithm: "ES256")
        #expect(try await send(g.url, body: call, headers: ["Authorization": "Bearer \(bob)", "Mcp-Session-Id": sid]).status == 404)
        // The backend never saw a token.
        #expect(!g.backend.receivedHeaders.contains { $0["authorization"] != nil })
        let record = try #require(g.gateway.monitor.recentRecords(limit: 10).first { $0.tool == "getPetById" && $0.status == 200 })
        #expect(record.principal == "jwt:alice")
    }

    @Test(
        "bad tokens are 401, never 500 (A4, A5, A7, A15, A17)",
        arguments: ["wrong-aud", "expired", "alg-none", "id-token", "basic", "two-bearers", "garbage", "huge", "two-segments"])
    func badTokens(kind: String) async throws {
        let idp = try await TestIdentityProvider.start()
        defer { idp.stop() }
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.protect(g, idp)
        let good = idp.mint()
        let header: String
        switch kind {
        case "wrong-aud": header = "Bearer " + idp.mint(audience: "https://other.example/mcp")
        case "expired": header = "Bearer " + idp.mint(expiresIn: -120)
        case "alg-none":
            header =
                "Bearer "
                + TestIdentityProvider.compact(
                    header: ["alg": "none", "typ": "JWT"],
                    claims: [
                        "iss": .string(idp.issuer), "sub": "x", "aud": .string(TestIdentityProvider.defaultAudience),
                        "exp": .int(Int64(Date().timeIntervalSince1970) + 300),
                    ]
                ) { _ in [] }
        case "id-token": header = "Bearer " + idp.mint(audience: TestIdentityProvider.clientID, header: ["typ": "JWT"])
        case "basic": header = "Basic dXNlcjpwYXNz"
        case "two-bearers": header = "Bearer \(good), Bearer \(good)"
        case "garbage": header = "Bearer not.a.token"
        case "huge": header = "Bearer " + good + String(repeating: "a", count: 20_000) // over the 8 KiB token cap
        default: header = "Bearer " + good.split(separator: ".").prefix(2).joined(separator: ".")
        }
        let reply = try await send(g.url, body: initializeBody, headers: ["Authorization": header])
        #expect(reply.status == 401 || reply.status == 400, "\(kind): \(reply.status) \(reply.body)")
        #expect(reply.headers["www-authenticate"]?.hasPrefix("Bearer resource_metadata=") == true)
        #expect(!reply.body.contains(good.prefix(40)), "the token is never echoed")
    }

    @Test("a token in the query string is refused and never recorded (A14)")
    func queryToken() async throws {
        let idp = try await TestIdentityProvider.start()
        defer { idp.stop() }
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.protect(g, idp)
        let token = idp.mint()
        let reply = try await send(g.url + "?access_token=\(token)", body: initializeBody, headers: ["Authorization": "Bearer \(token)"])
        #expect(reply.status == 400)
        let records = g.gateway.monitor.recentRecords(limit: 10)
        #expect(!records.contains { "\($0)".contains(token.prefix(30)) })
    }

    @Test("missing scope on a tool: 403 insufficient_scope naming the scope; other tools unaffected (A16)")
    func insufficientScope() async throws {
        let idp = try await TestIdentityProvider.start()
        defer { idp.stop() }
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.protect(g, idp)
        try g.store.setPolicy(
            scope: "tool:pets/getPetById",
            document: """
                inbound:
                  - validate-jwt: { jwks-uri: \(idp.jwksURL), audiences: [\(TestIdentityProvider.defaultAudience)], issuers: [\(idp.issuer)], allow-private-network: true, required-scopes: [pets:read] }
                """)
        g.gateway.reload()
        let token = idp.mint(scopes: ["other"])
        let sid = try #require(try await send(g.url, body: initializeBody, headers: ["Authorization": "Bearer \(token)"]).headers["mcp-session-id"])
        let h = ["Authorization": "Bearer \(token)", "Mcp-Session-Id": sid]
        let refused = try await send(g.url, body: PolicyHTTPTests.call(), headers: h)
        #expect(refused.status == 403)
        let challenge = try #require(refused.headers["www-authenticate"])
        #expect(
            challenge.contains(#"error="insufficient_scope""#) && challenge.contains(#"scope="pets:read""#)
                && challenge.contains("resource_metadata="))
        #expect(try await send(g.url, body: PolicyHTTPTests.call("echo", arguments: #"{"value":"v"}"#), headers: h).status == 200)
        let scoped = idp.mint(scopes: ["pets:read"])
        let sid2 = try #require(try await send(g.url, body: initializeBody, headers: ["Authorization": "Bearer \(scoped)"]).headers["mcp-session-id"])
        #expect(
            try await send(g.url, body: PolicyHTTPTests.call(), headers: ["Authorization": "Bearer \(scoped)", "Mcp-Session-Id": sid2]).status == 200)
    }

    @Test("protected routes have no unauthenticated variants (A19)")
    func routeVariants() async throws {
        let idp = try await TestIdentityProvider.start()
        defer { idp.stop() }
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.protect(g, idp)
        let base = "http://127.0.0.1:\(g.port)"
        for path in ["/pets/mcp/", "//pets/mcp", "/pets/MCP", "/pets/mcp;x", "/pets/mcp/%2e%2e/admin", "/pets/mcp/abc", "/PETS/mcp"] {
            let reply = try await send(base + path, body: initializeBody)
            #expect(reply.status == 401 || reply.status == 404, "\(path): \(reply.status)")
            #expect(reply.status != 200)
        }
        for (method, path) in [("GET", "/pets/sse"), ("GET", "/pets/mcp"), ("DELETE", "/pets/mcp"), ("POST", "/pets/messages?sessionId=x")] {
            #expect(
                try await send(base + path, method: method, body: method == "POST" ? initializeBody : nil, headers: ["Accept": "text/event-stream"])
                    .status == 401, "\(method) \(path)")
        }
    }

    @Test("the identity provider down at start fails closed with 503 (A13)")
    func idpDown() async throws {
        let idp = try await TestIdentityProvider.start()
        defer { idp.stop() }
        idp.setFailing(true)
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.protect(g, idp)
        let reply = try await send(g.url, body: initializeBody, headers: ["Authorization": "Bearer \(idp.mint())"])
        #expect(reply.status == 503)
    }
}
