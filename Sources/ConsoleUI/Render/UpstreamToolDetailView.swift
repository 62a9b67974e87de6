import Foundation

/// An upstream tool's page: its status, the flags the engine found, its description before (approved) and after
/// (current), what changed, and both definitions in full. Every line of it is upstream text drawn through ``SafeText``.
enum UpstreamToolDetailView {
    static func lines(_ s: ConsoleState, upstream: String, tool name: String) -> [StyledLine] {
        let t = Theme(s)
        let safe = { SafeText.escape($0, ascii: s.asciiOnly) }
        guard let u = s.upstream(upstream), let tool = s.upstreamTool(upstream: upstream, name) else {
            return [.blank, StyledLine("  This tool is no longer recorded. Press esc to go back.", t.warn)]
        }
        let dot = s.asciiOnly ? "|" : "·"
        let status = UpstreamsView.status(tool.status, ascii: s.asciiOnly)
        var meaning = UpstreamsView.meaning(tool)
        if tool.isPending && !s.readOnly { meaning += " (a approves it)" }
        var lines: [StyledLine] = [
            StyledLine([(" UPSTREAM TOOL  ", t.sectionTitle), (safe(tool.name), Style(bold: true))]),
            StyledLine([("  " + TextFit.pad("Upstream", to: 17), t.label), ("\(safe(u.name))   \(dot)   \(safe(u.transport))", .plain)]),
            StyledLine([("  " + TextFit.pad("Status", to: 17), t.label), (status.text, t.severity(status.severity)), (": " + meaning, .plain)]),
        ]
        lines += TextPageView.field("First seen", Format.minute(tool.firstSeen, s.timeZone), width: s.width, theme: t)
        lines += TextPageView.field("Updated", Format.minute(tool.updatedAt, s.timeZone), width: s.width, theme: t)
        var prints = "current " + short(tool.currentFingerprint, ascii: s.asciiOnly)
        if let approved = tool.approvedFingerprint, approved != tool.currentFingerprint {
            prints += "   \(dot)   approved " + short(approved, ascii: s.asciiOnly)
        }
        lines += TextPageView.field("Fingerprint", safe(prints), width: s.width, theme: t)

        if !tool.flags.isEmpty {
            lines += [.blank, StyledLine([(" FLAGS", t.sectionTitle), ("  suspicious text in the current definition", t.label)])]
            let mark = Severity.crit.symbol(ascii: s.asciiOnly)
            lines += tool.flags.map { StyledLine("   \(mark) " + safe($0), t.crit) }
        }

        lines.append(.blank)
        if tool.isPending {
            lines.append(StyledLine([(" DESCRIPTION", t.sectionTitle), ("  before (approved) and after (current)", t.label)]))
            let before = tool.wasApproved ? description(tool.approvedDescription, safe) : "(never approved: the tool is new)"
            lines += TextPageView.field("Before", before, width: s.width, theme: t, style: t.label)
            lines += TextPageView.field("After", description(tool.currentDescription, safe), width: s.width, theme: t, style: Style(bold: true))
            if !tool.changedMembers.isEmpty {
                lines += TextPageView.field("Changed", tool.changedMembers.map(safe).joined(separator: ", "), width: s.width, theme: t, style: t.warn)
            }
        } else {
            lines.append(TextPageView.section("DESCRIPTION", t))
            lines += TextPageView.field("", description(tool.currentDescription, safe), width: s.width, theme: t)
        }

        lines += [.blank, TextPageView.section(tool.isPending ? "CURRENT DEFINITION (held back)" : "DEFINITION", t)]
        lines += definitionLines(tool.currentDefinition, safe)
        if tool.isPending, let approved = tool.approvedDefinition {
            lines += [.blank, TextPageView.section("APPROVED DEFINITION (served until the new one is approved)", t)]
            lines += definitionLines(approved, safe)
        }
        return lines
    }

    static func description(_ text: String?, _ safe: (String) -> String) -> String {
        guard let text, !text.isEmpty else { return "(no description)" }
        return safe(text)
    }

    /// The first 16 hex digits of a fingerprint.
    static func short(_ fingerprint: String, ascii: Bool) -> String {
        fingerprint.count > 16 ? String(fingerprint.prefix(16)) + (ascii ? "~" : "…") : fingerprint
    }

    private static func definitionLines(_ json: String, _ safe: (String) -> String) -> [StyledLine] {
        json.split(separator: "\n", omittingEmptySubsequences: false).map { StyledLine("   " + safe(String($0))) }
    }
}
