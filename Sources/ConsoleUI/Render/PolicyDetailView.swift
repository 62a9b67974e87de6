import GatewayEngine

/// A policy document, read-only: what it holds, every policy a request in its scope runs (in execution order, from
/// the engine's `PolicyInspector`), and the YAML text. `e` edits it in `$EDITOR`.
enum PolicyDetailView {
    static func lines(_ s: ConsoleState, scope: String) -> [StyledLine] {
        let t = Theme(s)
        let safe = { SafeText.escape($0, ascii: s.asciiOnly) }
        guard let p = s.policy(scope) else {
            return [.blank, StyledLine("  This policy document no longer exists. Press esc to go back.", t.warn)]
        }
        let dot = s.asciiOnly ? "|" : "·"
        var lines: [StyledLine] = [
            StyledLine([(" POLICY  ", t.sectionTitle), (safe(p.scope), Style(bold: true))]),
            StyledLine([
                ("  " + TextFit.pad("Kind", to: 17), t.label), ("\(p.kind)   \(dot)   updated \(Format.minute(p.updatedAt, s.timeZone))", .plain),
            ]),
        ]
        if let problem = p.problem {
            lines += TextPageView.field("Problem", safe(problem), width: s.width, theme: t, style: t.crit)
            let fix = s.readOnly ? "" : " (e edits it)"
            lines.append(
                StyledLine("  " + String(repeating: " ", count: 17) + "the servers it covers refuse requests until it is fixed" + fix, t.dim))
        } else {
            lines += TextPageView.field("Inbound", summary(p.inbound, safe), width: s.width, theme: t)
            lines += TextPageView.field("Outbound", summary(p.outbound, safe), width: s.width, theme: t)
        }
        if let note = targetNote(s, p) { lines.append(StyledLine("  " + TextFit.pad("", to: 17) + note, t.warn)) }
        if let subject = subject(p, safe) {
            lines += [.blank, StyledLine([(" RUNS IN THIS ORDER", t.sectionTitle), ("  \(subject)", t.label)])]
            lines += stepLines(p.effective, highlighting: p.scope, s)
        }
        lines += [.blank, StyledLine([(" DOCUMENT", t.sectionTitle), (s.readOnly ? "" : "  e edits it in $EDITOR", t.label)])]
        let text = p.document.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines += (text.last == "" ? text.dropLast() : text[...]).map { StyledLine("   " + safe($0)) }
        return lines
    }

    /// `rate-limit-by-key, ip-filter`, or `none`.
    private static func summary(_ names: [String], _ safe: (String) -> String) -> String {
        names.isEmpty ? "none" : names.map(safe).joined(separator: ", ")
    }

    /// What the effective order is for: a call to the tool, or a server's own requests; nil for `global`.
    private static func subject(_ p: ConsoleData.PolicyRow, _ safe: (String) -> String) -> String? {
        switch try? PolicyScope(parsing: p.scope) {
        case .server(let server): "for initialize, tools/list and ping on \(safe(server))"
        case .tool(let server, let tool): "for a call to \(safe(tool)) on \(safe(server))"
        default: nil
        }
    }

    /// A warning when the scope names a server or tool that does not exist (the document then applies to nothing).
    private static func targetNote(_ s: ConsoleState, _ p: ConsoleData.PolicyRow) -> String? {
        switch try? PolicyScope(parsing: p.scope) {
        case .server(let server) where s.server(server) == nil:
            "there is no server '\(SafeText.escape(server, ascii: s.asciiOnly))': this document applies to nothing"
        case .tool(let server, let tool) where s.tool(server: server, tool) == nil:
            "there is no tool '\(SafeText.escape(tool, ascii: s.asciiOnly))' on '\(SafeText.escape(server, ascii: s.asciiOnly))': this document applies to nothing"
        default: nil
        }
    }

    /// Numbered steps, `   1  inbound   global               ip-filter`; the ones from `scope` in bold.
    static func stepLines(_ steps: [ConsoleData.PolicyStep], highlighting scope: String?, _ s: ConsoleState) -> [StyledLine] {
        let t = Theme(s)
        if steps.isEmpty { return [StyledLine("   none: no policy document applies here", t.dim)] }
        let scopeWidth = min(40, max(14, steps.map { TextWidth.columns(of: $0.scope) }.max() ?? 0))
        return steps.enumerated().map { i, step in
            let own = step.scope == scope
            return StyledLine([
                (TextFit.pad(String(i + 1), to: 5, right: true) + "  ", t.label),
                (TextFit.pad(step.section, to: 10), step.section == "inbound" ? t.accent : t.key),
                (
                    TextFit.pad(SafeText.escape(step.scope, ascii: s.asciiOnly), to: scopeWidth, ascii: s.asciiOnly) + "  ",
                    own ? Style(bold: true) : t.label
                ),
                (SafeText.escape(step.policy, ascii: s.asciiOnly), own ? Style(bold: true) : .plain),
            ])
        }
    }
}
