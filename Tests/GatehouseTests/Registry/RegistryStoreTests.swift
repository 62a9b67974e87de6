import Foundation
import GRDB
import Testing

@testable import GatewayEngine
@testable import Store

@Suite("Registry store")
struct RegistryStoreTests {
    func entry(_ name: String, _ version: String = "1.0.0", description: String = "d") -> RegistryEntryRecord.New {
        RegistryEntryRecord.New(
            name: name, version: version, document: #"{"name":"\#(name)","description":"\#(description)","version":"\#(version)"}"#)
    }

    @Test("entries round-trip; a duplicate is refused; removal leaves a tombstone that add revives; purge forgets")
    func entries() async throws {
        let f = try await RegistryFixture(servers: [])
        let before = try f.store.configRevision()
        var r = entry("com.example/a")
        r.tagList = ["x", "y"]
        r.owner = "team"
        let added = try f.store.addRegistryEntry(r)
        #expect(try f.store.configRevision() > before, "entries are configuration")
        let read = try #require(try f.store.registryEntries(named: "com.example/a").first)
        #expect(read.tagList == ["x", "y"] && read.owner == "team" && read.document == r.document && read.id == added.id)
        #expect(throws: StoreError.self) { try f.store.addRegistryEntry(entry("com.example/a")) }

        let removed = try f.store.removeRegistryEntry(name: "com.example/a")
        #expect(removed == ["com.example/a@1.0.0"])
        let tomb = try #require(try f.store.registryEntries(named: "com.example/a").first)
        #expect(tomb.status == .deleted && tomb.deletedAt != nil)
        #expect(throws: StoreError.self) { try f.store.removeRegistryEntry(name: "com.example/a") }

        let revived = try f.store.addRegistryEntry(entry("com.example/a", description: "back"))
        #expect(revived.id == added.id && revived.deletedAt == nil && revived.publishedAt == added.publishedAt)
        try f.store.removeRegistryEntry(name: "com.example/a", purge: true)
        #expect(try f.store.registryEntries(named: "com.example/a").isEmpty)
    }

    @Test("an import lands new entries pending, keeps an approved entry served while its change waits, removes deleted ones")
    func imports() async throws {
        let f = try await RegistryFixture(servers: [])
        try f.store.addRegistryEntry(entry("com.example/kept", description: "approved"))
        try f.store.addRegistryEntry(entry("com.example/bad"))
        let items = [
            RegistryImportItem(name: "com.example/new", version: "1.0.0", document: entry("com.example/new").document, status: .active),
            RegistryImportItem(
                name: "com.example/kept", version: "1.0.0", document: entry("com.example/kept", description: "changed").document, status: .active),
            RegistryImportItem(name: "com.example/bad", version: "1.0.0", document: "{}", status: .deleted),
            RegistryImportItem(
                name: "com.example/old", version: "1.0.0", document: entry("com.example/old").document, status: .deprecated, statusMessage: "use new"),
        ]
        let outcome = try f.store.importRegistryEntries(items, origin: "import test")
        #expect(outcome.added == ["com.example/new@1.0.0", "com.example/old@1.0.0"])
        #expect(outcome.changed == ["com.example/kept@1.0.0"] && outcome.removed == ["com.example/bad@1.0.0"])
        let kept = try #require(try f.store.registryEntries(named: "com.example/kept").first)
        #expect(kept.document.contains("approved") && kept.pendingDocument?.contains("changed") == true && kept.approval == .approved)
        #expect(try f.store.registryEntries(named: "com.example/new").first?.approval == .pending)
        let old = try #require(try f.store.registryEntries(named: "com.example/old").first)
        #expect(old.lifecycle == .deprecated && old.statusMessage == "use new")
        #expect(try f.store.registryEntries(named: "com.example/bad").first?.status == .deleted)

        // The same import again changes nothing.
        let again = try f.store.importRegistryEntries(items, origin: "import test")
        #expect(again.added.isEmpty && again.changed.isEmpty && again.removed.isEmpty)

        let served = try f.catalog()
        #expect(served.entry("com.example/new", version: "latest") == nil, "pending imports are not served")
        #expect(served.entry("com.example/kept", version: "latest")?.description == "approved")

        #expect(try f.store.approveRegistryEntries(name: "com.example/kept") == ["com.example/kept@1.0.0"])
        #expect(try f.store.registryEntries(named: "com.example/kept").first?.document.contains("changed") == true)
        #expect(Set(try f.store.approveRegistryEntries(name: nil)) == ["com.example/new@1.0.0", "com.example/old@1.0.0"])
        #expect(try f.catalog().entry("com.example/new", version: "latest") != nil)
    }

    @Test("a list file is parsed with its statuses; invalid entries refuse the import with their pointer, or are skipped")
    func listFiles() throws {
        let list = #"""
            {"servers":[
              {"server":{"name":"com.example/a","description":"A","version":"1.0.0"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"active"}}},
              {"server":{"name":"com.example/b","description":"B","version":"2.0.0"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"deleted"}}},
              {"name":"com.example/legacy","description":"bare server.json","version":"0.1.0","status":"deprecated"}
            ],"metadata":{"nextCursor":"abc","count":3}}
            """#
        let page = try RegistryAdmin.parseList(Data(list.utf8), source: "list.json", skipInvalid: false)
        #expect(page.items.map(\.name) == ["com.example/a", "com.example/b", "com.example/legacy"])
        #expect(page.items.map(\.status) == [.active, .deleted, .deprecated])
        #expect(page.nextCursor == "abc")
        #expect(!page.items[2].document.contains("\"status\""), "registry-managed fields are not kept in server.json")

        let bad =
            #"{"servers":[{"server":{"name":"x","description":"d","version":"1"}},{"server":{"name":"a.b/c","description":"d","version":"1"}}]}"#
        do {
            _ = try RegistryAdmin.parseList(Data(bad.utf8), source: "bad.json", skipInvalid: false)
            Issue.record("an invalid entry refuses the import")
        } catch {
            #expect(error.message.contains("/servers/0/server/name: minLength"), "\(error.message)")
        }
        let skipped = try RegistryAdmin.parseList(Data(bad.utf8), source: "bad.json", skipInvalid: true)
        #expect(skipped.items.map(\.name) == ["a.b/c"] && skipped.skipped.count == 1)
        #expect(throws: GatewayError.self) { try RegistryAdmin.parseList(Data("[]".utf8), source: "x", skipInvalid: false) }
    }

    @Test("health: the last probe, a history row per probe (trimmed), changes named; health writes are not configuration")
    func health() async throws {
        let f = try await RegistryFixture(servers: [])
        let target = "external:com.example/a"
        let config = try f.store.configRevision()
        let health = try f.store.registryRevisions().health
        var change = try RegistryHealthWriter.record(
            store: f.store, target: target, result: ProbeResult(state: .reachable, latency: .milliseconds(5), tools: ["a", "b"], fingerprint: "f1"))
        #expect(change == "first probe: reachable")
        change = try RegistryHealthWriter.record(store: f.store, target: target, result: ProbeResult(state: .unreachable, detail: "refused"))
        #expect(change == "state: reachable → unreachable")
        let down = try #require(try f.store.registryHealth(target: target))
        #expect(down.toolCount == 2 && down.fingerprint == "f1" && down.lastReachableAt != nil, "the last known tools are kept")
        change = try RegistryHealthWriter.record(
            store: f.store, target: target, result: ProbeResult(state: .reachable, tools: ["a", "b", "c"], fingerprint: "f2"))
        #expect(change == "state: unreachable → reachable; tools changed: 2 → 3")
        #expect(try f.store.configRevision() == config, "probes never reload the engine")
        #expect(try f.store.registryRevisions().health > health)
        for _ in 0..<(GatewayStore.healthHistoryLimit + 5) {
            try RegistryHealthWriter.record(store: f.store, target: target, result: ProbeResult(state: .reachable, tools: ["a"], fingerprint: "f3"))
        }
        let history = try f.store.healthHistory(target: target)
        #expect(history.count == GatewayStore.healthHistoryLimit)
        #expect(try f.store.healthHistories(limit: 3)[target]?.count == 3)
    }

    @Test("apply → export → apply → export is byte-identical with a registry section; unknown keys are refused with their path")
    func applyExport() async throws {
        let f = try await RegistryFixture()
        let file = """
            apis:
              - name: petstore
                spec: \(f.dir.path)/pets.yaml
                baseUrl: http://127.0.0.1:9
                allowPrivateNetwork: true
            servers:
              - name: pets
                api: petstore
            registry:
              anonymousRead: false
              gateway:
                - server: pets
                  version: 3.1.0
                  lifecycle: testing
                  tags: [animals]
              entries:
                - name: com.example/weather
                  url: https://weather.example.com/mcp
                  description: Weather
                  version: "1.0"
                - server:
                    name: io.github.example/files
                    description: Files
                    version: 0.3.0
                    packages:
                      - registryType: npm
                        identifier: "@example/files"
                        version: 0.3.0
                        transport: {type: stdio}
                  owner: team-files
                  lifecycle: deprecated
                  statusMessage: use v2
                  pending: true
            """
        let applier = ConfigApplier(store: f.store, environment: [:])
        let summary = try await applier.apply(try ConfigApplier.parse(file, file: "g.yaml"), baseDirectory: f.dir.path, file: "g.yaml")
        #expect(summary.registry == ["pets", "com.example/weather@1.0", "io.github.example/files@0.3.0"])
        let first = try ConfigApplier.render(try applier.export())
        #expect(first.contains("registry:") && first.contains("version: '1.0'") || first.contains("version: \"1.0\""), "\(first)")

        let other = try GatewayStore(configuration: .init(path: f.dir.path + "/other.sqlite"))
        let second = ConfigApplier(store: other, environment: [:])
        _ = try await second.apply(try ConfigApplier.parse(first, file: "e.yaml"), baseDirectory: f.dir.path, file: "e.yaml")
        #expect(try ConfigApplier.render(try second.export()) == first)
        #expect(try other.registrySettings().anonymousRead == false)
        #expect(try other.registryEntries(named: "io.github.example/files").first?.approval == .pending)

        for (text, location) in [
            ("registry:\n  entries:\n    - name: a.b/c\n      urll: https://x\n", "registry.entries[0].urll"),
            ("registry:\n  anonymous: true\n", "registry.anonymous"),
            ("registry:\n  gateway:\n    - server: nope\n", "registry.gateway[0].server"),
            ("registry:\n  entries:\n    - server: {name: a.b/c, version: '1', description: ''}\n", "registry.entries[0].server"),
            ("registri: {}\n", "registri"),
        ] {
            do {
                _ = try await applier.apply(try ConfigApplier.parse(text, file: "bad.yaml"), baseDirectory: f.dir.path, file: "bad.yaml")
                Issue.record("accepted: \(text)")
            } catch let e as GatewayError {
                #expect(e.location?.hasSuffix(location) == true, "\(e.description)")
            }
        }
    }
}
