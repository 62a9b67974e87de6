import Foundation

/// Screen 9: upstream MCP servers. One row per upstream: a review mark (`✖` a tool carries suspicious text, `▲` a tool
/// waits for approval), its name, transport, how many of its tools are approved, pending and removed, and where it is
/// (URL or command line). Everything an upstream sent is drawn through ``SafeText``.
enum UpstreamsView {
    /// The summary line, then a blank line.
    static let headerLines = 2

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let t = ctx.theme
        let summary = summary(ctx.data.upstreams, ascii: ctx.ascii)
        buf.put(
            summary.text, x: 0, y: y, width: ctx.width, style: summary.severity >= .warn ? t.severity(summary.severity) : t.label, ascii: ctx.ascii)

        let columns = [
            Column("", 1), Column("NAME", 16), Column("TRANSPORT", 10), Column("APPROVED", 8, right: true), Column("PENDING", 7, right: true),
            Column("REMOVED", 7, right: true), Column("LOCATION", 14, flexible: true),
        ]
        let rows = s.upstreamRows(s.page).map { u -> [TableCell] in
            let none = u.tools.isEmpty
            func count(_ n: Int, _ style: Style?) -> TableCell { none ? TableCell("-", t.dim) : TableCell("\(n)", n > 0 ? style : t.dim) }
            return [
                mark(u, ctx), TableCell(ctx.safe(u.name), Style(bold: true)), TableCell(ctx.safe(u.transport), t.label),
                count(u.approvedCount, nil), count(u.pendingCount, t.warn), count(u.removedCount, nil), TableCell(ctx.safe(u.location)),
            ]
        }
        let empty =
            ctx.data.upstreams.isEmpty
            ? "No upstreams yet: n adds one (tested before it is saved), or use the CLI or gatehouse apply:"
            : "No upstream matches the filter (esc clears it)."
        let tableY = y + headerLines
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: tableY, width: ctx.width, height: height - headerLines, theme: t, ascii: ctx.ascii)
        guard ctx.data.upstreams.isEmpty else { return }
        let help = [
            ("    gatehouse upstream add NAME --url URL [--transport sse]", t.key),
            ("    gatehouse upstream add NAME --command PROGRAM [--arg A]...", t.key),
            ("  then expose its tools on a server: gatehouse server create NAME --upstream UPSTREAM", t.label),
        ]
        for (i, (text, style)) in help.enumerated() where tableY + 3 + i < y + height {
            buf.put(text, x: 0, y: tableY + 3 + i, width: ctx.width, style: style, ascii: ctx.ascii)
        }
    }

    /// `✖` when a tool carries suspicious text, `▲` when one waits for approval, nothing otherwise.
    static func mark(_ u: ConsoleData.UpstreamRow, _ ctx: RenderContext) -> TableCell {
        if u.flaggedCount > 0 { return TableCell(Severity.crit.symbol(ascii: ctx.ascii), ctx.theme.crit) }
        if u.pendingCount > 0 { return TableCell(Severity.warn.symbol(ascii: ctx.ascii), ctx.theme.warn) }
        return TableCell("")
    }

    /// The line above the table: counts over every upstream, and what needs review.
    static func summary(_ upstreams: [ConsoleData.UpstreamRow], ascii: Bool) -> (text: String, severity: Severity) {
        guard !upstreams.isEmpty else { return (" No upstream MCP servers", .idle) }
        let dot = ascii ? "|" : "·"
        let approved = upstreams.reduce(0) { $0 + $1.approvedCount }
        let pending = upstreams.reduce(0) { $0 + $1.pendingCount }
        let removed = upstreams.reduce(0) { $0 + $1.removedCount }
        let flagged = upstreams.reduce(0) { $0 + $1.flaggedCount }
        let warn = Severity.warn.symbol(ascii: ascii)
        let crit = Severity.crit.symbol(ascii: ascii)
        var text = " \(upstreams.count) \(upstreams.count == 1 ? "upstream" : "upstreams")  \(dot)  tools: \(approved) approved, "
        text += (pending > 0 ? "\(warn) \(pending) pending" : "0 pending") + ", \(removed) removed"
        if flagged > 0 { text += ", \(crit) \(flagged) flagged" }
        return (text, flagged > 0 ? .crit : pending > 0 ? .warn : .ok)
    }

    /// A tool status as a symbol and a word (`● approved`, `▲ pending`, `- removed`) and its severity.
    static func status(_ status: String, ascii: Bool) -> (text: String, severity: Severity) {
        let severity: Severity =
            switch status {
            case ConsoleData.UpstreamToolRow.approved: .ok
            case ConsoleData.UpstreamToolRow.pending: .warn
            case ConsoleData.UpstreamToolRow.removed: .off
            default: .crit
            }
        return (severity.symbol(ascii: ascii) + " " + SafeText.escape(status, ascii: ascii), severity)
    }

    /// What a tool's status means, for its pages.
    static func meaning(_ tool: ConsoleData.UpstreamToolRow) -> String {
        switch tool.status {
        case ConsoleData.UpstreamToolRow.approved: "served as approved"
        case ConsoleData.UpstreamToolRow.pending where tool.wasApproved: "changed since it was approved, held back"
        case ConsoleData.UpstreamToolRow.pending: "new, with suspicious text, held back"
        case ConsoleData.UpstreamToolRow.removed: "no longer listed by the upstream"
        default: "unknown status"
        }
    }
}
