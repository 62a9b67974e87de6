import GatewayEngine

/// Screen 5: engine events (imports, configuration changes, errors), newest first (``LogsView``); `enter` opens an
/// event's page with its whole message wrapped (``LogEventScreen``), so a line the table cuts can always be read.
enum LogsScreen: ListScreen {
    static let kind = ScreenKind.logs
    static let title = "Logs"
    static let aliases = ["log"]
    static let summary = "engine events"
    static let followsNewest = true
    static let pages: [any ConsoleScreen.Type] = [LogEventScreen.self]
    static let bindings = [KeyBinding.open(on: [kind])]

    static func allRows(_ s: ConsoleState, _ page: Page) -> [EngineEvent] { s.data.events }
    static func searchTexts(_ e: EngineEvent) -> [String] { [e.level.rawValue, e.message] }
    static func key(_ e: EngineEvent) -> String { "\(e.time.timeIntervalSince1970)|\(e.message)" }
    /// The columns of ``LogsView``, in its order (LEVEL sorts by severity).
    static let sortColumns: [SortColumn<EngineEvent>] = [
        .number("TIME") { $0.time.timeIntervalSince1970 }, .number("LEVEL") { e in e.level == .error ? 2 : e.level == .warning ? 1 : 0 },
        .text("MESSAGE") { $0.message },
    ]

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let event = selectedRow(s) { s.push(Route(LogEventScreen.kind, event)) }
        return []
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { LogsView.draw(&buf, ctx, y: y, height: height) }
}

/// One engine event in full: time to the millisecond, level, and the message wrapped to the screen (the page keeps
/// the event, so it stays readable after the log pane's ring has moved on). `y` copies the message.
enum LogEventScreen: ConsoleScreen {
    static let kind = ScreenKind("logEvent")
    static let title = "Event"
    static let isTextPage = true

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        guard let e = page.route.value(as: EngineEvent.self) else { return [] }
        let t = Theme(s)
        let style = e.level == .error ? t.crit : e.level == .warning ? t.warn : Style.plain
        var lines = [TextPageView.section("EVENT", t)]
        lines += TextPageView.field("Time", Format.timestamp(e.time, s.timeZone), width: s.width, theme: t)
        lines += TextPageView.field("Level", e.level.rawValue, width: s.width, theme: t, style: style)
        lines.append(.blank)
        lines.append(TextPageView.section("MESSAGE", t))
        // Line breaks break lines here (escaping would show them as ⏎); everything else is escaped.
        for paragraph in e.message.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lines += TextFit.wrap(SafeText.escape(String(paragraph), ascii: s.asciiOnly), width: max(10, s.width - 4)).map {
                StyledLine("  " + $0, style)
            }
        }
        return lines
    }

    static func crumb(_ route: Route, _ ctx: RenderContext) -> String {
        route.value(as: EngineEvent.self).map { Format.clock($0.time, ctx.state.timeZone) } ?? ""
    }
}

extension ScreenKind {
    public static let logs = ScreenKind("logs")
}
