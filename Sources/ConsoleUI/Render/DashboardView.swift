import GatewayEngine

/// The operator's overview: total traffic with a sparkline, latency percentiles and error rate, a table of
/// servers with the same figures, and the most recent requests in what space is left.
enum DashboardView {
    static let summaryLines = 5
    static let recentMinimum = 5

    /// Server rows shown: all of them when they fit, leaving room for a few recent requests.
    static func serverRows(_ s: ConsoleState, contentHeight ch: Int) -> Int {
        let room = ch - summaryLines - 2 - recentMinimum
        return max(1, min(max(1, s.data.servers.count), room))
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        var row = y
        drawSummary(&buf, ctx, y: row)
        row += summaryLines
        let t = ctx.theme
        let s = ctx.state
        let enabled = ctx.data.servers.filter(\.enabled).count
        buf.write(" SERVERS", x: 0, y: row, style: t.sectionTitle)
        buf.write("  \(ctx.data.servers.count) total, \(enabled) enabled", x: 8, y: row, style: t.label)
        let rows = serverRows(s, contentHeight: height)
        ServersView.table(ctx, servers: ctx.data.servers, compact: true, selected: s.page.selected, top: s.page.top)
            .draw(into: &buf, x: 0, y: row + 1, width: ctx.width, height: rows + 1, theme: t, ascii: ctx.ascii)
        row += rows + 3
        let left = y + height - row
        guard left >= 3 else { return }
        buf.write(" RECENT REQUESTS", x: 0, y: row, style: t.sectionTitle)
        buf.write("  newest first \(ctx.dot) 4 for the live pane", x: 16, y: row, style: t.label)
        RequestsView.table(ctx, records: Array(ctx.data.records.prefix(left - 2)), selected: nil, top: 0)
            .draw(into: &buf, x: 0, y: row + 1, width: ctx.width, height: left - 1, theme: t, ascii: ctx.ascii)
    }

    private static func drawSummary(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int) {
        let t = ctx.theme
        let total = ctx.data.monitor.total
        let labelX = 2
        let valueX = 13
        func label(_ text: String, _ row: Int) { buf.write(text, x: labelX, y: y + row, style: t.label) }

        label("Traffic", 0)
        var x = valueX + buf.write(TextFit.pad(Format.rate(total.requestsPerSecond) + " req/s", to: 12), x: valueX, y: y, style: Style(bold: true))
        let peak = total.history.max() ?? 0
        let tail = "  peak \(peak)/s, last 60 s"
        let sparkWidth = max(0, min(60, ctx.width - x - TextWidth.columns(of: tail) - 2))
        x += buf.write(Sparkline.render(total.history, width: sparkWidth, ascii: ctx.ascii), x: x, y: y, style: t.sparkline)
        buf.write(tail, x: x, y: y, style: t.label)

        label("Latency", 1)
        let lat = Severity.latency(total.p95)
        let latency =
            "p50 \(Format.latency(total.p50, ascii: ctx.ascii))   p95 \(Format.latency(total.p95, ascii: ctx.ascii))   p99 \(Format.latency(total.p99, ascii: ctx.ascii))"
        x = valueX + buf.write(latency, x: valueX, y: y + 1)
        buf.write("   " + (lat == .idle ? "" : lat.label(ascii: ctx.ascii) + " (p95)"), x: x, y: y + 1, style: t.severity(lat))

        label("Errors", 2)
        // Health is judged by server-side failures; the clients' mistakes are counted beside them, never alarmed on.
        let err = Severity.errorRate(total.serverErrorRate, requests: total.requests)
        let errorCount = Int((total.errorRate * Double(total.requests)).rounded())
        x = valueX + buf.write(TextFit.pad(Format.percent(total.errorRate), to: 8), x: valueX, y: y + 2, style: Style(bold: true))
        var errorLine = "\(Format.count(errorCount)) of \(Format.count(total.requests)) in the window"
        if errorCount > 0 { errorLine += ": \(Format.count(total.serverErrors)) server-side, \(Format.count(total.clientErrors)) client" }
        x += buf.write(errorLine, x: x, y: y + 2, style: t.label)
        if err != .idle { buf.write("   " + err.label(ascii: ctx.ascii), x: x, y: y + 2, style: t.severity(err)) }

        label("Total", 3)
        var totalLine = "\(Format.count(total.totalRequests)) requests since start"
        let dropped = ctx.data.monitor.droppedLogRecords
        if dropped > 0 { totalLine += "   \(Format.count(dropped)) log records dropped" }
        let limits = ctx.data.monitor.limitHits
        if !limits.isEmpty {
            // The most frequent first; the event log names each limit and its flag.
            let hits = limits.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \(Format.count($0.value))" }
            totalLine += "   limits hit: " + hits.joined(separator: ", ")
        }
        let width = max(0, ctx.width - valueX - 1)
        buf.write(
            TextFit.truncate(totalLine, to: width, ascii: ctx.ascii), x: valueX, y: y + 3, style: dropped > 0 || !limits.isEmpty ? t.warn : .plain)
    }
}
