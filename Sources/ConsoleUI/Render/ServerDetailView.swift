/// A server's details: status, the exact endpoint URLs to paste into a client, live figures, and its tools.
enum ServerDetailView {
    static let headerLines = 8

    /// The client endpoints of a server: Streamable HTTP (`…/mcp`) and legacy SSE (`…/sse`).
    static func endpoints(_ listenAddress: String, basePath: String) -> (mcp: String, sse: String) {
        let base = "\(listenAddress)/\(basePath)"
        return ("\(base)/mcp", "\(base)/sse")
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let t = ctx.theme
        guard let name = s.page.route.value(of: .serverDetail, as: String.self), let server = s.server(name) else {
            buf.put("  This server no longer exists. Press esc to go back.", x: 0, y: y + 1, width: ctx.width, style: t.warn, ascii: ctx.ascii)
            return
        }
        let stats = ctx.data.monitor.servers[server.name]
        let health = Severity.health(stats, enabled: server.enabled)
        let urls = endpoints(ctx.safe(ctx.data.listenAddress), basePath: ctx.safe(server.basePath))
        let traffic =
            stats.map {
                "\(Format.rate($0.requestsPerSecond)) req/s   p50 \(Format.latency($0.p50, ascii: ctx.ascii))   p95 \(Format.latency($0.p95, ascii: ctx.ascii))"
                    + "   p99 \(Format.latency($0.p99, ascii: ctx.ascii))   errors \(Format.percent($0.errorRate))   \(Format.count($0.totalRequests)) since start"
            } ?? "no traffic yet"
        let facts: [(String, String)] = [
            (
                "Status",
                "\(server.enabled ? "enabled" : "disabled")   \(ctx.dot)   API \(ctx.safe(server.apiName ?? "-"))   \(ctx.dot)   base path /\(ctx.safe(server.basePath))"
            ),
            ("Access", access(server, readOnly: s.readOnly)),
            ("About", server.description.isEmpty ? "(no description)" : ctx.safe(server.description)),
            ("MCP URL", "\(urls.mcp)   (Streamable HTTP)"),
            ("SSE URL", "\(urls.sse)   (legacy HTTP+SSE)"),
            ("Traffic", traffic),
        ]
        // headerLines: six facts, a blank line, the TOOLS title.
        KeyValueView.draw(&buf, ctx, facts, x: 2, y: y, labelWidth: 8)
        buf.write(health.label(ascii: ctx.ascii), x: ctx.width - 8, y: y, style: t.severity(health))
        buf.restyle(x: 11, y: y + 3, width: TextWidth.columns(of: urls.mcp)) { $0.bold = true }
        buf.restyle(x: 11, y: y + 4, width: TextWidth.columns(of: urls.sse)) { $0.bold = true }

        let enabledTools = server.tools.filter(\.enabled).count
        buf.write(" TOOLS", x: 0, y: y + headerLines - 1, style: t.sectionTitle)
        buf.write("  \(enabledTools) of \(server.tools.count) enabled", x: 6, y: y + headerLines - 1, style: t.label)
        let tools = ServerDetailScreen.rows(s, s.page)
        let columns = [
            Column("ON", 5), Column("TOOL", 24), Column("METHOD", 7, dropOrder: 2), Column("PATH", 22, dropOrder: 1),
            Column("DESCRIPTION", 20, flexible: true),
        ]
        let rows = tools.map { tool -> [TableCell] in
            let on = tool.enabled ? (ctx.ascii ? "[x]" : "● on") : (ctx.ascii ? "[ ]" : "○ off")
            let description = (tool.descriptionOverridden ? "[custom] " : "") + ctx.safe(tool.description)
            return [
                TableCell(on, tool.enabled ? t.ok : t.off), TableCell(ctx.safe(tool.name), tool.enabled ? Style(bold: true) : t.off),
                TableCell(ctx.safe(tool.method.uppercased()), t.accent), TableCell(ctx.safe(tool.path)),
                TableCell(description, tool.enabled ? nil : t.off),
            ]
        }
        let empty = server.tools.isEmpty ? "This server exposes no tools." : "No tool matches the filter."
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: y + headerLines, width: ctx.width, height: height - headerLines, theme: t, ascii: ctx.ascii)
    }

    /// Whether clients need a subscription key, and how to change it.
    static func access(_ server: ConsoleData.ServerRow, readOnly: Bool) -> String {
        let hint = readOnly ? "" : server.requireSubscription ? "   (S stops requiring one)" : "   (S requires one)"
        return (server.requireSubscription ? "a subscription key is required (Gatehouse-Subscription-Key)" : "no subscription key needed") + hint
    }
}
