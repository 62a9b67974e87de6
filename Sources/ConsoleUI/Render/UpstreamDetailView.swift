import Foundation

/// An upstream's page: how it is reached, the servers using it, its recorded tools (status, flags, description) and,
/// under the table, the selected tool: its flags and, when it waits for approval, its description before (approved)
/// and after (current). `enter` opens the tool's definitions. All upstream text goes through ``SafeText``.
enum UpstreamDetailView {
    /// Four facts, a blank line, the TOOLS title.
    static let headerLines = 6
    /// The selected tool's panel under the table (a blank line, a title, up to six lines of fields).
    static let panelLines = 8
    static let labelWidth = 10

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let t = ctx.theme
        guard let name = s.page.route.value(of: .upstreamDetail, as: String.self), let u = s.upstream(name) else {
            buf.put("  This upstream no longer exists. Press esc to go back.", x: 0, y: y + 1, width: ctx.width, style: t.warn, ascii: ctx.ascii)
            return
        }
        let sep = "   \(ctx.dot)   "
        var reach = [ctx.safe(u.transport)]
        if u.transport != "stdio" {
            reach.append(u.allowPrivateNetwork ? "private network allowed" : "public addresses only")
            reach.append(u.credential.map { "credential " + ctx.safe($0) } ?? "no credential")
            if !u.headerNames.isEmpty { reach.append("headers " + u.headerNames.map(ctx.safe).joined(separator: ", ")) }
        }
        let servers =
            u.servers.isEmpty
            ? "none: expose it with gatehouse server create NAME --upstream \(ctx.safe(u.name))"
            : u.servers.map { use in ctx.safe(use.server) + (use.prefix.map { " (prefix \(ctx.safe($0)))" } ?? "") }.joined(separator: ", ")
        let facts: [(String, String)] = [
            ("Transport", reach.joined(separator: sep)),
            (u.transport == "stdio" ? "Command" : "URL", ctx.safe(u.location)),
            ("Servers", servers),
            ("Tools", toolCounts(u, ctx)),
        ]
        KeyValueView.draw(&buf, ctx, facts, x: 2, y: y, labelWidth: labelWidth)
        if u.needsReview { buf.restyle(x: 2 + labelWidth + 1, y: y + 3, width: ctx.width) { $0 = UpstreamsView.mark(u, ctx).style ?? $0 } }

        let titleY = y + headerLines - 1
        let x = buf.write(" TOOLS", x: 0, y: titleY, style: t.sectionTitle)
        var hints = ["enter shows a tool in full"]
        if !s.readOnly { hints = ["a approves the selected tool", "t discovers again"] + hints }
        buf.put("  " + hints.joined(separator: "  \(ctx.dot)  "), x: x, y: titleY, width: ctx.width - x, style: t.label, ascii: ctx.ascii)

        let tools = s.upstreamToolRows(upstream: u.name, s.page)
        let columns = [Column("STATUS", 10), Column("TOOL", 24), Column("FLAGS", 5), Column("DESCRIPTION", 20, flexible: true)]
        let rows = tools.map { tool -> [TableCell] in
            let status = UpstreamsView.status(tool.status, ascii: ctx.ascii)
            let removed = tool.status == ConsoleData.UpstreamToolRow.removed
            return [
                TableCell(status.text, t.severity(status.severity)), TableCell(ctx.safe(tool.name), removed ? t.off : Style(bold: true)),
                tool.flags.isEmpty
                    ? TableCell("-", t.dim) : TableCell("\(Severity.crit.symbol(ascii: ctx.ascii)) \(tool.flags.count)", t.crit),
                TableCell(ctx.safe(tool.currentDescription ?? ""), removed ? t.off : nil),
            ]
        }
        let empty =
            u.tools.isEmpty
            ? "No tools recorded yet: t connects to the upstream and lists them." : "No tool matches the filter (esc clears it)."
        let tableHeight = max(1, height - headerLines - panelLines)
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: y + headerLines, width: ctx.width, height: tableHeight, theme: t, ascii: ctx.ascii)

        guard let tool = tools[safe: s.page.selected] else { return }
        let panelY = y + headerLines + tableHeight
        for (i, line) in panel(tool, ctx).prefix(max(0, y + height - panelY)).enumerated() {
            line.draw(&buf, x: 0, y: panelY + i, width: ctx.width, ascii: ctx.ascii)
        }
    }

    /// `5 approved · ▲ 1 pending · 1 removed · ✖ 2 flagged` (styled as the list's review mark when there is one).
    static func toolCounts(_ u: ConsoleData.UpstreamRow, _ ctx: RenderContext) -> String {
        if u.tools.isEmpty { return "none recorded yet" }
        let pending = u.pendingCount > 0 ? "\(Severity.warn.symbol(ascii: ctx.ascii)) \(u.pendingCount) pending" : "0 pending"
        var parts = ["\(u.approvedCount) approved", pending, "\(u.removedCount) removed"]
        if u.flaggedCount > 0 { parts.append("\(Severity.crit.symbol(ascii: ctx.ascii)) \(u.flaggedCount) flagged") }
        return parts.joined(separator: "   \(ctx.dot)   ")
    }

    /// The selected tool, under the table: its status, flags, and its description (before and after when it waits
    /// for approval). Each field is cut to fit; the tool's page shows everything.
    static func panel(_ tool: ConsoleData.UpstreamToolRow, _ ctx: RenderContext) -> [StyledLine] {
        let t = ctx.theme
        let status = UpstreamsView.status(tool.status, ascii: ctx.ascii)
        var lines: [StyledLine] = [
            .blank,
            StyledLine([
                (" TOOL  ", t.sectionTitle), (ctx.safe(tool.name), Style(bold: true)), ("  " + status.text, t.severity(status.severity)),
                (": " + UpstreamsView.meaning(tool), t.label),
            ]),
        ]
        var fields: [(label: String, value: String, style: Style, lines: Int)] = []
        if !tool.flags.isEmpty {
            fields.append(("Flags", ctx.safe(compact(tool.flags)), t.crit, 2))
        }
        if tool.isPending {
            fields.append(("Before", tool.wasApproved ? description(tool.approvedDescription, ctx) : "(never approved)", t.label, 2))
            fields.append(("After", description(tool.currentDescription, ctx), Style(bold: true), 2))
            if !tool.changedMembers.isEmpty { fields.append(("Changed", tool.changedMembers.map(ctx.safe).joined(separator: ", "), .plain, 1)) }
        } else {
            fields.append(("About", description(tool.currentDescription, ctx), .plain, 3))
        }
        for field in fields {
            lines += fit(field.label, field.value, lines: field.lines, ctx, style: field.style)
        }
        return Array(lines.prefix(panelLines))
    }

    /// The engine's flags (`path: kind U+XXXX`, one each) grouped by path and kind:
    /// `description: control character U+001B U+0007, bidi control U+202E`. Flags of another form are kept as they are.
    static func compact(_ flags: [String]) -> String {
        var paths: [String] = []
        var kinds: [String: [String]] = [:]
        var codes: [String: [String]] = [:]
        for flag in flags {
            guard let colon = flag.range(of: ": ", options: .backwards) else {
                paths.append(flag)
                continue
            }
            let path = String(flag[..<colon.lowerBound])
            let rest = String(flag[colon.upperBound...])
            var kind = rest
            var code: String?
            if let u = rest.range(of: " U+", options: .backwards) {
                kind = String(rest[..<u.lowerBound])
                code = String(rest[rest.index(after: u.lowerBound)...])
            }
            if kinds[path] == nil { paths.append(path) }
            let key = path + "\u{0}" + kind
            if codes[key] == nil { kinds[path, default: []].append(kind) }
            codes[key, default: []] += code.map { [$0] } ?? []
        }
        return paths.map { path in
            guard let list = kinds[path] else { return path }
            return path + ": " + list.map { kind in ([kind] + (codes[path + "\u{0}" + kind] ?? [])).joined(separator: " ") }.joined(separator: ", ")
        }.joined(separator: "; ")
    }

    static func description(_ text: String?, _ ctx: RenderContext) -> String {
        guard let text, !text.isEmpty else { return "(no description)" }
        return ctx.safe(text)
    }

    /// A labelled field wrapped to at most `lines` lines, the last one ending in `…` when cut.
    static func fit(_ label: String, _ value: String, lines: Int, _ ctx: RenderContext, style: Style) -> [StyledLine] {
        let width = max(10, ctx.width - labelWidth - 4)
        var wrapped = TextFit.wrap(value, width: width)
        if wrapped.count > lines {
            // The next line does not fit after the last one kept: joined, the cut shows an ellipsis.
            wrapped = Array(wrapped.prefix(lines - 1)) + [TextFit.truncate(wrapped[lines - 1] + " " + wrapped[lines], to: width, ascii: ctx.ascii)]
        }
        return wrapped.enumerated().map { i, text in
            StyledLine([("  " + TextFit.pad(i == 0 ? label : "", to: labelWidth + 1), ctx.theme.label), (text, style)])
        }
    }
}
