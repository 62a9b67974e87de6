import Foundation
import GRDB
import Testing

@testable import GatewayEngine
@testable import Store

/// Upstream MCP servers in the store: records, tool pinning, server sources, revisions, the snapshot.
@Suite("Upstream store")
struct UpstreamStoreTests {
    static func makeStore(_ dir: TempDir) throws -> GatewayStore {
        try GatewayStore(configuration: .init(path: dir.path + "/db/gatehouse.sqlite"))
    }

    static func http(_ name: String, url: String = "http://127.0.0.1:9000/mcp") -> UpstreamRecord.New {
        UpstreamRecord.New(name: name, transport: .streamable, url: url, allowPrivateNetwork: true)
    }

    static func stdio(_ name: String) -> UpstreamRecord.New {
        UpstreamRecord.New(name: name, transport: .stdio, argv: ["python3", "-m", "server"], environment: ["TZ": "UTC"], workingDirectory: "/tmp")
    }

    /// A tool as an upstream lists it; the fingerprint stands for the definition.
    static func seen(_ name: String, _ version: String = "1", flags: [String] = []) -> SeenUpstreamTool {
        SeenUpstreamTool(
            name: name, fingerprint: "\(name)-fp-\(version)", definition: #"{"name":"\#(name)","description":"\#(name) v\#(version)"}"#, flags: flags)
    }

    static func status(_ store: GatewayStore, _ upstream: String) throws -> [String: UpstreamToolRecord.Status] {
        Dictionary(uniqueKeysWithValues: try store.upstreamTools(upstream: upstream).map { ($0.name, $0.status) })
    }

    @Test("add, read, update in place (transport too), delete; the name cannot change")
    func addUpdateDelete() throws {
        let dir = TempDir()
        let store = try Self.makeStore(dir)
        let added = try store.addUpstream(
            UpstreamRecord.New(name: "fast", transport: .streamable, url: "http://127.0.0.1:9000/mcp", headers: ["X-Static": "v"]))
        #expect(added.id > 0)
        _ = try store.addUpstream(Self.stdio("time"))
        #expect(try store.upstreams().map(\.name) == ["fast", "time"])
        let time = try store.upstream(named: "time")
        #expect(time.argv == ["python3", "-m", "server"] && time.env == ["TZ": "UTC"] && time.workingDirectory == "/tmp")
        #expect(time.location == "python3 -m server")
        #expect(try store.upstream(named: "fast").headerFields == ["X-Static": "v"])

        let updated = try store.updateUpstream(named: "fast") { r in
            r.name = "renamed"
            r.transport = .sse
            r.url = "http://127.0.0.1:9000/sse"
            r.timeoutSeconds = 5
            r.maxTimeoutSeconds = 10
        }
        #expect(updated.name == "fast" && updated.transport == .sse && updated.timeoutSeconds == 5 && updated.id == added.id)
        // HTTP → stdio in place.
        let switched = try store.updateUpstream(named: "fast") { r in
            r.transport = .stdio
            r.url = nil
            r.headerFields = [:]
            r.argv = ["/bin/cat"]
        }
        #expect(switched.transport == .stdio && switched.argv == ["/bin/cat"] && switched.url == nil)

        try store.deleteUpstream(named: "fast")
        #expect(try store.upstreams().map(\.name) == ["time"])
        #expect((#expect(throws: StoreError.self) { try store.deleteUpstream(named: "fast") })?.code == .notFound)
        #expect((#expect(throws: StoreError.self) { try store.upstream(named: "fast") })?.code == .notFound)
    }

    @Test("invalid upstreams are refused with a message naming the upstream, and nothing is written")
    func validation() throws {
        let dir = TempDir()
        let store = try Self.makeStore(dir)
        let cases: [(UpstreamRecord.New, String)] = [
            (UpstreamRecord.New(name: "bad name", transport: .streamable, url: "http://h/mcp"), "name 'bad name'"),
            (UpstreamRecord.New(name: "nourl", transport: .streamable), "url must be an absolute http or https URL"),
            (UpstreamRecord.New(name: "ftp", transport: .sse, url: "ftp://h/x"), "url must be an absolute http or https URL"),
            (UpstreamRecord.New(name: "userinfo", transport: .streamable, url: "http://u:p@h/mcp"), "may not carry a user or password"),
            (UpstreamRecord.New(name: "both", transport: .streamable, url: "http://h/mcp", argv: ["x"]), "takes no command"),
            (UpstreamRecord.New(name: "nocmd", transport: .stdio), "needs a command"),
            (UpstreamRecord.New(name: "emptycmd", transport: .stdio, argv: [""]), "needs a command"),
            (UpstreamRecord.New(name: "stdiourl", transport: .stdio, url: "http://h/mcp", argv: ["x"]), "takes no url"),
            (UpstreamRecord.New(name: "stdiohdr", transport: .stdio, argv: ["x"], headers: ["A": "b"]), "HTTP upstreams only"),
            (UpstreamRecord.New(name: "stdiocred", transport: .stdio, argv: ["x"], credential: "c"), "HTTP upstreams only"),
            (UpstreamRecord.New(name: "hdr", transport: .streamable, url: "http://h/mcp", headers: ["Bad Name": "v"]), "is not a valid header"),
            (UpstreamRecord.New(name: "hdrval", transport: .streamable, url: "http://h/mcp", headers: ["X-A": "a\r\nB: c"]), "is not a valid header"),
            (UpstreamRecord.New(name: "env", transport: .stdio, argv: ["x"], environment: ["A=B": "c"]), "environment name"),
            (UpstreamRecord.New(name: "t0", transport: .stdio, argv: ["x"], timeoutSeconds: 0), "timeout must be between"),
            (UpstreamRecord.New(name: "tmax", transport: .stdio, argv: ["x"], maxTimeoutSeconds: 100_000), "max timeout must be between"),
            (UpstreamRecord.New(name: "order", transport: .stdio, argv: ["x"], timeoutSeconds: 20, maxTimeoutSeconds: 10), "exceeds max timeout"),
        ]
        for (record, message) in cases {
            let error = #expect(throws: StoreError.self, "\(record.name)") { try store.addUpstream(record) }
            #expect(error?.code == .invalid, "\(record.name)")
            #expect(error?.message.contains(message) == true, "\(record.name): \(error?.message ?? "")")
        }
        #expect(try store.upstreams().isEmpty)
        _ = try store.addUpstream(Self.http("dup"))
        #expect((#expect(throws: StoreError.self) { try store.addUpstream(Self.http("dup")) })?.code == .conflict)
        // An update that breaks a rule changes nothing.
        #expect(throws: StoreError.self) { try store.updateUpstream(named: "dup") { r in r.url = "not a url" } }
        #expect(try store.upstream(named: "dup").url == "http://127.0.0.1:9000/mcp")
    }

    @Test("tool pinning: first seen approved, changed held back, same again no change, removed, restored")
    func recordSemantics() throws {
        let dir = TempDir()
        let store = try Self.makeStore(dir)
        _ = try store.addUpstream(Self.http("up"))
        typealias C = UpstreamToolChange
        #expect(
            try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a"), Self.seen("b")]) == [
                C(tool: "a", kind: .added), C(tool: "b", kind: .added),
            ])
        #expect(try Self.status(store, "up") == ["a": .approved, "b": .approved])
        let a = try #require(try store.upstreamTools(upstream: "up").first { $0.name == "a" })
        #expect(a.approvedFingerprint == "a-fp-1" && a.currentFingerprint == "a-fp-1" && a.approvedDefinition == a.currentDefinition)

        // The same listing again: nothing changes.
        #expect(try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a"), Self.seen("b")]).isEmpty)

        // A changed definition is held back; the approved one is kept.
        #expect(try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a", "2"), Self.seen("b")]) == [C(tool: "a", kind: .changed)])
        let held = try #require(try store.upstreamTools(upstream: "up").first { $0.name == "a" })
        #expect(held.status == .pending && held.approvedFingerprint == "a-fp-1" && held.currentFingerprint == "a-fp-2")
        #expect(held.approvedDefinition?.contains("a v1") == true && held.currentDefinition.contains("a v2"))
        #expect(try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a", "2"), Self.seen("b")]).isEmpty, "same change again")

        // Reverting to the approved definition restores the tool.
        #expect(try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a"), Self.seen("b")]) == [C(tool: "a", kind: .restored)])
        #expect(try Self.status(store, "up")["a"] == .approved)

        // A tool no longer listed is removed; listed again with its approved definition, it is restored.
        #expect(try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a")]) == [C(tool: "b", kind: .removed)])
        #expect(try Self.status(store, "up")["b"] == .removed)
        #expect(try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a")]).isEmpty, "removed stays removed quietly")
        #expect(try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a"), Self.seen("b")]) == [C(tool: "b", kind: .restored)])
        // Back with another definition after a removal: held back.
        _ = try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a")])
        #expect(try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a"), Self.seen("b", "9")]) == [C(tool: "b", kind: .changed)])
        #expect(try Self.status(store, "up")["b"] == .pending)

        // Flags are recorded, one per line.
        _ = try store.recordUpstreamTools(
            upstream: "up", seen: [Self.seen("a", flags: ["bidi character in description", "zero-width"]), Self.seen("b", "9")])
        #expect(try store.upstreamTools(upstream: "up").first { $0.name == "a" }?.flags == "bidi character in description\nzero-width")
        #expect((#expect(throws: StoreError.self) { try store.recordUpstreamTools(upstream: "nope", seen: []) })?.code == .notFound)
    }

    @Test("a tool first seen with flagged text is held back until approved")
    func flaggedOnFirstSight() throws {
        let dir = TempDir()
        let store = try Self.makeStore(dir)
        _ = try store.addUpstream(Self.http("up"))
        let changes = try store.recordUpstreamTools(
            upstream: "up", seen: [Self.seen("ok"), Self.seen("odd", flags: ["bidi override in description"])])
        #expect(changes == [UpstreamToolChange(tool: "odd", kind: .flagged), UpstreamToolChange(tool: "ok", kind: .added)])
        let odd = try #require(try store.upstreamTools(upstream: "up").first { $0.name == "odd" })
        #expect(odd.status == .pending && odd.approvedFingerprint == nil && odd.approvedDefinition == nil)
        #expect(
            try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("ok"), Self.seen("odd", flags: ["bidi override in description"])]).isEmpty)
        #expect(try store.approveUpstreamTools(upstream: "up", tools: nil) == ["odd"])
        #expect(try Self.status(store, "up") == ["ok": .approved, "odd": .approved])
    }

    @Test("approve one, approve all, approving a tool not held back is refused")
    func approve() throws {
        let dir = TempDir()
        let store = try Self.makeStore(dir)
        _ = try store.addUpstream(Self.http("up"))
        _ = try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a"), Self.seen("b"), Self.seen("c")])
        _ = try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a", "2"), Self.seen("b", "2"), Self.seen("c")])
        #expect(try Self.status(store, "up") == ["a": .pending, "b": .pending, "c": .approved])

        let notPending = #expect(throws: StoreError.self) { try store.approveUpstreamTools(upstream: "up", tools: ["c"]) }
        #expect(notPending?.code == .invalid && notPending?.message.contains("not waiting for approval") == true)
        #expect((#expect(throws: StoreError.self) { try store.approveUpstreamTools(upstream: "up", tools: ["zzz"]) })?.code == .notFound)
        // A refused batch approves nothing.
        #expect(throws: StoreError.self) { try store.approveUpstreamTools(upstream: "up", tools: ["a", "c"]) }
        #expect(try Self.status(store, "up")["a"] == .pending)

        #expect(try store.approveUpstreamTools(upstream: "up", tools: ["a"]) == ["a"])
        let a = try #require(try store.upstreamTools(upstream: "up").first { $0.name == "a" })
        #expect(a.status == .approved && a.approvedFingerprint == "a-fp-2" && a.approvedDefinition == a.currentDefinition)
        #expect(try store.approveUpstreamTools(upstream: "up", tools: nil) == ["b"])
        #expect(try store.approveUpstreamTools(upstream: "up", tools: nil).isEmpty, "nothing left")
        #expect(try Self.status(store, "up") == ["a": .approved, "b": .approved, "c": .approved])
        // The approved definition is now the reference: listing it again changes nothing.
        #expect(try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a", "2"), Self.seen("b", "2"), Self.seen("c")]).isEmpty)
    }

    @Test("the config revision moves with what is served, not with an identical re-record")
    func revisions() throws {
        let dir = TempDir()
        let store = try Self.makeStore(dir)
        var last = try store.configRevision()
        func moved() throws -> Bool {
            let now = try store.configRevision()
            defer { last = now }
            return now != last
        }
        _ = try store.addUpstream(Self.http("up"))
        #expect(try moved(), "add")
        _ = try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a")])
        #expect(try moved(), "first tools")
        _ = try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a")])
        #expect(try !moved(), "identical re-record")
        _ = try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a", "2")])
        #expect(try moved(), "approved → pending")
        _ = try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a", "2")])
        #expect(try !moved(), "the same change again")
        _ = try store.approveUpstreamTools(upstream: "up", tools: ["a"])
        #expect(try moved(), "approval")
        _ = try store.recordUpstreamTools(upstream: "up", seen: [])
        #expect(try moved(), "removal")
        _ = try store.updateUpstream(named: "up") { r in r.timeoutSeconds = 3 }
        #expect(try moved(), "update")
        _ = try store.createServer(name: "s", basePath: "s")
        _ = try moved()
        try store.addServerUpstream(server: "s", ServerUpstreamSpec(upstream: "up"))
        #expect(try moved(), "source added")
        try store.removeServerUpstream(server: "s", upstream: "up")
        #expect(try moved(), "source removed")
    }

    @Test("a server without an API takes upstream sources; a used upstream cannot be deleted")
    func serverSources() throws {
        let dir = TempDir()
        let store = try Self.makeStore(dir)
        _ = try store.addUpstream(Self.http("fast"))
        _ = try store.addUpstream(Self.stdio("time"))
        let server = try store.createServer(name: "combo", description: "d", basePath: "/combo/")
        #expect(server.apiId == nil && server.basePath == "combo" && !server.allOperations)
        #expect(try store.tools(serverId: server.id).isEmpty)
        #expect((#expect(throws: StoreError.self) { try store.createServer(name: "combo", basePath: "other") })?.code == .conflict)
        #expect((#expect(throws: StoreError.self) { try store.createServer(name: "other", basePath: "combo") })?.code == .conflict)
        #expect((#expect(throws: StoreError.self) { try store.createServer(name: "x", basePath: "x/mcp") })?.code == .invalid)

        try store.addServerUpstream(
            server: "combo",
            ServerUpstreamSpec(upstream: "fast", prefix: "fast_", tools: ["echo", "add"], renames: ["echo": "say"], descriptions: ["add": "Adds"]))
        try store.addServerUpstream(server: "combo", ServerUpstreamSpec(upstream: "time"))
        let sources = try store.serverUpstreams(server: "combo")
        #expect(sources.map(\.upstreamName) == ["fast", "time"])
        let fast = sources[0].link
        #expect(
            fast.prefix == "fast_" && fast.toolSelection == ["echo", "add"] && fast.renameMap == ["echo": "say"]
                && fast.descriptionMap == ["add": "Adds"])
        #expect(fast.exposedName(of: "echo") == "say" && fast.exposedName(of: "add") == "fast_add")
        #expect(sources[1].link.toolSelection == nil && sources[1].link.prefix == nil && sources[1].link.exposedName(of: "now") == "now")

        // Adding the same upstream again replaces its link (never two links to one upstream).
        try store.addServerUpstream(server: "combo", ServerUpstreamSpec(upstream: "fast", prefix: "f_"))
        let replaced = try store.serverUpstreams(server: "combo")
        #expect(replaced.count == 2 && replaced.first { $0.upstreamName == "fast" }?.link.prefix == "f_")

        let bad = [
            ServerUpstreamSpec(upstream: "fast", prefix: "bad prefix"), ServerUpstreamSpec(upstream: "fast", renames: ["echo": "no spaces"]),
        ]
        for spec in bad { #expect((#expect(throws: StoreError.self) { try store.addServerUpstream(server: "combo", spec) })?.code == .invalid) }
        #expect(
            (#expect(throws: StoreError.self) { try store.addServerUpstream(server: "combo", ServerUpstreamSpec(upstream: "nope")) })?.code
                == .notFound)
        #expect(
            (#expect(throws: StoreError.self) { try store.addServerUpstream(server: "nope", ServerUpstreamSpec(upstream: "fast")) })?.code
                == .notFound)

        let inUse = #expect(throws: StoreError.self) { try store.deleteUpstream(named: "time") }
        #expect(inUse?.code == .conflict && inUse?.message.contains("'combo'") == true)
        try store.removeServerUpstream(server: "combo", upstream: "time")
        #expect((#expect(throws: StoreError.self) { try store.removeServerUpstream(server: "combo", upstream: "time") })?.code == .notFound)
        try store.deleteUpstream(named: "time")
        // Deleting the server takes its links with it; the upstream is then free.
        try store.deleteServer(named: "combo")
        try store.deleteUpstream(named: "fast")
        #expect(try store.upstreams().isEmpty)
    }

    @Test("deleting an upstream deletes its recorded tools")
    func deleteCascades() throws {
        let dir = TempDir()
        let store = try Self.makeStore(dir)
        _ = try store.addUpstream(Self.http("up"))
        _ = try store.recordUpstreamTools(upstream: "up", seen: [Self.seen("a"), Self.seen("b")])
        try store.deleteUpstream(named: "up")
        let left = try store.dbPool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM upstreamTool") }
        #expect(left == 0)
    }

    @Test("the snapshot holds upstreams, their recorded tools and each server's sources in order")
    func snapshot() throws {
        let dir = TempDir()
        let store = try Self.makeStore(dir)
        _ = try store.addUpstream(Self.http("fast"))
        _ = try store.addUpstream(Self.stdio("time"))
        _ = try store.recordUpstreamTools(upstream: "fast", seen: [Self.seen("echo"), Self.seen("add")])
        _ = try store.createServer(name: "combo", basePath: "combo")
        _ = try store.createServer(name: "off", basePath: "off", enabled: false)
        try store.addServerUpstream(server: "combo", ServerUpstreamSpec(upstream: "time"))
        try store.addServerUpstream(server: "combo", ServerUpstreamSpec(upstream: "fast", prefix: "f_"))
        try store.addServerUpstream(server: "off", ServerUpstreamSpec(upstream: "fast"))
        let snap = try store.snapshot()
        let revision = try store.configRevision()
        #expect(snap.revision == revision)
        #expect(snap.servers.map(\.record.name) == ["combo"], "disabled servers are not served")
        let combo = try #require(snap.servers.first)
        #expect(combo.tools.isEmpty)
        #expect(combo.upstreams.map(\.upstreamName) == ["time", "fast"])
        #expect(combo.upstreams[1].link.prefix == "f_")
        #expect(Set(snap.upstreams.keys) == ["fast", "time"])
        #expect(snap.upstreams["time"]?.argv == ["python3", "-m", "server"])
        #expect(snap.upstreamTools["fast"]?.map(\.name) == ["add", "echo"])
        #expect(snap.upstreamTools["time"] == nil)
    }
}
