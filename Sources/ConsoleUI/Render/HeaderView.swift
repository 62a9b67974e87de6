/// The three header rows: a title bar (listen address, uptime, throughput, mode flags), the screen tabs, and the
/// breadcrumbs with the filter and position.
enum HeaderView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext) {
        let s = ctx.state
        let t = ctx.theme
        let w = ctx.width
        // Row 0: title bar.
        buf.fill(x: 0, y: 0, width: w, height: 1, style: t.titleBar)
        var x = buf.write(" Gatehouse ", x: 0, y: 0, style: t.titleBar)
        let address = ctx.data.listenAddress.isEmpty ? "starting…" : ctx.safe(ctx.data.listenAddress)
        let monitor = ctx.data.monitor
        let info = " \(address)  \(ctx.dot)  up \(Format.uptime(monitor.uptime))  \(ctx.dot)  \(Format.rate(monitor.total.requestsPerSecond)) req/s"
        x += buf.write(info, x: x, y: 0, style: Style(reverse: true))
        var flags = s.registry.all.flatMap { $0.statusFlags(s) }
        let engine = ctx.data.engine
        if engine.attached {
            let pid = engine.status.map { " pid \($0.pid)" } ?? ""
            flags.insert(engine.problem == nil ? "ATTACHED\(pid)" : "ENGINE UNREACHABLE", at: 0)
        }
        if s.readOnly { flags.append("READ-ONLY") }
        let right = flags.map { "[\($0)]" }.joined(separator: " ") + " "
        let rw = TextWidth.columns(of: right)
        if rw > 1, x + rw < w { buf.write(right, x: w - rw, y: 0, style: t.titleBar) }

        // Row 1: the numbered tabs (and a screen without a number while it shows), and counts on the right.
        let spans = tabSpans(s)
        var tx = spans.last.map { $0.columns.upperBound + $0.gap } ?? 1
        for span in spans {
            buf.write(span.text, x: span.columns.lowerBound, y: tabRow, style: span.kind == s.tab ? t.tabActive : t.tabInactive)
        }
        let extra = s.registry.number(of: s.tab) == nil ? "[\(s.registry.screen(s.tab).title)]" : ""
        let gap = spans.first?.gap ?? 1
        if !extra.isEmpty, tx + TextWidth.columns(of: extra) <= w { tx += buf.write(extra, x: tx, y: 1, style: t.tabActive) + gap }
        let tools = ctx.data.servers.reduce(0) { $0 + $1.tools.count }
        let servers = "\(ctx.data.apis.count) APIs \(ctx.dot) \(ctx.data.servers.count) servers "
        // The longest count line that fits.
        if let counts = [servers + "\(ctx.dot) \(tools) tools ", servers].first(where: { tx + TextWidth.columns(of: $0) < w }) {
            buf.write(counts, x: w - TextWidth.columns(of: counts), y: 1, style: t.label)
        }

        // Row 2: breadcrumbs, filter and position.
        let sep = ctx.ascii ? " > " : " › "
        let crumbs = breadcrumbs(ctx).joined(separator: sep)
        var status = ""
        if !s.page.filter.isEmpty { status += "filter: \(ctx.safe(s.page.filter))  " }
        if let sort = s.sortLabel { status += "sort: \(sort)  " }
        if let keys = s.rowKeys(s.page), !keys.isEmpty { status += "\(s.page.selected + 1)/\(keys.count) " }
        let sw = TextWidth.columns(of: status)
        buf.put(" " + crumbs, x: 0, y: 2, width: max(0, w - sw - 1), style: t.breadcrumb, ascii: ctx.ascii)
        if sw > 0 { buf.write(status, x: w - sw, y: 2, style: t.accent) }
    }

    /// The screen row of the tabs.
    static let tabRow = 1

    /// Where each numbered tab is drawn on the tab row (`[1 Dashboard]` when current, ` 2 APIs ` otherwise): its text,
    /// its columns and the gap after it. The mouse reads the same layout the header draws.
    static func tabSpans(_ s: ConsoleState) -> [(kind: ScreenKind, text: String, columns: Range<Int>, gap: Int)] {
        let tabs = s.registry.numbered.map(s.registry.screen)
        let extra = s.registry.number(of: s.tab) == nil ? "[\(s.registry.screen(s.tab).title)]" : ""
        let (titles, gap) = tabLayout(tabs, width: s.width - TextWidth.columns(of: extra))
        var x = 1
        var out: [(kind: ScreenKind, text: String, columns: Range<Int>, gap: Int)] = []
        for (n, (top, title)) in zip(tabs, titles).enumerated() {
            let label = "\(n + 1) \(title)"
            let text = top.kind == s.tab ? "[\(label)]" : " \(label) "
            let w = TextWidth.columns(of: text)
            out.append((top.kind, text, x..<(x + w), gap))
            x += w + gap
        }
        return out
    }

    /// The tab titles and the columns between tabs: ``ConsoleScreen/tabTitle`` one column apart, then side by side,
    /// then ``ConsoleScreen/compactTitle`` the same ways; the first that fits `width` (80 columns at least).
    static func tabLayout(_ tabs: [any ConsoleScreen.Type], width: Int) -> (titles: [String], gap: Int) {
        let full = tabs.map { $0.tabTitle }
        let compact = tabs.map { $0.compactTitle }
        // A leading space, then ` N title ` per tab, `gap` columns apart.
        func needed(_ titles: [String], _ gap: Int) -> Int { 1 + titles.reduce(0) { $0 + TextWidth.columns(of: $1) + 4 } + (titles.count - 1) * gap }
        let layouts = [(full, 1), (full, 0), (compact, 1), (compact, 0)]
        return layouts.first { needed($0.0, $0.1) <= width } ?? (compact, 0)
    }

    /// `Servers › pets › getPetById`: one crumb per page of the current stack, each from its screen (names escaped).
    static func breadcrumbs(_ ctx: RenderContext) -> [String] {
        ctx.state.stack.map { page in ctx.state.registry.screen(ctx.state.kind(of: page.route)).crumb(page.route, ctx) }
    }
}
