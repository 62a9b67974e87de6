import GatewayEngine

/// Screen 4: live requests, newest first (frozen while paused).
enum RequestsView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        var table = table(ctx, records: s.recordRows(s.page), selected: s.page.selected, top: s.page.top)
        if !s.liveRecords.isEmpty { table.empty = "No request matches the filter (esc clears it)." }
        if s.showsHistory {
            table.empty =
                s.data.screenData[RequestsScreen.historyRows] == nil ? "Reading the stored request log…" : "No stored request matches the filter."
        }
        table.draw(into: &buf, x: 0, y: y, width: ctx.width, height: height, theme: ctx.theme, ascii: ctx.ascii)
        // The list follows the newest request while the cursor is on the top row; anywhere else it stays on its row,
        // and says so, rather than drifting as requests arrive.
        let exhausted = s.data.screenData[RequestsScreen.historyRows]??.exhausted == true
        let note =
            s.showsHistory
            ? " STORED HISTORY: \(s.historyRecords.count) loaded\(exhausted ? ", the oldest kept" : " · O older") · H live "
            : s.isPaused ? " PAUSED: p resumes " : s.page.selected > 0 ? " following paused: g resumes " : nil
        if let note {
            buf.write(note, x: ctx.width - TextWidth.columns(of: note) - 1, y: y, style: ctx.theme.warn.merged(reverse: true))
        }
    }

    static func table(_ ctx: RenderContext, records: [RequestRecord], selected: Int?, top: Int) -> TableView {
        let columns = [
            Column("TIME", 8), Column("SERVER", 10), Column("CLIENT", 15, dropOrder: 1), Column("METHOD", 12), Column("TOOL", 16, flexible: true),
            Column("OUTCOME", 12), Column("HTTP", 4, right: true, dropOrder: 2), Column("LATENCY", 9, right: true),
        ]
        let rows = records.map { r -> [TableCell] in
            [
                TableCell(Format.clock(r.time, ctx.state.timeZone), ctx.theme.label), TableCell(ctx.safe(r.server)),
                TableCell(ctx.safe(r.client), ctx.theme.label),
                TableCell(ctx.safe(r.method)), TableCell(ctx.safe(r.tool ?? "")), outcome(r.outcome, ctx), TableCell("\(r.status)"),
                Figures.latency(r.latency, ctx),
            ]
        }
        return TableView(
            columns: columns, rows: rows, selected: selected, top: top, empty: "No requests yet: connect an MCP client to a server's URL.")
    }

    /// An outcome with a symbol and a word: `✓ ok`, `✗ tool_error`.
    static func outcome(_ o: RequestRecord.Outcome, _ ctx: RenderContext) -> TableCell {
        let ok = o == .ok
        let symbol = ok ? (ctx.ascii ? "+" : "✓") : (ctx.ascii ? "x" : "✗")
        let style = ok ? ctx.theme.ok : o == .toolError ? ctx.theme.warn : ctx.theme.crit
        return TableCell("\(symbol) \(o.rawValue)", style)
    }
}

/// Screen 5: engine events (imports, configuration changes, errors), newest first.
enum LogsView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let events = LogsScreen.rows(s, s.page)
        let columns = [Column("TIME", 8), Column("LEVEL", 7), Column("MESSAGE", 40, flexible: true)]
        let rows = events.map { e -> [TableCell] in
            [
                TableCell(Format.clock(e.time, s.timeZone), ctx.theme.label),
                TableCell(e.level.rawValue.uppercased(), ctx.theme.level(e.level.rawValue)),
                TableCell(ctx.safe(e.message), e.level == .error ? ctx.theme.crit : nil),
            ]
        }
        let empty = ctx.data.events.isEmpty ? "No engine events yet." : "No event matches the filter (esc clears it)."
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: y, width: ctx.width, height: height, theme: ctx.theme, ascii: ctx.ascii)
    }
}

extension Style {
    /// This style with reverse video set or cleared.
    func merged(reverse: Bool) -> Style {
        var s = self
        s.reverse = reverse
        return s
    }
}
