import Foundation
import Testing

@testable import GatewayEngine
@testable import Store

/// `upstreams:` and server sources in the declarative configuration file.
@Suite("Upstream config")
struct UpstreamConfigTests {
    /// A store in a temporary directory with the test pets spec written beside it.
    struct Fixture {
        let dir = TempDir()
        let store: GatewayStore
        var spec: String { dir.path + "/pets.yaml" }

        init() throws {
            store = try GatewayStore(configuration: .init(path: dir.path + "/gatehouse.sqlite"))
            try testSpec.write(toFile: dir.path + "/pets.yaml", atomically: true, encoding: .utf8)
        }

        var applier: ConfigApplier { ConfigApplier(store: store, environment: ["TIME_KEY": "from-env"]) }

        @discardableResult
        func apply(_ yaml: String) async throws -> ConfigApplier.Summary {
            try await applier.apply(try ConfigApplier.parse(yaml, file: "test.yaml"), baseDirectory: dir.path, file: "test.yaml")
        }

        func export(includeSecrets: Bool = false) throws -> String {
            try ConfigApplier.render(try applier.export(includeSecrets: includeSecrets))
        }

        /// Applies and expects a config error at `location` whose message contains `message`.
        func refuse(_ yaml: String, at location: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) async {
            do {
                try await apply(yaml)
                Issue.record("applied, expected an error at \(location)", sourceLocation: sourceLocation)
            } catch let error as GatewayError {
                #expect(error.location == "test.yaml: \(location)", "\(error)", sourceLocation: sourceLocation)
                #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
            } catch {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    func fullConfig(_ f: Fixture) -> String {
        """
        apis:
          - name: petstore
            spec: \(f.spec)
            baseUrl: http://127.0.0.1:9
            allowPrivateNetwork: true
        credentials:
          - name: conn
            type: bearer
            secret: {value: upstream-token}
        upstreams:
          - name: fast
            url: http://127.0.0.1:9001/mcp
            transport: streamable
            allowPrivateNetwork: true
            headers: {X-Static: v, A-First: w}
            credential: conn
            timeout: 5
            maxTimeout: 10
          - name: legacy
            url: https://mcp.example/sse
            transport: sse
            timeout: 2.5
          - name: time
            command: [python3, -m, mcp_server_time, --local-timezone, UTC]
            env: {TZ: UTC, SECRET: {value: s3cret-value}, FROM_ENV: {env: TIME_KEY}}
            cwd: /tmp
        servers:
          - name: combo
            api: petstore
            operations: [getPetById]
            upstreams:
              - upstream: fast
                prefix: fast_
                tools: [echo, add]
                rename: {echo: say}
                descriptions: {add: Adds}
              - upstream: time
          - name: only
            basePath: only/upstreams
            upstreams:
              - upstream: legacy
        """
    }

    @Test("apply → export → apply → export round-trips upstreams and virtual servers exactly; env values stay stored")
    func roundTrip() async throws {
        let f = try Fixture()
        let summary = try await f.apply(fullConfig(f))
        #expect(summary.upstreams == ["fast", "legacy", "time"])
        #expect(summary.servers == ["combo", "only"])

        let fast = try f.store.upstream(named: "fast")
        #expect(fast.transport == .streamable && fast.headerFields == ["X-Static": "v", "A-First": "w"] && fast.allowPrivateNetwork)
        #expect(fast.credential == "conn" && fast.credentialOrigin == "http://127.0.0.1:9001")
        #expect(fast.timeoutSeconds == 5 && fast.maxTimeoutSeconds == 10)
        #expect(try f.store.upstream(named: "legacy").transport == .sse && f.store.upstream(named: "legacy").timeoutSeconds == 2.5)
        let time = try f.store.upstream(named: "time")
        #expect(time.transport == .stdio && time.argv == ["python3", "-m", "mcp_server_time", "--local-timezone", "UTC"])
        #expect(time.env == ["TZ": "UTC", "SECRET": "s3cret-value", "FROM_ENV": "from-env"] && time.workingDirectory == "/tmp")

        let combo = try f.store.server(named: "combo")
        #expect(combo.apiId != nil)
        #expect(try f.store.tools(serverId: combo.id).map(\.tool.name) == ["getPetById"])
        let sources = try f.store.serverUpstreams(server: "combo")
        #expect(sources.map(\.upstreamName) == ["fast", "time"])
        #expect(sources[0].link.prefix == "fast_" && sources[0].link.toolSelection == ["echo", "add"])
        #expect(sources[0].link.renameMap == ["echo": "say"] && sources[0].link.descriptionMap == ["add": "Adds"])
        let only = try f.store.server(named: "only")
        #expect(only.apiId == nil && only.basePath == "only/upstreams")
        #expect(try f.store.serverUpstreams(server: "only").map(\.upstreamName) == ["legacy"])

        let first = try f.export()
        #expect(!first.contains("s3cret-value") && !first.contains("from-env") && !first.contains("upstream-token"))
        #expect(first.contains("stored: true"))
        #expect(first.contains("upstreams:") && first.contains("command:") && first.contains("rename:"))
        #expect(first.contains("timeout: 5\n") && first.contains("maxTimeout: 10\n"), "\(first)")
        // Applying the export changes nothing, and exports the same text again.
        try await f.apply(first)
        let second = try f.export()
        #expect(first == second)
        #expect(
            try f.store.upstream(named: "time").env == ["TZ": "UTC", "SECRET": "s3cret-value", "FROM_ENV": "from-env"],
            "stored: true keeps the values")
        #expect(try f.store.serverUpstreams(server: "combo").map(\.link) == sources.map(\.link), "unchanged sources are not rewritten")

        // With --include-secrets the values are written, and the file applies to a fresh store identically.
        let withSecrets = try f.export(includeSecrets: true)
        #expect(withSecrets.contains("s3cret-value"))
        let g = try Fixture()
        try await g.apply(withSecrets.replacingOccurrences(of: f.spec, with: g.spec))
        #expect(try g.store.upstream(named: "time").env == ["TZ": "UTC", "SECRET": "s3cret-value", "FROM_ENV": "from-env"])
        #expect(try g.export().replacingOccurrences(of: g.spec, with: f.spec) == first)
    }

    @Test("the exported document parses back to the same value")
    func documentRoundTrip() async throws {
        let f = try Fixture()
        try await f.apply(fullConfig(f))
        let doc = try f.applier.export(includeSecrets: true)
        #expect(try ConfigApplier.parse(try ConfigApplier.render(doc), file: "x") == doc)
        let time = try #require(doc.upstreams?.first { $0.name == "time" })
        #expect(time.env?["SECRET"] == .value("s3cret-value"))
        #expect(try f.applier.export().upstreams?.first { $0.name == "time" }?.env?["SECRET"] == .reference(.init(stored: true)))
        #expect(doc.servers?.first { $0.name == "only" }?.api == nil)
    }

    @Test("apply needs no network: an upstream on a name that does not resolve is stored, not contacted")
    func noNetwork() async throws {
        let f = try Fixture()
        try await f.apply(
            """
            upstreams:
              - name: far
                url: https://no-such-host.invalid/mcp
            servers:
              - name: far
                upstreams: [{upstream: far, tools: [anything]}]
            """)
        #expect(try f.store.upstream(named: "far").url == "https://no-such-host.invalid/mcp")
        #expect(try f.store.upstreamTools(upstream: "far").isEmpty, "nothing discovered at apply time")
    }

    @Test("upstreams are updated in place (transport too) and kept when absent from the file; sources follow the file")
    func updatesAndSources() async throws {
        let f = try Fixture()
        try await f.apply(
            """
            upstreams:
              - {name: a, url: "http://127.0.0.1:9001/mcp", allowPrivateNetwork: true}
              - {name: b, command: [cat]}
              - {name: c, command: [cat]}
            servers:
              - name: s
                upstreams: [{upstream: a}, {upstream: b}, {upstream: c}]
            """)
        let id = try f.store.upstream(named: "a").id
        _ = try f.store.recordUpstreamTools(upstream: "a", seen: [UpstreamStoreTests.seen("t")])
        // a becomes stdio in place; b and c are not in the file and are left alone; s keeps only c then a, in that order.
        try await f.apply(
            """
            upstreams:
              - {name: a, command: [cat], env: {K: V}}
            servers:
              - name: s
                upstreams: [{upstream: c}, {upstream: a, prefix: p_}]
            """)
        let a = try f.store.upstream(named: "a")
        #expect(a.id == id && a.transport == .stdio && a.url == nil && a.argv == ["cat"] && a.env == ["K": "V"] && !a.allowPrivateNetwork)
        #expect(try f.store.upstreamTools(upstream: "a").map(\.name) == ["t"], "recorded tools survive an update")
        #expect(try f.store.upstreams().map(\.name) == ["a", "b", "c"])
        #expect(try f.store.serverUpstreams(server: "s").map(\.upstreamName) == ["c", "a"])
        #expect(try f.store.serverUpstreams(server: "s").last?.link.prefix == "p_")
        // A server with an API loses all its sources when the file lists none.
        try await f.apply(
            """
            apis: [{name: petstore, spec: \(f.spec), baseUrl: "http://127.0.0.1:9", allowPrivateNetwork: true}]
            servers:
              - {name: s, api: petstore, upstreams: [{upstream: b}]}
            """)
        #expect(try f.store.serverUpstreams(server: "s").map(\.upstreamName) == ["b"])
        try await f.apply("servers: [{name: s, api: petstore}]")
        #expect(try f.store.serverUpstreams(server: "s").isEmpty)
        // Removing a server's API by omission is refused rather than half-done.
        await f.refuse("servers: [{name: s, upstreams: [{upstream: b}]}]", at: "servers[0].api", "cannot be removed by apply")
    }

    @Test("one source replaced in place keeps its position among the others")
    func replaceSourceKeepsOrder() async throws {
        let f = try Fixture()
        try await f.apply(
            """
            upstreams: [{name: a, command: [cat]}, {name: b, command: [cat]}, {name: c, command: [cat]}]
            servers: [{name: s, upstreams: [{upstream: a}, {upstream: b}, {upstream: c}]}]
            """)
        try UpstreamRules.replaceSource(store: f.store, server: "s", with: ServerUpstreamSpec(upstream: "b", renames: ["x": "y"]))
        let sources = try f.store.serverUpstreams(server: "s")
        #expect(sources.map(\.upstreamName) == ["a", "b", "c"])
        #expect(sources[1].link.renameMap == ["x": "y"])
    }

    @Test("invalid upstream entries are refused with the path of the field, and nothing is written")
    func invalidEntries() async throws {
        let f = try Fixture()
        let cases: [(yaml: String, location: String, message: String)] = [
            ("upstreams: [{name: ok, command: [cat]}, {name: t, command: []}]", "upstreams[1].command", "expected the program"),
            ("upstreams: [{name: t, command: [\"\"]}]", "upstreams[0].command", "expected the program"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", command: [cat]}]", "upstreams[0]", "both url and command"),
            ("upstreams: [{name: t}]", "upstreams[0]", "needs url"),
            ("upstreams: [{name: 'bad name', command: [cat]}]", "upstreams[0].name", "must be 1–64 characters"),
            ("upstreams: [{name: t, command: [cat]}, {name: t, command: [cat]}]", "upstreams[1]", "listed twice"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", transport: websocket}]", "upstreams[0].transport", "expected streamable, sse or stdio"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", transport: stdio}]", "upstreams[0].transport", "stdio needs command"),
            ("upstreams: [{name: t, command: [cat], transport: sse}]", "upstreams[0].transport", "sse needs url"),
            ("upstreams: [{name: t, url: \"ftp://h/x\"}]", "upstreams[0].url", "not an absolute http or https URL"),
            ("upstreams: [{name: t, url: \"http://u:p@h/mcp\"}]", "upstreams[0].url", "user or password"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", headers: {Authorization: Bearer x}}]", "upstreams[0].headers.Authorization", "credential"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", headers: {X-Api-Key: x}}]", "upstreams[0].headers.X-Api-Key", "looks like a secret"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", headers: {Cookie: x}}]", "upstreams[0].headers.Cookie", "looks like a secret"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", headers: {\"Bad Name\": x}}]", "upstreams[0].headers.Bad Name", "not a valid header name"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", credential: nope}]", "upstreams[0].credential", "neither in the file nor in the store"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", env: {A: b}}]", "upstreams[0].env", "stdio upstreams only"),
            ("upstreams: [{name: t, url: \"http://h/mcp\", cwd: /tmp}]", "upstreams[0].cwd", "stdio upstreams only"),
            ("upstreams: [{name: t, command: [cat], headers: {X-A: b}}]", "upstreams[0].headers", "HTTP upstreams only"),
            ("upstreams: [{name: t, command: [cat], credential: c}]", "upstreams[0].credential", "HTTP upstreams only"),
            ("upstreams: [{name: t, command: [cat], env: {\"A=B\": c}}]", "upstreams[0].env", "environment name"),
            ("upstreams: [{name: t, command: [cat], env: {K: {stored: true}}}]", "upstreams[0].env.K", "has none for K"),
            ("upstreams: [{name: t, command: [cat], env: {K: {env: NOT_SET_ANYWHERE}}}]", "upstreams[0].env.K", "NOT_SET_ANYWHERE is not set"),
            ("upstreams: [{name: t, command: [cat], env: {K: {env: A, value: b}}}]", "upstreams[0].env.K", "give one of"),
            ("upstreams: [{name: t, command: [cat], timeout: 0}]", "upstreams[0].timeout", "more than 0"),
            ("upstreams: [{name: t, command: [cat], maxTimeout: 100000}]", "upstreams[0].maxTimeout", "at most 86400"),
            ("upstreams: [{name: t, command: [cat], timeout: 20, maxTimeout: 10}]", "upstreams[0].timeout", "exceeds the max timeout"),
            ("servers: [{name: s}]", "servers[0]", "needs an api or at least one upstream"),
            ("servers: [{name: s, upstreams: [{upstream: nope}]}]", "servers[0].upstreams[0].upstream", "neither in the file nor in the store"),
            (
                "upstreams: [{name: t, command: [cat]}]\nservers: [{name: s, operations: [x], upstreams: [{upstream: t}]}]", "servers[0]",
                "need an api"
            ),
            (
                "upstreams: [{name: t, command: [cat]}]\nservers: [{name: s, upstreams: [{upstream: t}, {upstream: t}]}]",
                "servers[0].upstreams[1].upstream", "listed twice"
            ),
            (
                "upstreams: [{name: t, command: [cat]}]\nservers: [{name: s, upstreams: [{upstream: t, prefix: 'a b'}]}]",
                "servers[0].upstreams[0].prefix", "prefix 'a b'"
            ),
            (
                "upstreams: [{name: t, command: [cat]}]\nservers: [{name: s, upstreams: [{upstream: t, tools: []}]}]",
                "servers[0].upstreams[0].tools", "exposes nothing"
            ),
            (
                "upstreams: [{name: t, command: [cat]}]\nservers: [{name: s, upstreams: [{upstream: t, tools: [a], rename: {b: c}}]}]",
                "servers[0].upstreams[0].rename.b", "not among"
            ),
            (
                "upstreams: [{name: t, command: [cat]}]\nservers: [{name: s, upstreams: [{upstream: t, rename: {b: 'c d'}}]}]",
                "servers[0].upstreams[0].rename.b", "tool name 'c d'"
            ),
            (
                "upstreams: [{name: t, command: [cat]}]\nservers: [{name: s, upstreams: [{upstream: t, tools: [a], descriptions: {b: c}}]}]",
                "servers[0].upstreams[0].descriptions.b", "not among"
            ),
            (
                "upstreams: [{name: t, command: [cat]}]\nservers: [{name: s, upstreams: [{upstream: t, tools: [a, b], rename: {a: b}}]}]",
                "servers[0] (s)", "tool name 'b' is exposed by both upstream 't' (tool 'a') and upstream 't' (tool 'b')"
            ),
        ]
        for c in cases { await f.refuse(c.yaml, at: c.location, c.message) }
        #expect(try f.store.upstreams().isEmpty && f.store.servers().isEmpty, "nothing was written")
    }

    @Test("names two sources would both expose are refused, naming both; a prefix resolves it")
    func collisions() async throws {
        let f = try Fixture()
        try await f.apply(
            """
            apis: [{name: petstore, spec: \(f.spec), baseUrl: "http://127.0.0.1:9", allowPrivateNetwork: true}]
            upstreams: [{name: a, command: [cat]}, {name: b, command: [cat]}]
            """)
        _ = try f.store.recordUpstreamTools(upstream: "a", seen: [UpstreamStoreTests.seen("echo"), UpstreamStoreTests.seen("sum")])
        _ = try f.store.addUpstream(UpstreamRecord.New(name: "d", transport: .stdio, argv: ["cat"]))
        _ = try f.store.recordUpstreamTools(upstream: "d", seen: [UpstreamStoreTests.seen("gone")])
        _ = try f.store.recordUpstreamTools(upstream: "b", seen: [UpstreamStoreTests.seen("sum"), UpstreamStoreTests.seen("gone")])
        _ = try f.store.recordUpstreamTools(upstream: "b", seen: [UpstreamStoreTests.seen("sum")])
        await f.refuse(
            "servers: [{name: s, upstreams: [{upstream: a}, {upstream: b}]}]", at: "servers[0] (s)",
            "tool name 'sum' is exposed by both upstream 'a' (tool 'sum') and upstream 'b' (tool 'sum'); set a prefix")
        await f.refuse(
            "servers: [{name: s, api: petstore, upstreams: [{upstream: a, tools: [echo]}]}]", at: "servers[0] (s)",
            "tool name 'echo' is exposed by both API 'petstore' (operation 'echo') and upstream 'a' (tool 'echo')")
        // A renamed API tool, a prefix or a rename tells them apart; b's removed tool 'gone' claims no name.
        try await f.apply("servers: [{name: s1, api: petstore, tools: [{operation: echo, name: rest_echo}], upstreams: [{upstream: a}]}]")
        try await f.apply("servers: [{name: s2, upstreams: [{upstream: a}, {upstream: b, prefix: b_}]}]")
        try await f.apply("servers: [{name: s3, upstreams: [{upstream: a, rename: {sum: a_sum}}, {upstream: b}]}]")
        try await f.apply("upstreams: [{name: c, command: [cat]}]\nservers: [{name: s4, upstreams: [{upstream: b}, {upstream: c}, {upstream: d}]}]")
        #expect(try f.store.servers().map(\.name) == ["s1", "s2", "s3", "s4"])
    }

    @Test("secret-looking header names are recognised")
    func secretHeaders() {
        for name in ["Authorization", "proxy-authorization", "COOKIE", "X-API-Key", "X-Auth-Token", "Client-Secret", "apikey"] {
            #expect(UpstreamRules.isSecretHeader(name), "\(name)")
        }
        for name in ["X-Static", "Accept-Language", "X-Tenant", "User-Agent"] { #expect(!UpstreamRules.isSecretHeader(name), "\(name)") }
    }
}
