import Foundation

/// Screen 7: subscriptions (named keys clients send in `Gatehouse-Subscription-Key`). Only a key's last four
/// characters are known; a new key (`n`, `K`, or the CLI) is shown once, then only its hint.
enum SubscriptionsView {
    /// The header clients send keys in and which servers require one, then a blank line.
    static let headerLines = 2

    /// `…abcd` (`...abcd` in ASCII mode): how a key is shown.
    static func keyHint(_ hint: String, ascii: Bool) -> String {
        (ascii ? "..." : "…") + SafeText.escape(hint, ascii: ascii)
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let t = ctx.theme
        let requiring = ctx.data.servers.filter(\.requireSubscription).map { ctx.safe($0.name) }
        let servers = requiring.isEmpty ? "none" : requiring.joined(separator: ", ")
        buf.put(
            " Key header: Gatehouse-Subscription-Key  \(ctx.dot)  servers requiring a key: \(servers)", x: 0, y: y, width: ctx.width, style: t.label,
            ascii: ctx.ascii)

        let columns = [
            Column("NAME", 16, flexible: true), Column("STATE", 11), Column("SERVERS", 20), Column("KEY", 7),
            Column("EXPIRES", 16, dropOrder: 2), Column("CREATED", 16, dropOrder: 1),
        ]
        let now = ctx.data.monitor.takenAt
        let rows = s.subscriptionRows(s.page).map { sub -> [TableCell] in
            [
                TableCell(ctx.safe(sub.name), Style(bold: true)), state(sub, now: now, ctx),
                TableCell(sub.servers.map { $0.map(ctx.safe).joined(separator: ", ") } ?? "all", sub.servers == nil ? t.label : nil),
                TableCell(keyHint(sub.keyHint, ascii: ctx.ascii), t.accent),
                TableCell(sub.expiresAt.map { Format.minute($0, s.timeZone) } ?? "never", sub.isExpired(at: now) ? t.crit : t.label),
                TableCell(Format.minute(sub.createdAt, s.timeZone), t.label),
            ]
        }
        var empty = "No subscriptions: n creates one (its key is shown once), as does gatehouse subscription create <name>."
        if !ctx.data.subscriptions.isEmpty { empty = "No subscription matches the filter (esc clears it)." }
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: y + headerLines, width: ctx.width, height: height - headerLines, theme: t, ascii: ctx.ascii)
    }

    /// `● active`, `○ suspended` or `✖ expired`: a symbol and a word, never colour alone.
    private static func state(_ sub: ConsoleData.SubscriptionRow, now: Date, _ ctx: RenderContext) -> TableCell {
        if !sub.active { return TableCell(Severity.idle.symbol(ascii: ctx.ascii) + " suspended", ctx.theme.off) }
        if sub.isExpired(at: now) { return TableCell(Severity.crit.symbol(ascii: ctx.ascii) + " expired", ctx.theme.crit) }
        return TableCell(Severity.ok.symbol(ascii: ctx.ascii) + " active", ctx.theme.ok)
    }
}
