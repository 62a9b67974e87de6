import Foundation
import GRDB
import Store
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// Screen 9, Upstreams, with rows sampled from a real store file: the list, an upstream's page with the selected
/// tool's before/after, a tool's page, keys (approve asks first, discover), read-only, help and footer, escaping of
/// hostile upstream text, the executor's approvals (pinned to what was shown), the sampler's cache, and the whole
/// loop through the headless driver against a stdio upstream.
@Suite("Console: Upstreams screen", .serialized, .timeLimit(.minutes(2)))
struct UpstreamsScreenTests {
    typealias F = ConsoleFixture

    /// ANSI escapes (OSC title, clear screen), a bidi override, a zero-width space and a tag character.
    static let evil = "\u{1b}]0;pwned\u{07}\u{1b}[2J\u{202E}\u{200B}\u{E0041}"
    static let evilShown = #"\x1B]0;pwned\x07\x1B[2J\u{202E}\u{200B}\u{E0041}"#
    /// A tool name with a bidi override.
    static let evilName = "rug\u{202E}pull"
    static let evilNameShown = #"rug\u{202E}pull"#

    /// A store file in a temporary directory.
    final class Fixture: Sendable {
        let dir: String
        let store: GatewayStore
        let monitor = RequestMonitor()

        init() throws {
            dir = NSTemporaryDirectory() + "gatehouse-upstreams-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            store = try GatewayStore(configuration: .init(path: dir + "/gatehouse.sqlite"))
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        var sampler: ConsoleDataSampler { ConsoleDataSampler(monitoring: monitor, store: store, listenAddress: { "http://127.0.0.1:8080" }) }

        /// A state of the console with the store's rows, on screen 9.
        func state(readOnly: Bool = false, width: Int = 100, height: Int = 30, ascii: Bool = false) -> ConsoleState {
            var s = F.state(readOnly: readOnly, width: width, height: height, data: sampler.sample())
            s.asciiOnly = ascii
            s.press(.char("9"))
            return s
        }

        func tool(_ upstream: String, _ name: String) throws -> UpstreamToolRecord? {
            try store.upstreamTools(upstream: upstream).first { $0.name == name }
        }
    }

    /// A `tools/list` entry as the engine records it.
    static func seen(_ name: String, _ description: String, properties: [String] = ["q"]) -> SeenUpstreamTool {
        var props = JSONObject()
        for p in properties { props[p] = .object(["type": "string"]) }
        let tool: JSONObject = [
            "name": .string(name), "description": .string(description), "inputSchema": .object(["type": "object", "properties": .object(props)]),
        ]
        return SeenUpstreamTool(
            name: name, fingerprint: ToolFingerprint.fingerprint(tool), definition: ToolFingerprint.canonical(tool).jsonString,
            flags: ToolFingerprint.flags(tool))
    }

    /// `docs` (Streamable HTTP, used by server `support`): `fetch` approved, `old` removed, `search` changed to hostile
    /// text (held back, flagged), `rug‮pull` new with a bidi name (held back, flagged). `local` (stdio) was never
    /// discovered.
    static func populated() throws -> Fixture {
        let f = try Fixture()
        _ = try f.store.addUpstream(
            UpstreamRecord.New(name: "docs", transport: .streamable, url: "https://docs.example.com/mcp", headers: ["X-Team": "tools"]))
        _ = try f.store.addUpstream(UpstreamRecord.New(name: "local", transport: .stdio, argv: ["python3", "-m", "time server", "--tz", "UTC"]))
        _ = try f.store.recordUpstreamTools(
            upstream: "docs", seen: [seen("search", "Search the docs."), seen("fetch", "Fetch a page."), seen("old", "An old tool.")])
        _ = try f.store.recordUpstreamTools(
            upstream: "docs",
            seen: [
                seen("search", "Search the docs. " + evil, properties: ["q", "limit"]), seen("fetch", "Fetch a page."),
                seen(evilName, "Pulls the rug."),
            ])
        _ = try f.store.createServer(name: "support", basePath: "support")
        try f.store.addServerUpstream(server: "support", ServerUpstreamSpec(upstream: "docs", prefix: "docs_"))
        return f
    }

    func text(_ s: ConsoleState) -> String { ConsoleRenderer.render(s).text }

    /// The rendered line that contains `needle`, split into words.
    func words(_ s: ConsoleState, containing needle: String) -> [String] {
        let line = text(s).split(separator: "\n").first { $0.contains(needle) }.map(String.init) ?? ""
        return line.split(separator: " ").map(String.init)
    }

    /// No cell holds a control, bidi, zero-width or tag character: nothing an upstream sent reaches the terminal.
    func expectInert(_ s: ConsoleState, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let buffer = ConsoleRenderer.render(s)
        let bad = buffer.cells.filter { cell in
            SafeText.isSuspicious(cell.text) || cell.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        }
        #expect(bad.isEmpty, "\(what): \(bad.map { $0.text.unicodeScalars.map { String($0.value, radix: 16) } })", sourceLocation: sourceLocation)
        if s.asciiOnly {
            #expect(buffer.cells.allSatisfy { $0.text.unicodeScalars.allSatisfy(\.isASCII) }, "\(what) is not ASCII", sourceLocation: sourceLocation)
        }
    }

    // MARK: Rendering

    @Test("the list: transport, location, approved/pending/removed counts, a review mark")
    func list() throws {
        let f = try Self.populated()
        let s = f.state()
        #expect(s.screen == .upstreams)
        #expect(HeaderView.breadcrumbs(RenderContext(s)) == ["Upstreams"])
        let screen = text(s)
        #expect(screen.contains("[9 Upstreams]"))
        #expect(screen.contains("\n 2 upstreams  ·  tools: 1 approved, ▲ 2 pending, 1 removed, ✖ 2 flagged\n"))
        #expect(screen.contains("NAME              TRANSPORT   APPROVED  PENDING  REMOVED  LOCATION"))
        #expect(words(s, containing: "docs.example.com") == ["›", "✖", "docs", "streamable", "1", "2", "1", "https://docs.example.com/mcp"])
        #expect(words(s, containing: "stdio") == ["local", "stdio", "-", "-", "-", "python3", "-m", "'time", "server'", "--tz", "UTC"])
        // 80 columns, ASCII: the tab bar and the columns still fit.
        let narrow = f.state(width: 80, height: 24, ascii: true)
        let small = text(narrow)
        #expect(small.contains(" 1 Dash  2 APIs  3 Servers  4 Reqs  5 Logs  6 Policies  7 Subs  8 Creds [9 Ups]"))
        #expect(words(narrow, containing: "docs.exa") == [">", "X", "docs", "streamable", "1", "2", "1", "https://docs.exa~"])
        #expect(small.contains("\n 2 upstreams  |  tools: 1 approved, ! 2 pending, 1 removed, X 2 flagged\n"))
    }

    @Test("no upstreams: how to add one")
    func empty() throws {
        let f = try Fixture()
        let screen = text(f.state())
        #expect(screen.contains("No upstreams yet: n adds one (tested before it is saved), or use the CLI or gatehouse apply:"))
        #expect(screen.contains("gatehouse upstream add NAME --url URL [--transport sse]"))
        #expect(screen.contains("gatehouse upstream add NAME --command PROGRAM [--arg A]..."))
    }

    @Test("an upstream's page: settings, servers, tools with status and flags, the selected tool before and after")
    func detail() throws {
        let f = try Self.populated()
        var s = f.state()
        s.press(.enter)
        #expect(s.screen == .upstreamDetail)
        #expect(HeaderView.breadcrumbs(RenderContext(s)) == ["Upstreams", "docs"])
        var screen = text(s)
        #expect(screen.contains("Transport  streamable   ·   public addresses only   ·   no credential   ·   headers X-Team\n"))
        #expect(screen.contains("URL        https://docs.example.com/mcp"))
        #expect(screen.contains("Servers    support (prefix docs_)"))
        #expect(screen.contains("Tools      1 approved   ·   ▲ 2 pending   ·   1 removed   ·   ✖ 2 flagged"))
        #expect(screen.contains("TOOLS  a approves the selected tool  ·  t discovers again  ·  enter shows a tool in full"))
        #expect(s.upstreamToolRows(upstream: "docs", s.page).map(\.name) == ["fetch", "old", Self.evilName, "search"])
        #expect(words(s, containing: "Fetch a page.").prefix(5) == ["›", "●", "approved", "fetch", "-"])
        #expect(words(s, containing: "An old tool.").prefix(4) == ["-", "removed", "old", "-"])
        #expect(screen.contains("TOOL  fetch  ● approved: served as approved"))
        #expect(screen.contains("About      Fetch a page."))

        s.press(.end)
        #expect(s.targetUpstreamTool?.tool.name == "search")
        screen = text(s)
        #expect(words(s, containing: "✖ 5").prefix(6) == ["›", "▲", "pending", "search", "✖", "5"])
        #expect(screen.contains("TOOL  search  ▲ pending: changed since it was approved, held back"))
        #expect(screen.contains("Before     Search the docs.\n"))
        #expect(screen.contains("After      Search the docs. " + Self.evilShown))
        #expect(screen.contains("Changed    description, inputSchema"))
        #expect(screen.contains("Flags      description: control character U+001B U+0007, bidi control U+202E, zero-width\n"))
        #expect(screen.contains("           character U+200B, tag character U+E0041\n"))

        // A new tool held back for its text has no "before".
        s.press(.up)
        screen = text(s)
        #expect(screen.contains("TOOL  \(Self.evilNameShown)  ▲ pending: new, with suspicious text, held back"))
        #expect(screen.contains("Before     (never approved)"))
        #expect(screen.contains("Flags      name: bidi control U+202E"))
    }

    @Test("a tool's page: flags, description before and after, both definitions")
    func toolPage() throws {
        let f = try Self.populated()
        var s = f.state()
        s.press(.enter, .end, .enter)
        #expect(s.screen == .upstreamToolDetail)
        #expect(HeaderView.breadcrumbs(RenderContext(s)) == ["Upstreams", "docs", "search"])
        let screen = text(s)
        #expect(screen.contains("UPSTREAM TOOL  search"))
        #expect(screen.contains("Upstream         docs   ·   streamable"))
        #expect(screen.contains("Status           ▲ pending: changed since it was approved, held back (a approves it)"))
        #expect(screen.contains("✖ description: control character U+001B"))
        #expect(screen.contains("✖ description: bidi control U+202E"))
        #expect(screen.contains("Before           Search the docs.\n"))
        #expect(screen.contains("After            Search the docs. " + Self.evilShown))
        #expect(screen.contains("CURRENT DEFINITION (held back)"))
        s.press(.end)
        let end = text(s)
        #expect(end.contains("APPROVED DEFINITION (served until the new one is approved)"))
        #expect(end.contains(#""description": "Search the docs.""#))
        s.press(.escape)
        #expect(s.screen == .upstreamDetail && s.targetUpstreamTool?.tool.name == "search")
    }

    @Test("hostile upstream text is shown escaped on every screen, never emitted")
    func hostileTextIsEscaped() throws {
        let f = try Self.populated()
        for (width, height, ascii) in [(100, 30, false), (80, 24, true), (120, 40, false)] {
            var s = f.state(width: width, height: height, ascii: ascii)
            expectInert(s, "list \(width)")
            s.press(.char("a"))
            expectInert(s, "approve-all dialog \(width)")
            s.press(.char("n"), .enter)
            for i in 0..<4 {
                expectInert(s, "upstream page, row \(i), \(width)")
                s.press(.char("a"))
                expectInert(s, "approve dialog, row \(i), \(width)")
                s.press(.char("n"), .enter)
                for _ in 0..<6 {
                    expectInert(s, "tool page \(i), \(width)")
                    s.press(.pageDown)
                }
                s.press(.escape, .down)
            }
            s.press(.char("/"))
            s.type(Self.evil)
            expectInert(s, "filter \(width)")
        }
        // The escapes are visible, in full, on the tool page.
        var s = f.state()
        s.press(.enter, .end, .enter)
        #expect(text(s).contains(Self.evilShown))
        var ascii = f.state(width: 80, height: 24, ascii: true)
        ascii.press(.enter, .end, .enter)
        #expect(text(ascii).contains(Self.evilShown))
        // And in the confirmation.
        s.press(.char("a"))
        #expect(text(s).contains("After:  Search the docs. \\x1B]0;pwned\\x07"))
    }

    // MARK: Keys

    @Test("reachable by 9, tab and :upstreams")
    func navigation() throws {
        let f = try Self.populated()
        var s = F.state(data: f.sampler.sample())
        s.press(.char("8"), .tab)
        #expect(s.screen == .upstreams)
        s.press(.tab)
        #expect(s.screen == .dashboard)
        s.press(.backTab)
        #expect(s.screen == .upstreams)
        for command in ["upstreams", "ups", "upstream"] {
            s.press(.char("1"), .char(":"))
            s.type(command)
            #expect(s.press(.enter) == [])
            #expect(s.screen == .upstreams, "\(command)")
        }
        s.press(.char("/"))
        s.type("stdio")
        s.press(.enter)
        #expect(s.upstreamRows(s.page).map(\.name) == ["local"])
        s.press(.escape, .char("/"))
        s.type("pull")
        #expect(s.upstreamRows(s.page).map(\.name) == ["docs"], "the filter matches tool names")
    }

    @Test("a on the list asks, then approves every pending tool as shown")
    func approveAllAsksFirst() throws {
        let f = try Self.populated()
        var s = f.state()
        let search = try #require(try f.tool("docs", "search"))
        let rug = try #require(try f.tool("docs", Self.evilName))
        #expect(s.press(.char("a")) == [])
        guard case .confirm = s.mode else {
            Issue.record("no confirmation")
            return
        }
        let dialog = text(s)
        #expect(dialog.contains("Approve the current definitions of 2 pending tools of docs?"))
        #expect(dialog.contains(Self.evilNameShown + ", search"))
        #expect(dialog.contains("✖ 2 of them carry suspicious text: enter shows what it is."))
        #expect(dialog.contains("<y> Approve  <n> Cancel"))
        #expect(s.press(.char("n")) == [])
        #expect(s.flash?.message == "cancelled")
        let effects = s.press(.char("a"), .char("y"))
        #expect(
            effects == [.approveUpstreamTools(upstream: "docs", tools: ["search": search.currentFingerprint, Self.evilName: rug.currentFingerprint])])
        // Nothing pending: said, not asked.
        s.press(.down)
        #expect(s.press(.char("a")) == [])
        #expect(s.mode == .normal && s.flash?.message == "no tool of local is waiting for approval")
    }

    @Test("a on a tool: only a pending one, after a dialog with before and after")
    func approveOneAsksFirst() throws {
        let f = try Self.populated()
        var s = f.state()
        s.press(.enter)
        #expect(s.press(.char("a")) == [])
        #expect(s.mode == .normal && s.flash?.kind == .error && s.flash?.message == "fetch is approved: nothing waits for approval")
        s.press(.down)
        #expect(s.press(.char("a")) == [])
        #expect(s.flash?.message == "old is removed: the upstream no longer lists it")
        s.press(.end, .char("a"))
        let dialog = text(s)
        #expect(dialog.contains("Approve the current definition of search from docs?"))
        #expect(dialog.contains("Before: Search the docs."))
        #expect(dialog.contains("After:  Search the docs. \\x1B]0;pwned"))
        #expect(dialog.contains("Changed: description, inputSchema"))
        #expect(dialog.contains("✖ description: control character U+001B (+"))
        let search = try #require(try f.tool("docs", "search"))
        #expect(s.press(.char("y")) == [.approveUpstreamTools(upstream: "docs", tools: ["search": search.currentFingerprint])])
        #expect(s.screen == .upstreamDetail, "approving does not leave the page")
        // From the tool's page too.
        s.press(.enter)
        #expect(s.press(.char("a"), .char("y")) == [.approveUpstreamTools(upstream: "docs", tools: ["search": search.currentFingerprint])])
    }

    @Test("t discovers the upstream in view")
    func discover() throws {
        let f = try Self.populated()
        var s = f.state()
        #expect(s.press(.char("t")) == [.discoverUpstream(name: "docs")])
        #expect(s.flash?.message == "discovering the tools of docs (streamable)…")
        s.press(.down)
        #expect(s.press(.char("t")) == [.discoverUpstream(name: "local")])
        s.press(.up, .enter, .enter)
        #expect(s.press(.char("t")) == [.discoverUpstream(name: "docs")])
    }

    @Test("read-only: no approval, no discovery, no hints for them")
    func readOnly() throws {
        let f = try Self.populated()
        var s = f.state(readOnly: true)
        #expect(!text(s).contains("<a>") && !text(s).contains("<t>"))
        for key in [Key.char("a"), .char("t")] {
            #expect(s.press(key) == [])
            #expect(s.mode == .normal && s.flash?.message.contains("read-only mode") == true)
        }
        s.press(.enter)
        #expect(!text(s).contains("a approves"))
        s.press(.end)
        #expect(s.press(.char("a")) == [] && s.mode == .normal)
        s.press(.enter)
        #expect(!text(s).contains("(a approves it)"))
        #expect(s.press(.char("a")) == [])
    }

    @Test("footer hints and ? help come from the binding table")
    func hintsAndHelp() throws {
        let f = try Self.populated()
        var s = f.state()
        #expect(text(s).contains("<enter> Open  <a> Approve all  <t> Discover  </> Filter  <?> Help  <q> Quit"))
        s.press(.enter)
        #expect(text(s).contains("<enter> Open  <a> Approve  <t> Discover  </> Filter  <esc> Back  <?> Help  <q> Quit"))
        s.press(.enter)
        #expect(text(s).contains("<a> Approve  <t> Discover  <esc> Back  <?> Help  <q> Quit"))
        s.press(.char("?"))
        var help = ""
        for _ in 0..<8 {
            help += text(s)
            s.press(.pageDown)
        }
        #expect(help.contains("UPSTREAMS"))
        #expect(help.contains("Approve all pending (asks first)"))
        #expect(help.contains("Approve this tool (asks first)"))
        #expect(help.contains("Discover its tools now (connects)"))
        #expect(help.contains(":upstreams"))
        #expect(help.contains("1-9"))
    }

    @Test("the cursor stays on its tool when rows come and go")
    func cursorFollowsItsRow() throws {
        let f = try Self.populated()
        var s = f.state()
        s.press(.enter, .end)
        #expect(s.targetUpstreamTool?.tool.name == "search")
        _ = try f.store.recordUpstreamTools(
            upstream: "docs", seen: [Self.seen("search", "Search the docs. " + Self.evil, properties: ["q", "limit"])])
        _ = s.handle(.data(f.sampler.sample()))
        #expect(s.targetUpstreamTool?.tool.name == "search")
        #expect(s.upstreamToolRows(upstream: "docs", s.page).map(\.status) == ["removed", "removed", "removed", "pending"])
    }
}
