import AsyncHTTPClient
import Foundation
import Logging
import Store
import Testing

@testable import GatewayEngine

@Suite("Stdio supervisor with a real child")
struct StdioSupervisorTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("interop/upstreams/stdio_fault.py").path

    func makeHub(_ dir: URL) throws -> (UpstreamHub, GatewayStore) {
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        let record = try store.addUpstream(
            UpstreamRecord.New(name: "faulty", transport: .stdio, argv: ["python3", Self.script, "--tag", dir.lastPathComponent]))
        var configuration = UpstreamConfiguration()
        configuration.stdioRestartBackoff = .milliseconds(50)
        configuration.stdioStopGrace = .milliseconds(500)
        let hub = UpstreamHub(store: store, configuration: configuration, credentials: nil, logger: Logger(label: "test"))
        hub.update(["faulty": record], inUse: ["faulty"])
        return (hub, store)
    }

    func text(_ answer: JSONObject) -> String? {
        answer["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue
    }

    @Test("a crash fails only its call, the next call restarts the child, never two at once, none left after shutdown")
    func restartAfterCrash() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gh-stdio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (hub, store) = try makeHub(dir)
        let settings = try hub.settings("faulty")
        let supervisor = hub.supervisor(settings)

        let report = try await hub.discover("faulty")
        #expect(report.tools.map(\.name).sorted() == ["crash", "echo", "ok", "pid", "stderr", "where"])
        #expect(try store.upstreamTools(upstream: "faulty").allSatisfy { $0.status == .approved })

        let session = try await supervisor.session()
        let first = try #require(
            text(try await session.request(method: "tools/call", params: ["name": "pid", "arguments": .object([:])], call: nil)))
        #expect(Int32(first) == supervisor.pid)
        // Concurrent calls share the one child.
        try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let s = try await supervisor.session()
                    return self.text(try await s.request(method: "tools/call", params: ["name": "pid", "arguments": .object([:])], call: nil))
                }
            }
            for try await pid in group { #expect(pid == first) }
        }

        await #expect(throws: UpstreamError.self) {
            _ = try await session.request(method: "tools/call", params: ["name": "crash", "arguments": .object([:])], call: nil)
        }
        let restarted = try await supervisor.session()
        #expect(restarted !== session)
        let second = try #require(
            text(try await restarted.request(method: "tools/call", params: ["name": "pid", "arguments": .object([:])], call: nil)))
        #expect(second != first)
        #expect(kill(Int32(first)!, 0) == -1, "the crashed child was reaped")
        #expect(Self.processes(tag: dir.lastPathComponent).count == 1)

        await hub.shutdown()
        #expect(Self.processes(tag: dir.lastPathComponent).isEmpty, "no child outlives the hub")
    }

    @Test("an upstream that never answers fails within the hard maximum (U1)")
    func timeout() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gh-stdio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        // `sleep` never reads its input nor answers: the handshake must give up at the hard maximum.
        let record = try store.addUpstream(
            UpstreamRecord.New(name: "mute", transport: .stdio, argv: ["sleep", "300"], timeoutSeconds: 0.3, maxTimeoutSeconds: 0.5))
        // Without the hard maximum the handshake would wait connect + silence = 60.3 s; with it, 0.5 s. The bound
        // leaves room for a machine busy with other suites.
        var configuration = UpstreamConfiguration()
        configuration.connectTimeout = .seconds(60)
        let hub = UpstreamHub(store: store, configuration: configuration, credentials: nil, logger: Logger(label: "test"))
        hub.update(["mute": record], inUse: [])
        let started = ContinuousClock.now
        await #expect(throws: UpstreamError.self) { _ = try await hub.supervisor(try hub.settings("mute")).session() }
        #expect(ContinuousClock.now - started < .seconds(30), "initialize is bounded by the hard maximum")
        await hub.shutdown()
    }

    /// PIDs of running processes whose command line contains the tag.
    static func processes(tag: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let cmd = String(decoding: data, as: UTF8.self)
            guard cmd.contains(tag), cmd.contains("stdio_fault") else { return false }
            // Zombies are not running processes.
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            return !stat.contains(") Z ")
        }
    }
}

@Suite("Stdio environments with credential references")
struct StdioCredentialEnvironmentTests {
    @Test("{{credential:NAME}} reaches the child as the connection's secret and is stored only as the reference")
    func credentialReference() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gh-stdio-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        let secret = "env-canary-\(UUID().uuidString)"
        let service = CredentialService(vault: try CredentialVault.open(store: store, environment: [:], create: true))
        try service.addProvider(name: "gh-token", kind: .bearer, settings: .init(), secret: SecretValue(secret), allowPrivateNetwork: false)

        // An unknown connection is refused when the upstream is saved.
        #expect(throws: StoreError.self) {
            _ = try store.addUpstream(
                UpstreamRecord.New(
                    name: "bad", transport: .stdio, argv: ["python3", StdioSupervisorTests.script],
                    environment: ["INTEROP_STDIO_MARK": "{{credential:nope}}"]))
        }
        let record = try store.addUpstream(
            UpstreamRecord.New(
                name: "tokened", transport: .stdio, argv: ["python3", StdioSupervisorTests.script, "--tag", dir.lastPathComponent],
                environment: ["INTEROP_STDIO_MARK": "token={{credential:gh-token}}", "GH_TOKEN": "{{credential:gh-token}}"]))
        #expect(record.environment?.contains(secret) == false)
        // A value that is only a reference holds no secret: it is exported as written. Text around a reference might.
        let exported = try ConfigApplier(store: store, environment: [:]).export().upstreams?.first { $0.name == "tokened" }?.env
        #expect(exported?["GH_TOKEN"] == .value("{{credential:gh-token}}"))
        #expect(exported?["INTEROP_STDIO_MARK"] == .reference(.init(stored: true)))
        // The connection cannot be deleted while the environment refers to it.
        #expect(throws: StoreError.self) { try store.deleteCredentialConnection(named: "gh-token") }

        let http = PinnedHTTPClient(http: .init(redirectConfiguration: .disallow))
        let credentials = CredentialManager(store: store, http: http, environment: [:], logger: Logger(label: "test"))
        let hub = UpstreamHub(store: store, configuration: UpstreamConfiguration(), credentials: credentials, logger: Logger(label: "test"))
        hub.update(["tokened": record], inUse: [])
        let session = try await hub.supervisor(try hub.settings("tokened")).session()
        let answer = try await session.request(method: "tools/call", params: ["name": "where", "arguments": .object([:])], call: nil)
        let text = try #require(answer["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue)
        let mark = try JSONParser().parse(text)["mark"]?.stringValue
        #expect(mark == "token=\(secret)")
        await hub.shutdown()
        try await http.shutdown()
    }
}

@Suite("Upstream answers that quote the gateway's secrets")
struct UpstreamSecretRedactionTests {
    @Test("a stdio tool that prints its credential-backed environment gets it redacted before the client sees it")
    func echoedSecretIsRedacted() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let secret = "relay-canary-\(UUID().uuidString)"
        try CredentialHTTPTests.service(g).addProvider(
            name: "tok", kind: .bearer, settings: .init(), secret: SecretValue(secret), allowPrivateNetwork: false)
        _ = try g.store.addUpstream(
            UpstreamRecord.New(
                name: "echoer", transport: .stdio, argv: ["python3", StdioSupervisorTests.script, "--tag", "redaction"],
                environment: ["INTEROP_STDIO_MARK": "{{credential:tok}}"]))
        try g.store.addServerUpstream(server: "pets", ServerUpstreamSpec(upstream: "echoer", prefix: "u_", tools: ["where", "echo"]))
        g.gateway.reload()
        let sid = try await initialize(g)
        let reply = try await send(g.url, body: PolicyHTTPTests.call("u_where", arguments: "{}"), headers: ["Mcp-Session-Id": sid])
        #expect(reply.status == 200)
        #expect(!reply.body.contains(secret), "the upstream's echo of the credential reached the client")
        #expect(reply.body.contains("[redacted]"), "\(reply.body)")
        // Ordinary answers pass untouched.
        let echo = try await send(g.url, body: PolicyHTTPTests.call("u_echo", arguments: #"{"text":"plain text"}"#), headers: ["Mcp-Session-Id": sid])
        #expect(echo.body.contains("plain text"))
    }
}
