/// The rows of the Upstreams screen and what its keys do.
extension ConsoleState {
    // MARK: Rows

    /// The upstreams after the page's `/` filter (which also matches their servers and tool names).
    func upstreamRows(_ p: Page) -> [ConsoleData.UpstreamRow] { UpstreamsScreen.rows(self, p) }

    /// An upstream's tools after the page's `/` filter.
    func upstreamToolRows(upstream: String, _ p: Page) -> [ConsoleData.UpstreamToolRow] {
        Self.filtered(self.upstream(upstream)?.tools ?? [], by: p.filter, UpstreamDetailScreen.searchTexts)
    }

    func upstream(_ name: String) -> ConsoleData.UpstreamRow? { data.upstreams.first { $0.name == name } }

    func upstreamTool(upstream: String, _ name: String) -> ConsoleData.UpstreamToolRow? {
        self.upstream(upstream)?.tools.first { $0.name == name }
    }

    /// The upstream under the cursor (list) or being viewed (its page, or one of its tools).
    var targetUpstream: ConsoleData.UpstreamRow? {
        if let u = UpstreamsScreen.selectedRow(self) { return u }
        if let name = page.route.value(of: .upstreamDetail, as: String.self) ?? page.route.upstreamToolRef?.upstream { return upstream(name) }
        return nil
    }

    /// The tool under the cursor (upstream page) or being viewed (tool page).
    var targetUpstreamTool: (upstream: String, tool: ConsoleData.UpstreamToolRow)? {
        if let name = page.route.value(of: .upstreamDetail, as: String.self) { return UpstreamDetailScreen.selectedRow(self).map { (name, $0) } }
        if let (upstream, tool) = page.route.upstreamToolRef { return upstreamTool(upstream: upstream, tool).map { (upstream, $0) } }
        return nil
    }

    // MARK: Actions

    mutating func performUpstreamAction(_ action: ConsoleAction) -> [ConsoleEffect]? {
        switch action {
        case .approveUpstreamTools:
            if page.route == .top(.upstreams) { approveAllPending() } else { approveSelectedTool() }
        case .discoverUpstream:
            guard let u = targetUpstream else { return nothingSelected("upstream") }
            show(.info, "discovering the tools of \(safe(u.name)) (\(safe(u.transport)))…")
            return [.discoverUpstream(name: u.name)]
        default: return nil
        }
        return []
    }

    /// `a` on the list: every pending tool of the upstream, as shown now.
    private mutating func approveAllPending() {
        guard let u = targetUpstream else {
            _ = nothingSelected("upstream")
            return
        }
        let pending = u.pendingTools
        guard !pending.isEmpty else {
            show(.info, "no tool of \(safe(u.name)) is waiting for approval")
            return
        }
        let names = pending.map { safe($0.name) }
        let more = names.count > 4 ? " and \(names.count - 4) more" : ""
        var lines = [
            "Approve the current \(pending.count == 1 ? "definition" : "definitions") of \(pending.count) pending "
                + "\(pending.count == 1 ? "tool" : "tools") of \(safe(u.name))?",
            "  " + names.prefix(4).joined(separator: ", ") + more,
        ]
        let flagged = pending.filter { !$0.flags.isEmpty }.count
        if flagged > 0 {
            lines.append(
                "\(Severity.crit.symbol(ascii: asciiOnly)) \(flagged) of them \(flagged == 1 ? "carries" : "carry") suspicious text: enter shows what it is."
            )
        }
        lines.append("Clients see the new definitions at once.")
        let tools = Dictionary(pending.map { ($0.name, $0.currentFingerprint) }, uniquingKeysWith: { a, _ in a })
        askToApprove("Approve upstream tools", lines, .approveUpstreamTools(upstream: u.name, tools: tools))
    }

    /// `a` on an upstream's page (the selected tool) or a tool's page.
    private mutating func approveSelectedTool() {
        guard let (upstream, tool) = targetUpstreamTool else {
            _ = nothingSelected("tool")
            return
        }
        guard tool.isPending else {
            let why = tool.status == ConsoleData.UpstreamToolRow.removed ? "the upstream no longer lists it" : "nothing waits for approval"
            show(.error, "\(safe(tool.name)) is \(safe(tool.status)): \(why)")
            return
        }
        let width = max(30, width - 20)
        func describe(_ text: String?) -> String {
            guard let text, !text.isEmpty else { return "(no description)" }
            return TextFit.truncate(safe(text), to: width, ascii: asciiOnly)
        }
        var lines = ["Approve the current definition of \(safe(tool.name)) from \(safe(upstream))?"]
        if tool.wasApproved {
            lines.append("Before: " + describe(tool.approvedDescription))
        } else {
            lines.append("It is new: no definition of it was approved before.")
        }
        lines.append("After:  " + describe(tool.currentDescription))
        if !tool.changedMembers.isEmpty { lines.append("Changed: " + tool.changedMembers.map(safe).joined(separator: ", ")) }
        if let flag = tool.flags.first {
            let more = tool.flags.count > 1 ? " (+\(tool.flags.count - 1) more)" : ""
            lines.append("\(Severity.crit.symbol(ascii: asciiOnly)) " + TextFit.truncate(safe(flag), to: width, ascii: asciiOnly) + more)
        }
        lines.append("Clients see the new definition at once.")
        askToApprove("Approve tool", lines, .approveUpstreamTools(upstream: upstream, tools: [tool.name: tool.currentFingerprint]))
    }

    private mutating func askToApprove(_ title: String, _ lines: [String], _ effect: ConsoleEffect) {
        confirm(title, lines, effect, detail: false, verb: "approve")
    }
}
