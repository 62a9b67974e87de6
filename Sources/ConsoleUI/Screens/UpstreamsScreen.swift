/// Screen 9: upstream MCP servers (``UpstreamsView``), an upstream's page with its recorded tools and the selected
/// tool's before/after (``UpstreamDetailView``), and a tool's page with both definitions (``UpstreamToolDetailView``).
/// `n` adds one, tested before it is kept (`UpstreamsScreen+Forms.swift`); the console discovers tools now (`t`) and
/// approves held-back definitions (`a`, after a confirmation that shows what changes). What the keys do is in
/// `UpstreamsScreen+Actions.swift`.
enum UpstreamsScreen: ListScreen {
    static let kind = ScreenKind.upstreams
    static let title = "Upstreams"
    static let compactTitle = "Ups"
    static let aliases = ["upstream", "ups"]
    static let summary = "upstream MCP servers and their tools"
    static let pages: [any ConsoleScreen.Type] = [UpstreamDetailScreen.self, UpstreamToolDetailScreen.self]
    static let headerLines = UpstreamsView.headerLines
    static let feeds = [ConsoleFeed.upstreams]
    /// The bindings of the list, an upstream's page and a tool's page.
    static let bindings =
        formBindings + [
            KeyBinding.open(on: [.upstreams, .upstreamDetail]),
            KeyBinding(
                [.char("a")], "Approve all pending (asks first)", short: "Approve all", .approveUpstreamTools, .upstreams, on: [.upstreams],
                mutating: true),
            KeyBinding(
                [.char("a")], "Approve this tool (asks first)", short: "Approve", .approveUpstreamTools, .upstreams,
                on: [.upstreamDetail, .upstreamToolDetail],
                mutating: true),
            KeyBinding(
                [.char("t")], "Discover its tools now (connects)", short: "Discover", .discoverUpstream, .upstreams,
                on: [.upstreams, .upstreamDetail, .upstreamToolDetail], mutating: true),
        ]

    /// The filter also matches an upstream's servers and tool names.
    static func allRows(_ s: ConsoleState, _ page: Page) -> [ConsoleData.UpstreamRow] { s.data.upstreams }
    static func searchTexts(_ u: ConsoleData.UpstreamRow) -> [String] {
        [u.name, u.transport, u.location, u.credential ?? ""] + u.servers.map(\.server) + u.tools.map(\.name)
    }
    static func key(_ u: ConsoleData.UpstreamRow) -> String { u.name }
    /// The columns of ``UpstreamsView``, in its order (the flag column sorts by flagged tools).
    static let sortColumns: [SortColumn<ConsoleData.UpstreamRow>] = [
        .number("!") { Double($0.tools.filter { !$0.flags.isEmpty }.count) }, .text("NAME") { $0.name }, .text("TRANSPORT") { $0.transport },
        .number("APPROVED") { Double($0.approvedCount) }, .number("PENDING") { Double($0.pendingCount) },
        .number("REMOVED") { Double($0.removedCount) },
        .text("LOCATION") { $0.location },
    ]

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let u = selectedRow(s) { s.push(.upstream(u.name)) }
        return []
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        if action == add {
            s.mode = .form(addForm())
            return []
        }
        return s.performUpstreamAction(action)
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { UpstreamsView.draw(&buf, ctx, y: y, height: height) }
}

/// An upstream's page: how it is reached, the servers using it, its recorded tools and the selected one's panel.
enum UpstreamDetailScreen: ListScreen {
    static let kind = ScreenKind.upstreamDetail
    static let title = "Upstream"

    static func allRows(_ s: ConsoleState, _ page: Page) -> [ConsoleData.UpstreamToolRow] {
        page.route.value(as: String.self).flatMap(s.upstream)?.tools ?? []
    }
    static func searchTexts(_ t: ConsoleData.UpstreamToolRow) -> [String] {
        [t.name, t.status, t.currentDescription ?? ""] + t.flags + (t.flags.isEmpty ? [] : ["flagged"])
    }
    static func key(_ t: ConsoleData.UpstreamToolRow) -> String { t.name }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.value(as: String.self) ?? "") }

    /// The facts above the table and the selected tool's panel below it.
    static func viewport(_ s: ConsoleState, _ page: Page, contentHeight: Int) -> Int {
        max(1, contentHeight - UpstreamDetailView.headerLines - UpstreamDetailView.panelLines - 1)
    }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let name = s.page.route.value(as: String.self), let t = selectedRow(s) { s.push(.upstreamTool(upstream: name, tool: t.name)) }
        return []
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performUpstreamAction(action) }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { UpstreamDetailView.draw(&buf, ctx, y: y, height: height) }
}

/// One recorded tool of an upstream: its flags, description before and after, both definitions.
enum UpstreamToolDetailScreen: ConsoleScreen {
    static let kind = ScreenKind.upstreamToolDetail
    static let title = "Upstream tool"
    static let isTextPage = true

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        guard let (upstream, tool) = page.route.upstreamToolRef else { return [] }
        return UpstreamToolDetailView.lines(s, upstream: upstream, tool: tool)
    }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.upstreamToolRef?.tool ?? "") }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performUpstreamAction(action) }
}

extension ScreenKind {
    public static let upstreams = ScreenKind("upstreams"), upstreamDetail = ScreenKind("upstreamDetail")
    public static let upstreamToolDetail = ScreenKind("upstreamToolDetail")
}

extension Route {
    /// An upstream MCP server's page.
    static func upstream(_ name: String) -> Route { Route(.upstreamDetail, name) }
    /// One recorded tool of an upstream.
    static func upstreamTool(upstream: String, tool: String) -> Route { Route(.upstreamToolDetail, [upstream, tool]) }

    /// The upstream and tool of an upstream tool's page.
    var upstreamToolRef: (upstream: String, tool: String)? {
        guard let names = value(of: .upstreamToolDetail, as: [String].self), names.count == 2 else { return nil }
        return (names[0], names[1])
    }
}

extension ConsoleAction {
    /// Approve the current definition of held-back upstream tools: the selected one, or all of an upstream's (asks first).
    public static let approveUpstreamTools = ConsoleAction("approveUpstreamTools")
    /// Connect to the upstream now and record the tools it lists.
    public static let discoverUpstream = ConsoleAction("discoverUpstream")
}

extension KeyBinding.Group {
    public static let upstreams = KeyBinding.Group("Upstreams")
}
