import Foundation
import Testing

@testable import GatewayEngine
@testable import Store

@Suite("Registry API over HTTP", .serialized)
struct RegistryHTTPTests {
    func get(_ g: TestGateway, _ path: String, headers: [String: String] = [:]) async throws -> RawReply {
        try await send("http://127.0.0.1:\(g.port)\(path)", method: "GET", headers: headers, json: false)
    }

    @Test("routes, URL-encoded names, latest, 404 and 501 shapes, CORS on everything, preflights, ETag and 304")
    func routes() async throws {
        let g = try await TestGateway.start { $0.registry.probing = false }
        defer { g.stop() }
        let admin = RegistryAdmin(store: g.store)
        try admin.add(
            try RegistryAdmin.document(for: .init(name: "com.example/weather", url: "https://w.example.com/mcp", version: "1.0.0")), .init())
        try admin.add(
            try RegistryAdmin.document(for: .init(name: "com.example/weather", url: "https://w.example.com/mcp", version: "1.0.0+build.5")), .init())

        let list = try await get(g, "/v0.1/servers", headers: ["Origin": "vscode-file://vscode-app"])
        #expect(list.status == 200 && list.headers["access-control-allow-origin"] == "*")
        #expect(list.headers["content-type"] == "application/json" && list.headers["cache-control"]?.contains("max-age=") == true)
        let names = list.json?["servers"]?.arrayValue?.compactMap { $0["server"]?["name"]?.stringValue } ?? []
        #expect(names.contains("local.gatehouse/pets") && names.contains("com.example/weather"))
        #expect(list.json?["metadata"]?["count"] == .int(Int64(names.count)))
        #expect(try await get(g, "/v0/servers").json?["servers"] == list.json?["servers"], "older clients get the same under /v0")

        let versions = try await get(g, "/v0.1/servers/com.example%2Fweather/versions")
        #expect(versions.json?["servers"]?.arrayValue?.count == 2)
        let exact = try await get(g, "/v0.1/servers/com.example%2Fweather/versions/1.0.0%2Bbuild.5")
        #expect(exact.status == 200 && exact.json?["server"]?["version"] == "1.0.0+build.5")
        let latest = try await get(g, "/v0.1/servers/com.example%2Fweather/versions/latest")
        #expect(latest.json?["_meta"]?[RegistryMeta.officialKey]?["isLatest"] == .bool(true))
        #expect(try await get(g, "/v0.1/servers/local.gatehouse/pets/versions/latest").status == 200, "an unencoded name works too")

        let missing = try await get(g, "/v0.1/servers/nope%2Fnothing/versions/latest")
        #expect(
            missing.status == 404 && missing.json == .object(["error": "Server not found"]) && missing.headers["access-control-allow-origin"] == "*")
        #expect(try await get(g, "/v0.1/servers/com.example%2Fweather/versions/9.9.9").json?["error"] == "Server version not found")
        let bad = try await get(g, "/v0.1/servers?cursor=%%%")
        #expect(bad.status == 400 && bad.json?["error"] != nil)

        let publish = try await send("http://127.0.0.1:\(g.port)/v0.1/publish", body: "{}")
        #expect(publish.status == 501 && publish.json?["error"]?.stringValue?.contains("not supported") == true)
        let status = try await send("http://127.0.0.1:\(g.port)/v0.1/servers/com.example%2Fweather/status", method: "PATCH", body: "{}")
        #expect(status.status == 501)

        let preflight = try await send(
            "http://127.0.0.1:\(g.port)/v0.1/servers", method: "OPTIONS",
            headers: [
                "Origin": "vscode-file://vscode-app", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization",
            ],
            json: false)
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-methods"] == "GET, OPTIONS")
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Authorization, Content-Type") == true)

        let etag = try #require(list.headers["etag"])
        let cached = try await get(g, "/v0.1/servers", headers: ["If-None-Match": etag])
        #expect(cached.status == 304 && cached.body.isEmpty && cached.headers["etag"] == etag)
        #expect(try await get(g, "/v0.1/servers", headers: ["If-None-Match": "\"other\""]).status == 200)

        let foreignHost = try await get(g, "/v0.1/servers", headers: ["Host": "evil.example"])
        #expect(foreignHost.status == 403, "the Host check (DNS rebinding) still applies")
    }

    @Test("visibility: anonymous sees every server; a subscription scoped to some servers sees those; anonymous reading can be turned off")
    func visibility() async throws {
        let g = try await TestGateway.start { $0.registry.probing = false }
        defer { g.stop() }
        _ = try g.store.createServer(name: "zoo", basePath: "zoo", apiName: "petstore", operations: nil)
        _ = try g.store.createSubscription(
            SubscriptionRecord.New(name: "pets-only", keyHash: PolicyEngine.hashKey("key-pets"), keyHint: "pets", servers: ["pets"]))
        _ = try g.store.createSubscription(
            SubscriptionRecord.New(name: "all", keyHash: PolicyEngine.hashKey("key-all"), keyHint: "-all", servers: nil))
        try RegistryAdmin(store: g.store).add(
            try RegistryAdmin.document(for: .init(name: "com.example/ext", url: "https://e.example.com/mcp")), .init())
        try await waitForRevision(g)

        func names(_ headers: [String: String] = [:]) async throws -> [String] {
            let r = try await get(g, "/v0.1/servers", headers: headers)
            #expect(r.status == 200, "\(r.body)")
            return (r.json?["servers"]?.arrayValue ?? []).compactMap { $0["server"]?["name"]?.stringValue }.sorted()
        }
        #expect(try await names() == ["com.example/ext", "local.gatehouse/pets", "local.gatehouse/zoo"])
        #expect(try await names(["Gatehouse-Subscription-Key": "key-pets"]) == ["com.example/ext", "local.gatehouse/pets"])
        #expect(try await names(["Gatehouse-Subscription-Key": "key-all"]) == ["com.example/ext", "local.gatehouse/pets", "local.gatehouse/zoo"])
        let personal = try await get(g, "/v0.1/servers", headers: ["Gatehouse-Subscription-Key": "key-pets"])
        #expect(personal.headers["cache-control"]?.hasPrefix("private") == true)
        #expect(
            try await get(g, "/v0.1/servers/local.gatehouse%2Fzoo/versions/latest", headers: ["Gatehouse-Subscription-Key": "key-pets"]).status == 404
        )
        #expect(try await get(g, "/v0.1/servers", headers: ["Gatehouse-Subscription-Key": "wrong"]).status == 401)

        try g.store.setRegistrySettings { $0.anonymousRead = false }
        try await waitForRevision(g)
        let refused = try await get(g, "/v0.1/servers")
        #expect(refused.status == 401 && refused.json?["error"]?.stringValue?.contains("anonymous reading is off") == true)
        #expect(try await names(["Gatehouse-Subscription-Key": "key-pets"]) == ["com.example/ext", "local.gatehouse/pets"])
        let mcp = try await send("http://127.0.0.1:\(g.port)/registry/mcp", body: initializeBody)
        #expect(mcp.status == 401, "the same rule guards /registry/mcp")
        let mcpWithKey = try await send(
            "http://127.0.0.1:\(g.port)/registry/mcp", body: initializeBody, headers: ["Gatehouse-Subscription-Key": "key-pets"])
        #expect(mcpWithKey.status == 200)
    }

    @Test("/registry/mcp answers registry_search and registry_get with the caller's visibility")
    func registryMCP() async throws {
        let g = try await TestGateway.start { $0.registry.probing = false }
        defer { g.stop() }
        _ = try g.store.createServer(name: "zoo", basePath: "zoo", apiName: "petstore", operations: nil)
        _ = try g.store.createSubscription(
            SubscriptionRecord.New(name: "pets-only", keyHash: PolicyEngine.hashKey("key-pets"), keyHint: "pets", servers: ["pets"]))
        try await waitForRevision(g)
        let url = "http://127.0.0.1:\(g.port)/registry/mcp"
        let key = ["Gatehouse-Subscription-Key": "key-pets"]
        let initialized = try await send(url, body: initializeBody, headers: key)
        let sid = try #require(initialized.headers["mcp-session-id"])
        let list = try await send(
            url, body: #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, headers: key.merging(["Mcp-Session-Id": sid]) { a, _ in a })
        #expect(list.json?["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["registry_search", "registry_get"])
        let search = try await send(
            url, body: #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"registry_search","arguments":{}}}"#,
            headers: key.merging(["Mcp-Session-Id": sid]) { a, _ in a })
        let servers = search.json?["result"]?["structuredContent"]?["servers"]?.arrayValue ?? []
        #expect(servers.compactMap { $0["name"]?.stringValue } == ["local.gatehouse/pets"])
        let hidden = try await send(
            url, body: #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"registry_get","arguments":{"name":"local.gatehouse/zoo"}}}"#,
            headers: key.merging(["Mcp-Session-Id": sid]) { a, _ in a })
        #expect(hidden.json?["result"]?["isError"] == .bool(true))
        let bad = try await send(
            url, body: #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"registry_search","arguments":{"limit":0}}}"#,
            headers: key.merging(["Mcp-Session-Id": sid]) { a, _ in a })
        #expect(bad.json?["result"]?["isError"] == .bool(true), "arguments are checked against the input schema")
    }

    /// Makes the engine serve the store's current revision now.
    func waitForRevision(_ g: TestGateway) async throws {
        g.gateway.reloadIfChanged()
        #expect(g.gateway.routingTable.revision == (try g.store.configRevision()))
    }
}
