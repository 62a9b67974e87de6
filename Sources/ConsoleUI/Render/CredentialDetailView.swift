import Foundation
import GatewayEngine

/// A credential's page: the connection's status and token expiry, the latest authorization URL (`c`), the provider's
/// non-secret settings and its secret's mask (or why credentials are locked), and the APIs that use it with the
/// origin each is bound to. Tokens and secrets themselves never reach the console.
enum CredentialDetailView {
    static func lines(_ s: ConsoleState, _ ref: CredentialRef) -> [StyledLine] {
        let t = Theme(s)
        let safe = { SafeText.escape($0, ascii: s.asciiOnly) }
        guard let row = s.credentialRow(ref) else {
            return [.blank, StyledLine("  This credential no longer exists. Press esc to go back.", t.warn)]
        }
        var lines: [StyledLine]
        if let c = row.connection {
            lines = [StyledLine([(" CONNECTION  ", t.sectionTitle), (safe(c.name), Style(bold: true))])]
            lines += connectionLines(s, c, row, t)
            lines += authorizationLines(s, c.name, t)
        } else {
            let fix = row.provider?.isStatic == false ? " (gatehouse credential create NAME --provider \(safe(row.name)))" : ""
            lines = [
                StyledLine([(" PROVIDER  ", t.sectionTitle), (safe(row.name), Style(bold: true))]),
                StyledLine("  no connection: nothing can use it" + fix, t.warn),
            ]
        }
        if let p = row.provider { lines += [.blank] + providerLines(s, p, t) }
        if row.connection != nil { lines += [.blank] + usageLines(s, row, t) }
        let hints =
            (row.kind == CredentialKind.authorizationCode.rawValue && row.connection != nil ? ["c shows a new authorization URL"] : []) + [
                "d deletes it"
            ]
        if !s.readOnly { lines += [.blank, StyledLine("  " + hints.joined(separator: "   \(s.asciiOnly ? "|" : "·")   "), t.dim)] }
        return lines
    }

    private static func connectionLines(_ s: ConsoleState, _ c: ConsoleData.CredentialConnectionRow, _ row: CredentialListRow, _ t: Theme)
        -> [StyledLine]
    {
        let sev = CredentialsView.severity(c.status)
        let dot = s.asciiOnly ? "|" : "·"
        var status: [(String, Style)] = [
            ("  " + TextFit.pad("Status", to: 17), t.label), (sev.symbol(ascii: s.asciiOnly) + " " + safe(s, c.status), t.severity(sev)),
        ]
        if let reason = c.statusReason, !reason.isEmpty { status.append(("   \(dot)   " + safe(s, reason), .plain)) }
        var lines = [StyledLine(status)]
        lines += TextPageView.field("Provider", "\(safe(s, c.provider))   \(dot)   \(safe(s, row.kind))", width: s.width, theme: t)
        lines += TextPageView.field("Token", token(s, c, row), width: s.width, theme: t)
        lines += TextPageView.field("Updated", Format.minute(c.updatedAt, s.timeZone), width: s.width, theme: t)
        return lines
    }

    /// What is known about the tokens: whether they are held and when the access token expires, never their values.
    private static func token(_ s: ConsoleState, _ c: ConsoleData.CredentialConnectionRow, _ row: CredentialListRow) -> String {
        if row.provider?.isStatic == true { return "static: the provider's secret is sent as it is (it does not expire)" }
        guard c.hasAccessToken else { return "no access token yet" }
        var text = "access token held"
        if let expires = c.expiresAt {
            text += ", expires \(Format.minute(expires, s.timeZone)) (\(Format.relative(expires, now: s.data.monitor.takenAt)))"
        }
        return text + (c.hasRefreshToken ? "; refresh token held" : "; no refresh token")
    }

    /// The latest authorization URL of the connection, cut into lines that start at column 0 so it can be copied.
    private static func authorizationLines(_ s: ConsoleState, _ connection: String, _ t: Theme) -> [StyledLine] {
        guard let link = s.authorizationLink(for: connection) else { return [] }
        let now = s.data.monitor.takenAt
        if link.expiresAt <= now {
            return [
                .blank,
                StyledLine("  The last authorization URL expired at \(Format.clock(link.expiresAt, s.timeZone)): press c for a new one.", t.warn),
            ]
        }
        var lines: [StyledLine] = [
            .blank,
            StyledLine([
                (" AUTHORIZE", t.sectionTitle),
                ("  open this URL in a browser (it works once, until \(Format.clock(link.expiresAt, s.timeZone))):", t.label),
            ]),
        ]
        let url = Array(safe(s, link.url))
        let chunk = max(20, s.width - 1)
        for start in stride(from: 0, to: url.count, by: chunk) {
            lines.append(StyledLine(String(url[start..<min(url.count, start + chunk)]), Style(bold: true)))
        }
        lines += TextPageView.field("Redirect URI", "\(safe(s, link.redirectURI)) (register it with the provider)", width: s.width, theme: t)
        return lines
    }

    private static func providerLines(_ s: ConsoleState, _ p: ConsoleData.CredentialProviderRow, _ t: Theme) -> [StyledLine] {
        var lines = [StyledLine([(" PROVIDER  ", t.sectionTitle), (safe(s, p.name), Style(bold: true)), ("  \(safe(s, p.kind))", t.label)])]
        for (label, value) in settings(p) {
            lines += TextPageView.field(label, safe(s, value), width: s.width, theme: t)
        }
        let secret = secretLine(s, p, t)
        lines += TextPageView.field(secretLabel(p.kind), secret.text, width: s.width, theme: t, style: secret.style)
        lines += TextPageView.field("Private network", p.allowPrivateNetwork ? "allowed for its endpoints" : "refused", width: s.width, theme: t)
        return lines
    }

    /// The provider's non-secret settings, labelled, in a fixed order.
    static func settings(_ p: ConsoleData.CredentialProviderRow) -> [(String, String)] {
        let x = p.settings
        var out: [(String, String?)] = []
        if p.kind == CredentialKind.apiKey.rawValue {
            out.append(x.queryName.map { ("Query parameter", $0) } ?? ("Header", x.headerName ?? "X-API-Key"))
        }
        out += [
            ("User name", x.username), ("Token URL", x.tokenURL), ("Authorize URL", x.authorizationURL), ("Client id", x.clientID),
            ("Scopes", x.scopes.map { $0.joined(separator: " ") }), ("Audience", x.audience), ("Client auth", x.clientAuthentication),
        ]
        return out.compactMap { label, value in value.map { (label, $0) } }
    }

    /// The mask of the secret, `-` when there is none, or why it cannot be opened.
    private static func secretLine(_ s: ConsoleState, _ p: ConsoleData.CredentialProviderRow, _ t: Theme) -> (text: String, style: Style) {
        guard p.hasSecret else { return ("-", t.dim) }
        if case .locked(let reason) = s.data.credentials.vault { return ("credentials locked: " + safe(s, reason), t.crit) }
        return (p.maskedSecret.map { safe(s, $0) } ?? "-", t.accent)
    }

    private static func secretLabel(_ kind: String) -> String {
        switch CredentialKind(rawValue: kind) {
        case .apiKey: "API key"
        case .bearer: "Bearer token"
        case .basic: "Password"
        default: "Client secret"
        }
    }

    /// The APIs whose backend calls carry the connection, with the origin each is bound to.
    private static func usageLines(_ s: ConsoleState, _ row: CredentialListRow, _ t: Theme) -> [StyledLine] {
        var lines = [StyledLine([(" USED BY", t.sectionTitle), ("  APIs whose backend calls carry it, and the origin each is bound to", t.label)])]
        if row.apis.isEmpty {
            lines.append(StyledLine("   none: attach it with gatehouse api set API --credential \(safe(s, row.name))", t.dim))
        }
        for api in row.apis {
            let name = "   " + TextFit.pad(safe(s, api.name), to: 18, ascii: s.asciiOnly) + "  "
            lines.append(StyledLine([(name, Style(bold: true)), (safe(s, api.credentialOrigin ?? "-"), .plain)]))
            if let note = APIDetailView.originMismatch(api, ascii: s.asciiOnly) { lines.append(StyledLine("     " + note, t.warn)) }
        }
        return lines
    }

    private static func safe(_ s: ConsoleState, _ text: String) -> String { SafeText.escape(text, ascii: s.asciiOnly) }
}
