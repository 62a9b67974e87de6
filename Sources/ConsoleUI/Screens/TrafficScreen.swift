import Foundation
import Store

/// `:traffic`: figures over a selectable window (1 min, 5 min, 1 h, 24 h: `w`) from the stored request log, per tool,
/// server, client, principal or error code (`b`): calls, client errors, server-side failures, refusals and the
/// latency percentiles, each labelled with its window; grouped by policy, what each policy saw and refused. Sortable by
/// any column like every list; `enter` opens a group's page with its latency histogram (``TrafficGroupScreen``).
enum TrafficScreen: ListScreen {
    static let kind = ScreenKind("traffic")
    static let title = "Traffic"
    static let summary = "figures per tool, server or policy, 1 min to 24 h"
    static let aliases = ["stats", "figures"]
    static let headerLines = 2
    static let pages: [any ConsoleScreen.Type] = [TrafficGroupScreen.self]

    static let window = ScreenMemory.Key<TrafficWindow>("traffic.window")
    static let grouping = ScreenMemory.Key<RequestLogGrouping>("traffic.grouping")
    static let figures = ScreenMemory.Key<TrafficStatsReader.Figures?>("traffic.figures")

    static let feeds = [
        ConsoleFeed.screenData(figures, nil, refresh: .everySample) { sampler, now in
            TrafficStatsReader.shared.figures(for: sampler.store, now: now)
        }
    ]

    static let bindings = [
        KeyBinding.open(on: [kind]),
        KeyBinding([.char("w")], "Window: 1 min, 5 min, 1 h, 24 h", short: "Window", .trafficWindow, .traffic, on: [kind, TrafficGroupScreen.kind]),
        KeyBinding([.char("b")], "Group by tool, server, client, principal, code or policy", short: "By", .trafficGrouping, .traffic, on: [kind]),
    ]

    static func allRows(_ s: ConsoleState, _ page: Page) -> [RequestLogStats] {
        guard let f = s.data.screenData[figures] ?? nil, f.wanted == wanted(s) else { return [] }
        return f.rows
    }
    static func searchTexts(_ r: RequestLogStats) -> [String] { [r.group] }
    static func key(_ r: RequestLogStats) -> String { r.group }

    static let sortColumns: [SortColumn<RequestLogStats>] = [
        .text("GROUP") { $0.group }, .number("CALLS") { Double($0.calls) }, .number("CLIENT ERR") { Double($0.clientErrors) },
        .number("SERVER ERR") { Double($0.serverErrors) }, .number("REFUSED") { Double($0.rejected) }, .number("P50") { Double($0.p50) },
        .number("P95") { Double($0.p95) }, .number("P99") { Double($0.p99) }, .number("MAX") { Double($0.max) },
    ]

    static func wanted(_ s: ConsoleState) -> TrafficStatsReader.Wanted {
        TrafficStatsReader.Wanted(window: s.memory[window] ?? .fiveMinutes, grouping: s.memory[grouping] ?? .tool)
    }

    /// Asks the sampler for the figures the screen shows now.
    static func asking(_ s: ConsoleState) -> ConsoleEffect {
        let w = wanted(s)
        return .screenTask(
            ScreenTask("traffic.want", subject: "\(w.window.rawValue) \(w.grouping.rawValue)", readsOnly: true) { e in
                TrafficStatsReader.shared.want(w, for: e.store)
                return "traffic over \(w.window.rawValue), by \(w.grouping.rawValue)"
            })
    }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        guard let r = selectedRow(s) else { return [asking(s)] }
        s.push(.trafficGroup(r.group))
        return []
    }
    static func appeared(_ s: ConsoleState) -> [ConsoleEffect] { [asking(s)] }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        switch action {
        case .trafficWindow:
            let all = TrafficWindow.allCases
            let current = s.memory[window] ?? .fiveMinutes
            s.memory[window] = all[((all.firstIndex(of: current) ?? 0) + 1) % all.count]
        case .trafficGrouping:
            let all = RequestLogGrouping.allCases
            let current = s.memory[grouping] ?? .tool
            s.memory[grouping] = all[((all.firstIndex(of: current) ?? 0) + 1) % all.count]
        default:
            return nil
        }
        s.page.selected = 0
        s.page.top = 0
        return [asking(s)]
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let t = ctx.theme
        let w = wanted(s)
        let f = s.data.screenData[figures] ?? nil
        var header = " last \(w.window.rawValue), by \(w.grouping.rawValue), from the stored request log  \(ctx.dot)  w window  \(ctx.dot)  b group"
        if f?.wanted != w { header = " reading the stored request log…  (press enter if this stays)" }
        if let error = f?.error { header = " the request log could not be read: \(error)" }
        buf.put(header, x: 0, y: y, width: ctx.width, style: f?.error == nil ? t.label : t.crit, ascii: ctx.ascii)
        let columns = [
            Column(w.grouping.rawValue.uppercased(), 18, flexible: true), Column("CALLS", 7, right: true), Column("CLIENT ERR", 10, right: true),
            Column("SERVER ERR", 10, right: true), Column("REFUSED", 7, right: true, dropOrder: 2), Column("P50", 9, right: true, dropOrder: 3),
            Column("P95", 9, right: true), Column("P99", 9, right: true, dropOrder: 1), Column("MAX", 9, right: true, dropOrder: 4),
        ]
        func ms(_ us: Int64) -> TableCell { TableCell(Format.latency(.microseconds(us), ascii: ctx.ascii)) }
        func share(_ n: Int, of calls: Int, _ style: Style?) -> TableCell {
            n == 0 ? TableCell("0", t.dim) : TableCell("\(Format.count(n)) \(Format.percent(Double(n) / Double(max(calls, 1))))", style)
        }
        let rows = rows(s, s.page).map { r -> [TableCell] in
            [
                TableCell(ctx.safe(r.group), Style(bold: true)), TableCell(Format.count(r.calls)), share(r.clientErrors, of: r.calls, t.warn),
                share(r.serverErrors, of: r.calls, t.crit), share(r.rejected, of: r.calls, t.warn), ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max),
            ]
        }
        let empty = f?.wanted == w ? "No request in the last \(w.window.rawValue)." : "Reading…"
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: y + headerLines, width: ctx.width, height: height - headerLines, theme: t, ascii: ctx.ascii)
    }
}

extension ConsoleAction {
    /// Cycle the Traffic screen's window.
    public static let trafficWindow = ConsoleAction("trafficWindow")
    /// Cycle what the Traffic screen groups by.
    public static let trafficGrouping = ConsoleAction("trafficGrouping")
}

extension KeyBinding.Group {
    public static let traffic = KeyBinding.Group("Traffic")
}
