import AsyncHTTPClient
import Foundation
import Store
import Testing

@testable import GatewayEngine

/// Outbound credentials through the running gateway: sealed at rest, injected into backend calls, never leaked.
@Suite("Credentials over HTTP", .serialized)
struct CredentialHTTPTests {
    static func service(_ g: TestGateway) throws -> CredentialService {
        CredentialService(vault: try CredentialVault.open(store: g.store, environment: [:], create: true))
    }

    static func attach(_ g: TestGateway, _ connection: String, base: String? = nil) throws {
        let api = try g.store.api(named: "petstore")
        try g.store.setAPICredential(named: "petstore", connection: connection, origin: credentialOrigin(of: base ?? api.baseUrl!))
        g.gateway.reload()
    }

    static func files(_ g: TestGateway) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: g.dir.path)) ?? []).map { g.dir.path + "/" + $0 }
    }

    @Test("a static bearer token reaches the backend instead of the client's; the canary is nowhere at rest or in records (K1, L1, A18)")
    func staticBearerNeverLeaks() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let canary = "CANARY-\(UUID().uuidString)-tail"
        try Self.service(g).addProvider(name: "petkey", kind: .bearer, settings: .init(), secret: SecretValue(canary), allowPrivateNetwork: false)
        try Self.attach(g, "petkey")
        let sid = try await initialize(g)
        let reply = try await send(
            g.url, body: PolicyHTTPTests.call(), headers: ["Mcp-Session-Id": sid, "Authorization": "Bearer client-token", "Cookie": "c=1"])
        #expect(reply.status == 200 && reply.json?["result"]?["isError"] == nil)
        let received = try #require(g.backend.receivedHeaders.last)
        #expect(received["authorization"] == "Bearer \(canary)")
        #expect(received["cookie"] == nil)
        // Nothing at rest, in records, metrics or exports holds the secret in clear.
        try await g.store.dbPool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
        let needle = Data(canary.utf8)
        for path in Self.files(g) where !path.hasSuffix(".yaml") {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(data.range(of: needle) == nil, "\(path) holds the canary")
            #expect(data.range(of: Data(Data(canary.utf8).base64EncodedString().utf8)) == nil)
        }
        let records = g.gateway.monitor.recentRecords(limit: 50).map { "\($0)" }.joined()
        #expect(!records.contains(canary))
        #expect(!String(decoding: g.gateway.monitor.prometheusText(), as: UTF8.self).contains(canary))
        let exported = try ConfigApplier.render(try ConfigApplier(store: g.store, environment: [:]).export())
        #expect(!exported.contains(canary) && exported.contains("stored: true"))
        #expect(try Self.service(g).maskedSecret(try g.store.credentialProvider(named: "petkey")) == "••••tail")
    }

    @Test("a backend that echoes the credential it received cannot hand it to the client (L2)")
    func echoedCredentialIsRedacted() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let secret = "echo-canary-\(UUID().uuidString)"
        try Self.service(g).addProvider(name: "t", kind: .bearer, settings: .init(), secret: SecretValue(secret), allowPrivateNetwork: false)
        try Self.attach(g, "t")
        let sid = try await initialize(g)
        let reply = try await send(g.url, body: PolicyHTTPTests.call("echo", arguments: #"{"value":"x"}"#), headers: ["Mcp-Session-Id": sid])
        #expect(g.backend.receivedHeaders.last?["authorization"] == "Bearer \(secret)", "the backend did get the credential")
        #expect(!reply.body.contains(secret) && reply.body.contains("[redacted]"), "\(reply.body)")
    }

    @Test("an api-key header, and a credential refused for an origin it was not attached to")
    func apiKeyAndOriginBinding() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let other = try await TestBackend.start()
        defer { other.stop() }
        try Self.service(g).addProvider(
            name: "k", kind: .apiKey, settings: .init(headerName: "X-Api-Key"), secret: SecretValue("key-1234567890abcdef"),
            allowPrivateNetwork: false)
        try Self.attach(g, "k")
        let sid = try await initialize(g)
        _ = try await send(g.url, body: PolicyHTTPTests.call(), headers: ["Mcp-Session-Id": sid])
        #expect(g.backend.receivedHeaders.last?["x-api-key"] == "key-1234567890abcdef")
        // The API is moved to another origin: the credential stays bound to the first one.
        _ = try g.store.updateAPI(named: "petstore", baseUrl: .some("http://127.0.0.1:\(other.port)"), documentBaseUrl: nil, allowPrivateNetwork: nil)
        g.gateway.reload()
        let moved = try await send(g.url, body: PolicyHTTPTests.call(), headers: ["Mcp-Session-Id": sid])
        #expect(moved.json?["result"]?["isError"] == .bool(true))
        #expect(moved.body.contains("different origin"))
        #expect(other.hitCount == 0, "the other host never received the key, nor a request")
    }

    @Test("client credentials: one token fetch for many concurrent calls, a real token at the backend, failures shown as status and tool error")
    func clientCredentials() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["gw": "client-secret-1234567890"])
        defer { auth.stop() }
        let g = try await TestGateway.start()
        defer { g.stop() }
        let service = try Self.service(g)
        try service.addProvider(
            name: "cc", kind: .clientCredentials, settings: .init(tokenURL: auth.tokenURL, clientID: "gw", scopes: ["pets"]),
            secret: SecretValue("client-secret-1234567890"), allowPrivateNetwork: true)
        try Self.attach(g, "cc")
        let sid = try await initialize(g)
        let statuses = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<20 {
                group.addTask {
                    try await send(g.url, body: PolicyHTTPTests.call(id: i), headers: ["Mcp-Session-Id": sid]).json?["result"]?["isError"] == nil
                }
            }
            var ok = 0
            for try await s in group where s { ok += 1 }
            return ok
        }
        #expect(statuses == 20)
        #expect(auth.issued(grant: "client_credentials") == 1, "no stampede: one token for all")
        let header = try #require(g.backend.receivedHeaders.last?["authorization"])
        #expect(header.hasPrefix("Bearer ") && auth.isValid(accessToken: String(header.dropFirst(7))))
        #expect(try g.store.credentialConnection(named: "cc").status == "connected")

        // A provider that refuses: the tool error says why; the status records it; no secret in either.
        try service.addProvider(
            name: "bad", kind: .clientCredentials, settings: .init(tokenURL: auth.tokenURL, clientID: "gw"),
            secret: SecretValue("wrong-secret-1234567890"), allowPrivateNetwork: true)
        try Self.attach(g, "bad")
        let failed = try await send(g.url, body: PolicyHTTPTests.call(), headers: ["Mcp-Session-Id": sid])
        #expect(failed.json?["result"]?["isError"] == .bool(true))
        #expect(failed.body.contains("Credential 'bad' is unavailable"))
        #expect(!failed.body.contains("wrong-secret"))
        let status = try g.store.credentialConnection(named: "bad")
        #expect(status.status == "error" && status.statusReason?.contains("invalid_client") == true)
    }

    @Test("authorization code with PKCE through /oauth/callback: state single-use, tokens sealed, calls authorised")
    func authorizationCode() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["gw": "code-secret-1234567890"])
        defer { auth.stop() }
        let g = try await TestGateway.start()
        defer { g.stop() }
        let service = try Self.service(g)
        try service.addProvider(
            name: "gh", kind: .authorizationCode,
            settings: .init(tokenURL: auth.tokenURL, authorizationURL: auth.authorizeURL, clientID: "gw", scopes: ["repo"]),
            secret: SecretValue("code-secret-1234567890"), allowPrivateNetwork: true)
        try Self.attach(g, "gh")
        let sid = try await initialize(g)
        let early = try await send(g.url, body: PolicyHTTPTests.call(), headers: ["Mcp-Session-Id": sid])
        #expect(early.body.contains("not authorised yet"), "\(early.body)")
        #expect(try g.store.credentialConnection(named: "gh").status == "expired")

        let callback = "http://127.0.0.1:\(g.port)/oauth/callback"
        let url = try service.startAuthorization(connection: "gh", redirectURI: callback)
        #expect(url.contains("code_challenge_method=S256") && !url.contains("code-secret"))
        // The provider approves at once and redirects the browser back to the gateway.
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let approval = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        try await client.shutdown()
        #expect(approval.status == .found)
        let location = try #require(approval.headers.first(name: "location"))
        #expect(location.hasPrefix(callback))
        let done = try await send(location, method: "GET", json: false)
        #expect(done.status == 200 && done.body.contains("authorised"))
        #expect(done.headers["x-frame-options"] == "DENY")
        let replay = try await send(location, method: "GET", json: false)
        #expect(replay.status == 400 && replay.body.contains("unknown or already used state"))

        let connection = try g.store.credentialConnection(named: "gh")
        #expect(connection.status == "connected" && connection.refreshToken?.hasPrefix("gh1:") == true)
        let call = try await send(g.url, body: PolicyHTTPTests.call(), headers: ["Mcp-Session-Id": sid])
        #expect(call.json?["result"]?["isError"] == nil)
        let header = try #require(g.backend.receivedHeaders.last?["authorization"])
        #expect(auth.isValid(accessToken: String(header.dropFirst("Bearer ".count))))
    }

    @Test("get-authorization-context puts a connection's token into a variable that set-header uses; records stay clean")
    func authorizationContextPolicy() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let secret = "policy-token-\(UUID().uuidString)"
        try Self.service(g).addProvider(name: "tok", kind: .bearer, settings: .init(), secret: SecretValue(secret), allowPrivateNetwork: false)
        try g.store.setPolicy(
            scope: "tool:pets/getPetById",
            document: """
                inbound:
                  - get-authorization-context: { connection: tok, context-variable-name: t }
                  - set-header: { name: X-Upstream-Token, value: "Token {{var:t}}" }
                  - get-authorization-context: { connection: missing, context-variable-name: m, ignore-error: true }
                """)
        g.gateway.reload()
        let sid = try await initialize(g)
        #expect(try await send(g.url, body: PolicyHTTPTests.call(), headers: ["Mcp-Session-Id": sid]).status == 200)
        #expect(g.backend.receivedHeaders.last?["x-upstream-token"] == "Token \(secret)")
        let record = try #require(g.gateway.monitor.recentRecords(limit: 5).first { $0.tool == "getPetById" })
        #expect(record.decisions.contains { $0.contains("get-authorization-context") && $0.contains("ready") })
        #expect(!"\(record)".contains(secret))
        // Without ignore-error, an unavailable connection refuses the call before the backend.
        try g.store.setPolicy(scope: "tool:pets/getPetById", document: "inbound:\n  - get-authorization-context: { connection: missing }")
        g.gateway.reload()
        let hits = g.backend.hitCount
        let refused = try await send(g.url, body: PolicyHTTPTests.call(), headers: ["Mcp-Session-Id": sid])
        #expect(refused.status == 503 && g.backend.hitCount == hits)
    }

    @Test("without the master key, credentials are locked: a clear tool error, never a plaintext fallback (K5)")
    func lockedWithoutKey() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        try Self.service(g).addProvider(
            name: "petkey", kind: .bearer, settings: .init(), secret: SecretValue("secret-token-1234567890"), allowPrivateNetwork: false)
        try Self.attach(g, "petkey")
        try FileManager.default.removeItem(atPath: CredentialVault.keyFilePath(for: g.store))
        let sid = try await initialize(g)
        let reply = try await send(g.url, body: PolicyHTTPTests.call(), headers: ["Mcp-Session-Id": sid])
        #expect(reply.json?["result"]?["isError"] == .bool(true))
        #expect(reply.body.contains("locked") || reply.body.contains("master key"), "\(reply.body)")
        #expect(g.backend.receivedHeaders.allSatisfy { $0["authorization"] == nil })
        // A different key cannot open the stored secret either.
        let other = MasterKey.random().encoded()
        let wrong = CredentialService(vault: try CredentialVault.open(store: g.store, environment: ["GATEHOUSE_MASTER_KEY": other], create: false))
        #expect(wrong.maskedSecret(try g.store.credentialProvider(named: "petkey")).contains("cannot open"))
    }
}
