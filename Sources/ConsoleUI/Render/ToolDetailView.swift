/// A tool's details: its operation, description (marked when overridden), the policies a call runs, and its
/// inputSchema.
enum ToolDetailView {
    static func lines(_ s: ConsoleState, server: String, tool name: String) -> [StyledLine] {
        let t = Theme(s)
        let safe = { SafeText.escape($0, ascii: s.asciiOnly) }
        guard let tool = s.tool(server: server, name) else {
            return [.blank, StyledLine("  This tool no longer exists. Press esc to go back.", t.warn)]
        }
        let dot = s.asciiOnly ? "|" : "·"
        let status = tool.enabled ? "enabled" : "disabled (hidden from tools/list)"
        var lines: [StyledLine] = [
            StyledLine([(" TOOL  ", t.sectionTitle), (safe(tool.name), Style(bold: true))]),
            StyledLine([
                ("  " + TextFit.pad("Server", to: 17), t.label), ("\(safe(server))   \(dot)   ", .plain), (status, tool.enabled ? t.ok : t.off),
            ]),
            StyledLine([
                ("  " + TextFit.pad("Operation", to: 17), t.label), (safe(tool.method.uppercased()) + " ", t.accent), (safe(tool.path), .plain),
            ]),
        ]
        let description = tool.description.isEmpty ? "(no description)" : safe(tool.description)
        lines += TextPageView.field("Description", description, width: s.width, theme: t)
        if tool.descriptionOverridden {
            lines.append(
                StyledLine("  " + String(repeating: " ", count: 17) + "custom description: o edits it, an empty one restores the operation's", t.dim))
        }
        lines += policyLines(s, server: server, tool: tool.name)
        lines += [.blank, TextPageView.section("INPUT SCHEMA", t)]
        let schema = tool.inputSchema.isEmpty ? ["{}"] : tool.inputSchema.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines += schema.map { StyledLine("   " + safe($0)) }
        return lines
    }

    /// The policies a call to the tool runs, in order; a subscription-key requirement; documents that do not parse.
    static func policyLines(_ s: ConsoleState, server: String, tool: String) -> [StyledLine] {
        let t = Theme(s)
        let own = "tool:\(server)/\(tool)"
        var lines: [StyledLine] = [.blank, StyledLine([(" POLICIES", t.sectionTitle), ("  in the order a call runs them", t.label)])]
        if s.server(server)?.requireSubscription == true {
            lines.append(StyledLine("   a subscription key is checked first (this server requires one)", t.label))
        }
        lines += PolicyDetailView.stepLines(s.tool(server: server, tool)?.policies ?? [], highlighting: own, s)
        let scopes: Set = ["global", "server:\(server)", own]
        for p in s.data.policies where p.problem != nil && scopes.contains(p.scope) {
            let mark = s.asciiOnly ? "x" : "✗"
            lines.append(
                StyledLine(
                    "   \(mark) \(SafeText.escape(p.scope, ascii: s.asciiOnly)) does not parse: requests here are refused until it is fixed", t.crit))
        }
        return lines
    }
}
