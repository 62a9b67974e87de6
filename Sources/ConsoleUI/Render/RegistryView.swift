import Foundation
import GatewayEngine
import Store

/// The Registry screen (`:registry`): one row per entry — kind (gateway/external), name, version, lifecycle, health,
/// when it was last checked, tools, latency — with pending imports marked `▲`. `enter` opens the entry's page: its
/// facts, health (and its upstreams'), last-hour traffic, health history and the `server.json` clients get. A pure
/// view of ``ConsoleData/registry``; registry text is untrusted and drawn through ``SafeText``.
enum RegistryView {
    /// The summary line, then a blank line.
    static let headerLines = 2

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let t = ctx.theme
        let listing = RegistryScreen.listing(s)
        let summary = summary(listing, ascii: ctx.ascii)
        buf.put(
            summary.text, x: 0, y: y, width: ctx.width, style: summary.severity >= .warn ? t.severity(summary.severity) : t.label, ascii: ctx.ascii)
        let columns = [
            Column("", 1), Column("KIND", 8), Column("NAME", 22, flexible: true), Column("VERSION", 9, dropOrder: 3),
            Column("LIFECYCLE", 11, dropOrder: 2),
            Column("HEALTH", 13), Column("CHECKED", 8, dropOrder: 1), Column("TOOLS", 5, right: true),
            Column("LATENCY", 8, right: true, dropOrder: 4),
        ]
        let now = ctx.data.monitor.takenAt
        let rows = RegistryScreen.rows(s, s.page).map { r -> [TableCell] in
            let health = self.health(r, ascii: ctx.ascii)
            return [
                r.awaitsApproval ? TableCell(Severity.warn.symbol(ascii: ctx.ascii), t.warn) : TableCell(""),
                TableCell(r.kind.rawValue, t.label), TableCell(ctx.safe(r.name), Style(bold: true)), TableCell(ctx.safe(r.version)),
                TableCell(r.awaitsApproval ? r.approval : r.lifecycle.rawValue, r.awaitsApproval || r.lifecycle == .deprecated ? t.warn : nil),
                TableCell(health.text, t.severity(health.severity)), TableCell(ago(r.checkedAt, now: now), t.label),
                TableCell(r.toolCount.map(String.init) ?? "-"), TableCell(r.latencyMs.map { String(format: "%.0f ms", $0) } ?? "-"),
            ]
        }
        let empty =
            listing.rows.isEmpty
            ? "The registry is empty: servers you create appear here; register external ones with n (or the CLI):"
            : "No entry matches the filter (esc clears it)."
        let tableY = y + headerLines
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: tableY, width: ctx.width, height: height - headerLines, theme: t, ascii: ctx.ascii)
        guard listing.rows.isEmpty else { return }
        let help = [
            "    gatehouse registry add NAME --url URL [--transport sse]", "    gatehouse registry add --from server.json",
            "    gatehouse registry import FILE|URL   (another registry's list; lands pending)",
        ]
        for (i, text) in help.enumerated() where tableY + 3 + i < y + height {
            buf.put(text, x: 0, y: tableY + 3 + i, width: ctx.width, style: t.key, ascii: ctx.ascii)
        }
    }

    /// `5 entries · 2 gateway · 3 external · ▲ 1 pending · ✖ 1 unreachable`.
    static func summary(_ l: RegistryListing, ascii: Bool) -> (text: String, severity: Severity) {
        let rows = l.rows.filter { $0.status != .deleted }
        guard !rows.isEmpty else { return (" No registry entries (namespace \(SafeText.escape(l.namespace, ascii: ascii)))", .idle) }
        let dot = ascii ? "|" : "·"
        let gateway = rows.filter { $0.kind == .gateway }.count
        let pending = rows.filter(\.awaitsApproval).count
        let down = rows.filter { $0.isLatest && !$0.awaitsApproval && ($0.health == .unreachable || $0.health == .notMCP) }.count
        var text = " \(rows.count) \(rows.count == 1 ? "entry" : "entries")  \(dot)  \(gateway) gateway, \(rows.count - gateway) external"
        if pending > 0 { text += "  \(dot)  \(Severity.warn.symbol(ascii: ascii)) \(pending) pending approval" }
        if down > 0 { text += "  \(dot)  \(Severity.crit.symbol(ascii: ascii)) \(down) down" }
        text += "  \(dot)  namespace \(SafeText.escape(l.namespace, ascii: ascii))"
        return (text, down > 0 ? .crit : pending > 0 ? .warn : .ok)
    }

    /// A health state as a symbol and a word, and its severity.
    static func health(_ r: RegistryListing.Row, ascii: Bool) -> (text: String, severity: Severity) {
        let severity: Severity =
            switch r.health {
            case .reachable: .ok
            case .authRequired: .warn
            case .unreachable, .notMCP: .crit
            case .unknown: .idle
            }
        let word = r.kind == .gateway && r.upstreams.isEmpty ? "served" : r.health.rawValue
        return (severity.symbol(ascii: ascii) + " " + word, severity)
    }

    static func ago(_ date: Date?, now: Date) -> String {
        guard let date else { return "never" }
        let s = Int(now.timeIntervalSince(date))
        switch s {
        case ..<60: return "\(max(0, s))s ago"
        case ..<3600: return "\(s / 60)m ago"
        case ..<86_400: return "\(s / 3600)h ago"
        default: return "\(s / 86_400)d ago"
        }
    }

    // MARK: The entry's page

    /// The entry's page: facts, health, traffic, history, then its `server.json` (scrolls with j/k).
    static func lines(_ s: ConsoleState, name: String, version: String) -> [StyledLine] {
        let t = Theme(s)
        func safe(_ x: String) -> String { SafeText.escape(x, ascii: s.asciiOnly) }
        guard let r = RegistryScreen.row(s, name, version) else {
            return [.blank, StyledLine("  This entry is no longer in the registry. Press esc to go back.", t.warn)]
        }
        let width = s.width
        let now = s.data.monitor.takenAt
        var out: [StyledLine] = [.blank]
        func field(_ label: String, _ value: String, _ style: Style = .plain) {
            out += TextPageView.field(label, value, width: width, theme: t, labelWidth: 12, style: style)
        }
        let kind = r.kind == .gateway ? "gateway server \(safe(r.server ?? "?"))" : "external"
        field("Name", "\(safe(r.name))  \(safe(r.version))\(r.isLatest ? " (latest)" : "")  \(s.asciiOnly ? "|" : "·")  \(kind)", Style(bold: true))
        var status = "\(r.status.rawValue)  \(s.asciiOnly ? "|" : "·")  \(r.lifecycle.rawValue)"
        if r.awaitsApproval { status += "  \(s.asciiOnly ? "|" : "·")  \(Severity.warn.symbol(ascii: s.asciiOnly)) \(r.approval): a approves it" }
        field("Status", status, r.awaitsApproval || r.status != .active ? t.warn : .plain)
        if let m = r.statusMessage { field("Message", safe(m)) }
        if let title = r.title { field("Title", safe(title)) }
        field("Description", safe(r.description))
        if let o = r.owner { field("Owner", safe(o)) }
        if !r.tags.isEmpty { field("Tags", r.tags.map(safe).joined(separator: ", ")) }
        if let url = r.url { field("URL", safe(url)) }
        if !r.packages.isEmpty { field("Packages", r.packages.map(safe).joined(separator: "; ") + " (run by clients, never by the registry)") }
        if let n = r.toolCount {
            field(
                "Tools",
                "\(n)"
                    + (r.toolNames.isEmpty
                        ? "" : ": " + r.toolNames.prefix(20).map(safe).joined(separator: ", ") + (r.toolNames.count > 20 ? ", …" : "")))
        }
        out.append(.blank)
        out.append(TextPageView.section("HEALTH", t))
        let h = health(r, ascii: s.asciiOnly)
        var healthText = h.text + "  checked \(ago(r.checkedAt, now: now))"
        if let l = r.latencyMs { healthText += String(format: "  %.0f ms", l) }
        field("Probe", healthText, t.severity(h.severity))
        if let d = r.healthDetail { field("Detail", safe(d)) }
        for u in r.upstreams {
            field("Upstream", "\(safe(u.upstream)): \((u.health?.state ?? .unknown).rawValue)" + (u.health?.detail.map { " (\(safe($0)))" } ?? ""))
        }
        if let f = r.live {
            var traffic = "\(f.requests) requests in the last hour  \(Format.percent(f.errorRate)) errors"
            if let p = f.p95 { traffic += "  p95 \(Format.latency(p, ascii: s.asciiOnly))" }
            traffic += "  last success \(ago(f.lastSuccessAt, now: now))"
            field("Traffic", traffic)
        }
        if !r.history.isEmpty {
            out.append(.blank)
            out.append(TextPageView.section("HISTORY", t))
            for e in r.history {
                var text = "  \(Format.minute(e.time, s.timeZone))  \(e.state.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0))"
                text += e.latencyMs.map { String(format: "%6.0f ms", $0) } ?? "       -"
                text += e.toolCount.map { String(format: "  %3d tools", $0) } ?? ""
                out.append(StyledLine([(text, .plain), (e.change.map { "  " + safe($0) } ?? "", t.warn)]))
            }
        }
        out.append(.blank)
        out.append(TextPageView.section("SERVER.JSON", t))
        out += r.document.split(separator: "\n", omittingEmptySubsequences: false).map { StyledLine("  " + safe(String($0))) }
        if let p = r.pendingDocument {
            out.append(.blank)
            out.append(TextPageView.section("IMPORTED CHANGE (a approves it)", t))
            out += p.split(separator: "\n", omittingEmptySubsequences: false).map { StyledLine("  " + safe(String($0)), t.warn) }
        }
        return out
    }
}
