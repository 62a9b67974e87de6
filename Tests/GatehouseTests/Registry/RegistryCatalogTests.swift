import Foundation
import Testing

@testable import GatewayEngine
@testable import Store

/// A store with an API and servers, and helpers to register external entries.
struct RegistryFixture {
    let dir = TempDir()
    let store: GatewayStore
    let admin: RegistryAdmin

    init(servers: [String] = ["pets"]) async throws {
        store = try GatewayStore(configuration: .init(path: dir.path + "/gatehouse.sqlite"))
        let spec = dir.path + "/pets.yaml"
        try testSpec.write(toFile: spec, atomically: true, encoding: .utf8)
        let importer = APIImportService(store: store)
        _ = try importer.save(
            try await importer.prepare(.init(name: "petstore", source: spec, baseURL: "http://127.0.0.1:9", allowPrivateNetwork: true)))
        for s in servers { _ = try store.createServer(name: s, description: "The \(s) tools", basePath: s, apiName: "petstore", operations: nil) }
        admin = RegistryAdmin(store: store)
    }

    @discardableResult
    func add(_ name: String, version: String = "1.0.0", description: String? = nil, url: String = "https://mcp.example.com/mcp") throws
        -> RegistryEntryRecord
    {
        try admin.add(try RegistryAdmin.document(for: .init(name: name, url: url, description: description, version: version)), .init())
    }

    func catalog(namespace: String = "io.example.gw") throws -> RegistryCatalog {
        try admin.standaloneCatalog(namespace: namespace).0
    }

    /// Builds the catalog and records what it publishes, as the engine does.
    func published(namespace: String = "io.example.gw") throws -> RegistryCatalog {
        let c = try catalog(namespace: namespace)
        try store.recordPublished(c.publish)
        return c
    }
}

@Suite("Registry catalog")
struct RegistryCatalogTests {
    @Test("walking with limit 1 visits every entry once, in order; cursors are opaque and checked")
    func paging() async throws {
        let f = try await RegistryFixture(servers: ["pets", "zoo"])
        for n in ["com.b/one", "com.a/two", "org.c/three"] { try f.add(n) }
        try f.add("com.a/two", version: "1.1.0")
        let c = try f.catalog()
        var seen: [String] = []
        var q = RegistryQuery(limit: 1)
        for _ in 0..<20 {
            let (page, next) = c.page(q) { _ in true }
            #expect(page.count <= 1)
            seen += page.map { "\($0.name)@\($0.version)" }
            guard let next else { break }
            #expect(!next.contains("com.") && !next.contains("@"), "the cursor is opaque")
            let key: (name: String, version: String) = try #require(RegistryCursor.decode(next), "the cursor decodes")
            q.after = key
        }
        #expect(
            seen == [
                "com.a/two@1.0.0", "com.a/two@1.1.0", "com.b/one@1.0.0",
                "io.example.gw/pets@\(c.entry("io.example.gw/pets", version: "latest")!.version)",
                "io.example.gw/zoo@\(c.entry("io.example.gw/zoo", version: "latest")!.version)", "org.c/three@1.0.0",
            ])
        let (all, end) = c.page(RegistryQuery(limit: 6)) { _ in true }
        #expect(all.count == 6 && end == nil, "a page holding the last entry has no next cursor")

        if case .success = RegistryQuery.parse([("cursor", "not-a-cursor!")]) { Issue.record("a bad cursor is refused") }
        if case .success = RegistryQuery.parse([("limit", "0")]) { Issue.record("limit 0 is refused") }
        if case .success = RegistryQuery.parse([("limit", "ten")]) { Issue.record("a non-integer limit is refused") }
        if case .success(let capped) = RegistryQuery.parse([("limit", "500")]) {
            #expect(capped.limit == 100)
        } else {
            Issue.record("limit 500 is capped")
        }
        if case .success(let d) = RegistryQuery.parse([]) { #expect(d.limit == 30) }
        if case .success = RegistryQuery.parse([("updated_since", "yesterday")]) { Issue.record("updated_since must be RFC 3339") }
    }

    @Test("a cursor keeps working when the entry it names is removed meanwhile")
    func cursorAfterRemoval() async throws {
        let f = try await RegistryFixture(servers: [])
        for n in ["a.a/a", "b.b/b", "c.c/c"] { try f.add(n) }
        let (first, next) = try f.catalog().page(RegistryQuery(limit: 1)) { _ in true }
        #expect(first.map(\.name) == ["a.a/a"])
        try f.store.removeRegistryEntry(name: "a.a/a", purge: true)
        var q = RegistryQuery(limit: 5)
        q.after = RegistryCursor.decode(try #require(next))
        #expect(try f.catalog().page(q) { _ in true }.entries.map(\.name) == ["b.b/b", "c.c/c"])
    }

    @Test("search, version=latest (semantic precedence), exact versions, include_deleted, updated_since")
    func filters() async throws {
        let f = try await RegistryFixture()
        try f.add("com.example/weather", description: "Forecasts for the WORLD")
        try f.add("com.example/files", version: "1.2.0")
        try f.add("com.example/files", version: "1.10.0")
        try f.add("com.example/files", version: "1.10.0-beta")
        try f.add("com.example/gone")
        try f.store.removeRegistryEntry(name: "com.example/gone")
        let c = try f.published()
        func names(_ q: RegistryQuery) -> [String] { c.page(q) { _ in true }.entries.map { "\($0.name)@\($0.version)" } }
        #expect(names(RegistryQuery(search: "world")) == ["com.example/weather@1.0.0"])
        #expect(names(RegistryQuery(search: "PETS")) == ["io.example.gw/pets@\(c.lookup("pets")!.version)"], "titles and descriptions match")
        #expect(names(RegistryQuery(version: "latest")).contains("com.example/files@1.10.0"))
        #expect(!names(RegistryQuery(version: "latest")).contains("com.example/files@1.2.0"))
        #expect(names(RegistryQuery(version: "1.2.0")) == ["com.example/files@1.2.0"])
        #expect(!names(RegistryQuery()).contains("com.example/gone@1.0.0"), "deleted entries are left out by default")
        #expect(names(RegistryQuery(includeDeleted: true)).contains("com.example/gone@1.0.0"))
        #expect(c.versions(of: "com.example/files").map(\.version) == ["1.10.0", "1.10.0-beta", "1.2.0"], "newest first")

        // The mark is strictly after every published stamp at the store's millisecond precision (a stamp in the
        // same millisecond counts as updated since it): wait out the current millisecond on the clock.
        let published = try #require(c.entries.map(\.updatedAt).max())
        while RegistryTime.milliseconds(Date.storeNow) <= RegistryTime.milliseconds(published) {}
        let mark = Date.storeNow
        try f.admin.update(name: "com.example/weather", version: nil, document: nil) { $0.lifecycle = .deprecated }
        guard case .success(let since) = RegistryQuery.parse([("updated_since", RegistryTime.string(mark))]) else {
            Issue.record("parse")
            return
        }
        #expect(since.includeDeleted, "updated_since includes deleted entries")
        let changed = try f.catalog().page(since) { _ in true }.entries
        #expect(changed.map(\.name) == ["com.example/weather"])
        #expect(changed.first?.status == .deprecated)
    }

    @Test("gateway versions follow the configuration: stable while nothing changes, new when the server.json does")
    func gatewayVersions() async throws {
        let f = try await RegistryFixture()
        let first = try f.published()
        let pets = try #require(first.lookup("pets"))
        #expect(pets.name == "io.example.gw/pets" && pets.kind == .gateway)
        #expect(pets.version == "1.0.\(try f.store.configRevision())")
        #expect(first.publish.count == 1)

        try f.add("com.example/other") // another change moves the revision
        let second = try f.published()
        #expect(second.lookup("pets")?.version == pets.version && second.publish.isEmpty, "an unrelated change keeps the version")
        #expect(second.lookup("pets")?.updatedAt == pets.updatedAt)

        _ = try f.store.updateServer(named: "pets", description: "New words")
        let third = try f.published()
        let changed = try #require(third.lookup("pets"))
        #expect(changed.version != pets.version && changed.updatedAt > pets.updatedAt && changed.publishedAt == pets.publishedAt)
        #expect(changed.description == "New words")

        try f.admin.updateGateway(server: "pets") { $0.version = "2.0.0" }
        #expect(try f.published().lookup("pets")?.version == "2.0.0")

        try f.store.deleteServer(named: "pets")
        let gone = try f.published()
        let tomb = try #require(gone.entry("io.example.gw/pets", version: "2.0.0"))
        #expect(tomb.status == .deleted, "a deleted server stays listed as deleted for clients that sync")
        #expect(gone.page(RegistryQuery()) { _ in true }.entries.allSatisfy { $0.name != "io.example.gw/pets" })
    }

    @Test("the generated server.json is valid, declares the headers a client must send, and carries Gatehouse's metadata")
    func generated() async throws {
        let f = try await RegistryFixture()
        _ = try f.store.setServerRequiresSubscription(named: "pets", true)
        try f.store.setPolicy(
            scope: "server:pets",
            document: """
                inbound:
                  - rate-limit-by-key: { calls: 5, renewal-period: 30, counter-key: client-ip }
                  - validate-jwt: { jwks-uri: https://idp.example/jwks.json, issuers: [https://idp.example], audiences: [https://gw.example.io/pets/mcp] }
                """)
        let e = try #require(try f.catalog().lookup("pets"))
        let doc = e.rendered(origin: "https://gw.example.io", live: LiveFigures(requests: 4, errors: 1, p95: .milliseconds(12)))
        #expect(ServerJSONValidator().validate(.object(doc)).isEmpty)
        let remotes = try #require(doc["remotes"]?.arrayValue)
        #expect(remotes.map { $0["url"]?.stringValue } == ["https://gw.example.io/pets/mcp", "https://gw.example.io/pets/sse"])
        let headers = remotes[0]["headers"]?.arrayValue ?? []
        #expect(headers.map { $0["name"]?.stringValue } == ["Gatehouse-Subscription-Key", "Authorization"])
        #expect(headers.allSatisfy { $0["isSecret"] == .bool(true) && $0["isRequired"] == .bool(true) })
        let meta = try #require(doc["_meta"]?[RegistryMeta.key])
        #expect(meta["auth"]?["mode"] == "subscription+oauth")
        #expect(meta["auth"]?["oauth"]?["resourceMetadata"] == "https://gw.example.io/.well-known/oauth-protected-resource/pets/mcp")
        #expect(meta["tools"]?["count"] == .int(2))
        #expect(meta["policies"]?["rateLimits"]?.arrayValue?.first?["calls"] == .int(5))
        #expect(meta["live"]?["requests"] == .int(4) && meta["live"]?["errorRate"] == .double(0.25) && meta["live"]?["p95Ms"] == .double(12))
    }

    @Test("an external entry cannot take a gateway server's name")
    func collisions() async throws {
        let f = try await RegistryFixture()
        _ = try f.published(namespace: "local.gatehouse")
        #expect(throws: GatewayError.self) { try f.add("local.gatehouse/pets") }
        #expect(f.admin.gatewayServer(for: "local.gatehouse/pets") == "pets")
        #expect(f.admin.gatewayServer(for: "pets") == "pets")
        #expect(f.admin.gatewayServer(for: "com.example/pets") == nil)
    }
}

@Suite("Registry timestamps")
struct RegistryTimeTests {
    @Test("timestamps are written at their rounded millisecond and read back to the same millisecond")
    func milliseconds() throws {
        // 1796305051.221 is the double 1796305051.2209999…: formatting it directly wrote .220.
        let d = Date(timeIntervalSince1970: 1_796_305_051.221)
        #expect(RegistryTime.string(d) == "2026-12-03T13:37:31.221Z")
        #expect(RegistryTime.string(Date(timeIntervalSince1970: 1_796_305_051.0004)) == "2026-12-03T13:37:31.000Z")
        #expect(RegistryTime.string(Date(timeIntervalSince1970: 1_796_305_051.9996)) == "2026-12-03T13:37:32.000Z")
        let back = try #require(RegistryTime.parse(RegistryTime.string(d)))
        #expect(RegistryTime.milliseconds(back) == RegistryTime.milliseconds(d))
        #expect(RegistryTime.milliseconds(try #require(d.storePrecision as Date?)) == RegistryTime.milliseconds(d))
    }
}
