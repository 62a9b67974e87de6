import Foundation
import Store
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// The Registry screen (`:registry`) with rows sampled from a real store file: the list and an entry's page (goldens),
/// its keys (forms, confirmations, refusals, read-only), escaping of hostile registry text, and its tasks run by the
/// executor against the store.
@Suite("Console: Registry screen", .serialized)
struct RegistryScreenTests {
    typealias F = ConsoleFixture
    let golden = ConsoleGoldenTests()

    /// The time the screens are drawn at (fixed, so "checked 2m ago" and the history read the same every run).
    static let now = Date(timeIntervalSince1970: 1_780_000_000)
    /// ANSI escapes (OSC title, clear screen) and a bidi override.
    static let evil = "Docs \u{1b}]0;pwned\u{07}\u{1b}[2J\u{202E}search"

    final class Fixture: Sendable {
        let dir: String
        let store: GatewayStore
        let monitor = RequestMonitor()

        init() throws {
            dir = NSTemporaryDirectory() + "gatehouse-registry-screen-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            store = try GatewayStore(configuration: .init(path: dir + "/gatehouse.sqlite"))
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        var sampler: ConsoleDataSampler { ConsoleDataSampler(monitoring: monitor, store: store, listenAddress: { "http://127.0.0.1:8080" }) }
        var admin: RegistryAdmin { RegistryAdmin(store: store) }

        /// The console on the Registry screen, drawn at ``RegistryScreenTests/now``.
        func state(readOnly: Bool = false, width: Int = 100, height: Int = 30, ascii: Bool = false) -> ConsoleState {
            var data = sampler.sample()
            data.monitor.takenAt = RegistryScreenTests.now
            var s = F.state(readOnly: readOnly, width: width, height: height, data: data)
            s.asciiOnly = ascii
            s.press(.char(":"))
            s.type("registry")
            s.press(.enter)
            return s
        }

        func probe(_ name: String, _ state: RegistryHealthRecord.State, tools: [String]? = nil, minutesAgo: Double, detail: String? = nil) throws {
            let result = ProbeResult(
                state: state, detail: detail, latency: state == .reachable ? .milliseconds(42) : nil, tools: tools,
                fingerprint: tools.map { $0.joined(separator: ",") })
            try RegistryHealthWriter.record(
                store: store, target: RegistryProbeTarget.external(name).key, result: result,
                now: RegistryScreenTests.now.addingTimeInterval(-60 * minutesAgo))
        }
    }

    /// A gateway server `support`; external `com.example/weather` (probed three times: up, down, up with a new tool),
    /// `com.example/files` (deprecated, never probed), a pending import `org.other/maps`, and `com.example/docs` whose
    /// description is hostile.
    static func populated() throws -> Fixture {
        let f = try Fixture()
        _ = try f.store.createServer(name: "support", basePath: "support")
        try f.admin.add(
            try RegistryAdmin.document(for: .init(name: "com.example/weather", url: "https://weather.example.com/mcp", description: "Forecasts")),
            .init(owner: "team-sky", tags: ["weather", "public"]))
        try f.admin.add(
            try RegistryAdmin.document(
                for: .init(name: "com.example/files", url: "https://files.example.com/sse", transport: "sse", version: "2.1.0")),
            .init(lifecycle: .deprecated, statusMessage: "use com.example/drive"))
        try f.admin.add(
            try RegistryAdmin.document(for: .init(name: "com.example/docs", url: "https://docs.example.com/mcp", description: evil)), .init())
        let maps =
            #"{"name":"org.other/maps","description":"Maps from another registry","version":"0.3.0","remotes":[{"type":"streamable-http","url":"https://maps.other.org/mcp"}]}"#
        _ = try f.store.importRegistryEntries(
            [RegistryImportItem(name: "org.other/maps", version: "0.3.0", document: maps, status: .active)], origin: "https://registry.other.org")
        try f.probe("com.example/weather", .reachable, tools: ["forecast", "alerts"], minutesAgo: 30)
        try f.probe("com.example/weather", .unreachable, minutesAgo: 20, detail: "connection refused")
        try f.probe("com.example/weather", .reachable, tools: ["forecast", "alerts", "radar"], minutesAgo: 2)
        return f
    }

    func text(_ s: ConsoleState) -> String { ConsoleRenderer.render(s).text }

    // MARK: Goldens

    @Test func list() throws {
        var s = try Self.populated().state()
        #expect(s.screen == .registry)
        #expect(
            RegistryScreen.rows(s, s.page).map(\.name) == [
                "com.example/docs", "com.example/files", "com.example/weather", "local.gatehouse/support", "org.other/maps",
            ])
        s.press(.down, .down)
        try golden.assertSnapshot(s, "registry")
    }

    @Test func listNarrowASCII() throws {
        try golden.assertSnapshot(try Self.populated().state(width: 80, height: 24, ascii: true), "registry-80x24-ascii")
    }

    @Test func entryPage() throws {
        var s = try Self.populated().state(height: 40)
        s.press(.char("/"))
        s.type("weather")
        s.press(.enter, .enter)
        #expect(s.screen == .registryEntry && s.page.route.registryEntryRef?.name == "com.example/weather")
        try golden.assertSnapshot(s, "registry-entry")
    }

    @Test("hostile registry text is escaped on the list and the entry page")
    func escaping() throws {
        var s = try Self.populated().state()
        #expect(!text(s).contains("\u{1b}"))
        s.press(.char("/"))
        s.type("docs")
        s.press(.enter, .enter)
        let page = text(s)
        #expect(!page.contains("\u{1b}") && !page.contains("\u{202E}"))
        #expect(page.contains(#"Docs \x1B]0;pwned\x07\x1B[2J\u{202E}search"#))
    }

    @Test func emptyRegistry() throws {
        let s = try Fixture().state()
        #expect(text(s).contains("The registry is empty"))
        #expect(text(s).contains("gatehouse registry add NAME --url URL"))
    }

    // MARK: Keys

    @Test("n registers: the form checks the name and the URL, then submits a task")
    func register() async throws {
        let f = try Self.populated()
        var s = f.state()
        s.press(.char("n"))
        guard case .form(let form) = s.mode else {
            Issue.record("no form")
            return
        }
        #expect(form.title == "Register an external MCP server")
        s.type("not a name")
        #expect(s.press(.enter).isEmpty)
        guard case .form(let refused) = s.mode else {
            Issue.record("the form closed")
            return
        }
        #expect(refused.error == "the name is reverse DNS with one '/': com.example/weather")
        s.press(.escape)
        s.press(.char("n"))
        s.type("com.example/new")
        s.press(.tab)
        s.type("https://new.example.com/mcp")
        let effects = s.press(.enter)
        #expect(effects == [.screenTask(RegistryScreen.adding(.init(name: "com.example/new", url: "https://new.example.com/mcp"), .init()))])
        let effect = try #require(effects.first)
        let outcome = try #require(await ConsoleEffectExecutor(store: f.store, readOnly: false).execute(effect))
        #expect(outcome.succeeded, "\(outcome.message)")
        let entry = try #require(try f.store.registryEntries(named: "com.example/new").first)
        #expect(entry.document.contains("https://new.example.com/mcp") && entry.lifecycle == .production && entry.origin == "console")
    }

    @Test("D removes an external entry after asking; a gateway entry is refused; a approves a pending import")
    func removeAndApprove() throws {
        var s = try Self.populated().state()
        s.press(.char("/"))
        s.type("support")
        s.press(.enter, .char("D"))
        #expect(s.flash?.message.contains("is gateway server support") == true)
        s.press(.escape, .char("/"))
        s.type("files")
        s.press(.enter, .char("D"))
        guard case .confirm(let c) = s.mode else {
            Issue.record("no confirmation")
            return
        }
        #expect(c.lines.first == "Remove com.example/files 2.1.0 from the registry?")
        #expect(s.press(.char("y")) == [.screenTask(RegistryScreen.removing("com.example/files", "2.1.0"))])

        var t = try Self.populated().state()
        t.press(.char("/"))
        t.type("maps")
        t.press(.enter)
        #expect(text(t).contains("pending"))
        t.press(.char("a"))
        guard case .confirm(let a) = t.mode else {
            Issue.record("no confirmation")
            return
        }
        #expect(a.lines.contains("Remote: https://maps.other.org/mcp"))
        #expect(t.press(.char("y")) == [.screenTask(RegistryScreen.approving("org.other/maps"))])
        t.press(.escape, .char("/"))
        t.type("weather")
        t.press(.enter, .char("a"))
        #expect(t.mode == .normal && t.flash?.message == "com.example/weather waits for no approval")
    }

    @Test("read-only: the changing keys are refused and left out of the footer")
    func readOnly() throws {
        var s = try Self.populated().state(readOnly: true)
        #expect(!text(s).contains("<n> New"))
        #expect(s.press(.char("n")).isEmpty)
        #expect(s.mode == .normal)
        #expect(s.flash?.message.contains("read-only") == true)
    }

    // MARK: Tasks

    @Test("the tasks change the store with the CLI's rules")
    func tasks() async throws {
        let f = try Self.populated()
        let executor = ConsoleEffectExecutor(store: f.store, readOnly: false)
        func run(_ task: ScreenTask) async throws -> EffectOutcome { try #require(await executor.execute(.screenTask(task))) }

        let added = try await run(RegistryScreen.adding(.init(name: "com.example/new", url: "https://new.example.com/mcp"), .init(tags: ["x"])))
        #expect(added.succeeded && added.message == "registered com.example/new 1.0.0; the engine probes it now")
        #expect(try f.store.registryEntries(named: "com.example/new").first?.tagList == ["x"])
        let clash = try await run(RegistryScreen.adding(.init(name: "local.gatehouse/support", url: "https://x.example.com/mcp"), .init()))
        #expect(!clash.succeeded && clash.message.contains("support"), "\(clash.message)")

        let edited = try await run(
            RegistryScreen.updatingExternal(
                "com.example/weather", "1.0.0",
                .init(
                    description: "Forecasts and radar", title: "Weather", url: "https://radar.example.com/mcp", attributes: .init(owner: "team-rain"))
            ))
        #expect(edited.succeeded, "\(edited.message)")
        let weather = try #require(try f.store.registryEntries(named: "com.example/weather").first)
        #expect(
            weather.document.contains("https://radar.example.com/mcp") && weather.document.contains("Forecasts and radar")
                && weather.owner == "team-rain")
        let tooLong = try await run(
            RegistryScreen.updatingExternal(
                "com.example/weather", "1.0.0", .init(description: String(repeating: "x", count: 101), title: nil, url: nil, attributes: .init())))
        #expect(!tooLong.succeeded && tooLong.message.contains("/description"), "\(tooLong.message)")

        let gateway = try await run(
            RegistryScreen.updatingGateway(
                "support", .init(version: .some("3.0.0"), title: nil, description: nil, lifecycle: .testing, owner: "ops", tags: [], message: nil)))
        #expect(gateway.succeeded && gateway.message.contains("version 3.0.0"), "\(gateway.message)")

        #expect(try await run(RegistryScreen.deprecating("com.example/weather", "1.0.0", message: "use radar")).succeeded)
        #expect(try f.store.registryEntries(named: "com.example/weather").first?.lifecycle == .deprecated)
        #expect(try await run(RegistryScreen.approving("org.other/maps")).message == "approved org.other/maps@0.3.0")
        #expect(try await run(RegistryScreen.removing("com.example/files", "2.1.0")).succeeded)
        #expect(try f.store.registryEntries(named: "com.example/files").first?.status == .deleted)

        let refused = try #require(
            await ConsoleEffectExecutor(store: f.store, readOnly: true).execute(.screenTask(RegistryScreen.removing("com.example/new", "1.0.0"))))
        #expect(!refused.succeeded && refused.message.contains("read-only"))
    }
}
