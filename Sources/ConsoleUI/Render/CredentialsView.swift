import Foundation
import GatewayEngine

/// Screen 8: outbound credentials. One row per connection (provider, kind, status, token expiry, the APIs whose calls
/// use it, the status reason), then the providers left without a connection. Nothing secret reaches this screen: a
/// provider's secret appears only as a mask, on its page. Providers are added with `n` (a masked field) or the CLI,
/// which reads secrets from standard input.
enum CredentialsView {
    /// The master-key line, then a blank line.
    static let headerLines = 2

    /// How providers are added (shown where there are none).
    static let addCommand = "gatehouse credential provider add NAME --type … --secret-stdin"

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let t = ctx.theme
        // The master-key line; a lock reason too long for it continues on the blank line below.
        let vault = vaultSummary(ctx.data.credentials, ascii: ctx.ascii)
        let style = vault.severity >= .warn ? t.severity(vault.severity) : t.label
        let body = vault.text.trimmingCharacters(in: .whitespaces)
        let wraps = vault.severity == .crit && TextWidth.columns(of: vault.text) > ctx.width
        for (i, line) in (wraps ? TextFit.wrap(body, width: ctx.width - 4) : [body]).prefix(headerLines).enumerated() {
            buf.put((i == 0 ? " " : "   ") + line, x: 0, y: y + i, width: ctx.width, style: style, ascii: ctx.ascii)
        }

        let columns = [
            Column("NAME", 14), Column("PROVIDER", 12, dropOrder: 3), Column("KIND", 18), Column("STATUS", 11),
            Column("EXPIRES", 10, dropOrder: 1), Column("APIS", 10, dropOrder: 2), Column("REASON", 16, flexible: true),
        ]
        let now = ctx.data.monitor.takenAt
        let rows = s.credentialRows(s.page).map { row -> [TableCell] in
            let apis = row.apis.map { ctx.safe($0.name) }
            return [
                TableCell(ctx.safe(row.name), Style(bold: true)), TableCell(ctx.safe(row.providerName)), TableCell(ctx.safe(row.kind), t.label),
                status(row, ctx), expiry(row.connection?.expiresAt, now: now, ctx),
                TableCell(apis.isEmpty ? "-" : apis.joined(separator: ", "), apis.isEmpty ? t.dim : nil), reason(row, ctx),
            ]
        }
        let empty =
            ctx.data.credentials.providers.isEmpty
            ? "No credentials yet: n adds a provider (its secret in a masked field), as does the CLI (secret on standard input):"
            : "No credential matches the filter (esc clears it)."
        let tableY = y + headerLines
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: tableY, width: ctx.width, height: height - headerLines, theme: t, ascii: ctx.ascii)
        guard ctx.data.credentials.providers.isEmpty, ctx.data.credentials.connections.isEmpty else { return }
        let help = [
            ("    " + addCommand, t.key),
            ("    types: " + CredentialKind.allCases.map(\.rawValue).joined(separator: ", "), t.label),
            ("  then attach one to an API: gatehouse api set API --credential NAME", t.label),
        ]
        for (i, (text, style)) in help.enumerated() where tableY + 3 + i < y + height {
            buf.put(text, x: 0, y: tableY + 3 + i, width: ctx.width, style: style, ascii: ctx.ascii)
        }
    }

    /// The master-key line: where the key was loaded from, or why credentials are locked.
    static func vaultSummary(_ credentials: ConsoleData.Credentials, ascii: Bool) -> (text: String, severity: Severity) {
        let dot = ascii ? "|" : "·"
        let counts =
            "\(credentials.providers.count) \(credentials.providers.count == 1 ? "provider" : "providers"), "
            + "\(credentials.connections.count) \(credentials.connections.count == 1 ? "connection" : "connections")"
        switch credentials.vault {
        case .unknown:
            return (" Master key: not read yet", .idle)
        case .unlocked(let source):
            return (" Master key: loaded from \(SafeText.escape(source, ascii: ascii))  \(dot)  \(counts)", .ok)
        case .locked where credentials.providers.isEmpty:
            return (" Master key: none yet (the first provider added creates one)", .idle)
        case .locked(let reason):
            return (" \(Severity.crit.symbol(ascii: ascii)) credentials locked: \(SafeText.escape(reason, ascii: ascii))  \(dot)  \(counts)", .crit)
        }
    }

    /// How serious a connection status is: connected ok, pending and expired warn, error critical.
    static func severity(_ status: String?) -> Severity {
        switch status {
        case "connected": .ok
        case "pending", "expired": .warn
        case nil: .off
        default: .crit
        }
    }

    /// `● connected`, `▲ pending`, `▲ expired`, `✖ error`, `- no connection`: a symbol and a word, never colour alone.
    static func status(_ row: CredentialListRow, _ ctx: RenderContext) -> TableCell {
        let sev = severity(row.connection?.status)
        let word = row.connection.map { ctx.safe($0.status) } ?? "none"
        return TableCell(sev.symbol(ascii: ctx.ascii) + " " + word, ctx.theme.severity(sev))
    }

    /// `in 52m`, `3m ago` (dim: the next call refreshes it), or `-` when the credential does not expire.
    static func expiry(_ date: Date?, now: Date, _ ctx: RenderContext) -> TableCell {
        guard let date else { return TableCell("-", ctx.theme.dim) }
        return TableCell(Format.relative(date, now: now), date <= now ? ctx.theme.dim : nil)
    }

    private static func reason(_ row: CredentialListRow, _ ctx: RenderContext) -> TableCell {
        guard let connection = row.connection else { return TableCell("provider only", ctx.theme.dim) }
        return TableCell(connection.statusReason.map(ctx.safe) ?? "", severity(connection.status) >= .warn ? ctx.theme.label : nil)
    }
}
