/// Screen 3: the MCP servers with status, tool count and live figures.
enum ServersView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        var table = table(ctx, servers: s.serverRows(s.page), compact: false, selected: s.page.selected, top: s.page.top)
        if ctx.data.servers.isEmpty {
            table.empty = s.readOnly ? "No MCP servers." : "No MCP servers yet: open an API (2) and press c to create one."
        } else if table.rows.isEmpty {
            table.empty = "No server matches the filter (esc clears it)."
        }
        table.draw(into: &buf, x: 0, y: y, width: ctx.width, height: height, theme: ctx.theme, ascii: ctx.ascii)
    }

    /// The servers table; `compact` is the dashboard's variant (all percentiles, no API or base path).
    static func table(_ ctx: RenderContext, servers: [ConsoleData.ServerRow], compact: Bool, selected: Int?, top: Int) -> TableView {
        let columns: [Column] =
            compact
            ? [
                Column("HEALTH", 6), Column("SERVER", 14, flexible: true), Column("STATUS", 8), Column("TOOLS", 5, right: true),
                Column("REQ/S", 6, right: true), Column("P50", 9, right: true, dropOrder: 2), Column("P95", 9, right: true),
                Column("P99", 9, right: true, dropOrder: 1), Column("ERRORS", 8, right: true),
            ]
            : [
                Column("HEALTH", 6), Column("NAME", 14, flexible: true), Column("STATUS", 8), Column("API", 10, dropOrder: 3),
                Column("BASE PATH", 12, dropOrder: 2), Column("KEY", 8, dropOrder: 1), Column("TOOLS", 5, right: true),
                Column("REQ/S", 6, right: true), Column("P95", 9, right: true), Column("ERRORS", 8, right: true),
            ]
        let rows = servers.map { server -> [TableCell] in
            let stats = ctx.data.monitor.servers[server.name]
            let status = TableCell(server.enabled ? "enabled" : "disabled", server.enabled ? nil : ctx.theme.off)
            let tools = TableCell("\(server.tools.filter(\.enabled).count)/\(server.tools.count)")
            let health = Figures.health(stats, enabled: server.enabled, ctx)
            let name = TableCell(ctx.safe(server.name), Style(bold: true))
            if compact {
                return [
                    health, name, status, tools, Figures.rate(stats), Figures.latency(stats?.p50, ctx, judged: false),
                    Figures.latency(stats?.p95, ctx), Figures.latency(stats?.p99, ctx, judged: false), Figures.errors(stats, ctx),
                ]
            }
            return [
                health, name, status, TableCell(ctx.safe(server.apiName ?? "-")), TableCell("/" + ctx.safe(server.basePath)),
                TableCell(server.requireSubscription ? "required" : "-", server.requireSubscription ? ctx.theme.accent : ctx.theme.dim), tools,
                Figures.rate(stats), Figures.latency(stats?.p95, ctx), Figures.errors(stats, ctx),
            ]
        }
        return TableView(columns: columns, rows: rows, selected: selected, top: top, empty: "No MCP servers yet.")
    }
}
