import GatewayEngine

/// Screen 2: the imported APIs.
enum APIsView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let apis = APIsScreen.rows(s, s.page)
        let columns = [
            Column("NAME", 14), Column("TITLE", 18), Column("VERSION", 8, dropOrder: 1), Column("FORMAT", 11, dropOrder: 2),
            Column("OPS", 4, right: true), Column("SERVERS", 10, dropOrder: 3), Column("SOURCE", 12, flexible: true, dropOrder: 4),
        ]
        let rows = apis.map { api -> [TableCell] in
            let users = ctx.data.servers.filter { $0.apiName == api.name }.map { ctx.safe($0.name) }
            return [
                TableCell(ctx.safe(api.name), Style(bold: true)), TableCell(ctx.safe(api.title)), TableCell(ctx.safe(api.version)),
                TableCell(ctx.safe(api.format)), TableCell("\(api.operations.count)"),
                TableCell(users.isEmpty ? "-" : users.joined(separator: ", "), users.isEmpty ? ctx.theme.dim : nil),
                TableCell(ctx.safe(api.source), ctx.theme.label),
            ]
        }
        var empty = s.readOnly ? "No APIs." : "No APIs yet: press i to import one from a file or URL."
        if !ctx.data.apis.isEmpty { empty = "No API matches the filter (esc clears it)." }
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: y, width: ctx.width, height: height, theme: ctx.theme, ascii: ctx.ascii)
    }
}

/// An API's details and its operations (method, path, summary, tool name).
enum APIDetailView {
    static let headerLines = 8

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let t = ctx.theme
        guard let name = s.page.route.value(of: .apiDetail, as: String.self), let api = s.api(name) else {
            buf.put("  This API no longer exists. Press esc to go back.", x: 0, y: y + 1, width: ctx.width, style: t.warn, ascii: ctx.ascii)
            return
        }
        let users = ctx.data.servers.filter { $0.apiName == api.name }.map { ctx.safe($0.name) }
        let facts: [(String, String)] = [
            ("Title", "\(ctx.safe(api.title))   \(ctx.dot)   version \(ctx.safe(api.version))   \(ctx.dot)   \(ctx.safe(api.format))"),
            ("Source", ctx.safe(api.source)),
            (
                "Base URL",
                (api.baseURL.map(ctx.safe) ?? "(none: set one with e)") + "   \(ctx.dot)   private network "
                    + (api.allowPrivateNetwork ? "allowed" : "refused")
            ),
            ("Servers", users.isEmpty ? "none: press c to create one" : users.joined(separator: ", ")),
            ("Credential", credential(api, ctx)),
            ("Findings", findings(api, ctx)),
        ]
        KeyValueView.draw(&buf, ctx, facts, x: 2, y: y, labelWidth: 10)
        if api.credential != nil, originMismatch(api, ascii: ctx.ascii) != nil {
            buf.restyle(x: 13, y: y + 4, width: ctx.width - 14) { $0 = ctx.theme.warn }
        }
        if api.findings.contains(where: { $0.kind == .defect }) {
            buf.restyle(x: 13, y: y + 5, width: ctx.width - 14) { $0 = ctx.theme.warn }
        }
        // headerLines: six facts, a blank line, the OPERATIONS title.
        buf.write(" OPERATIONS", x: 0, y: y + headerLines - 1, style: t.sectionTitle)
        buf.write("  \(api.operations.count), each exposable as an MCP tool", x: 11, y: y + headerLines - 1, style: t.label)
        let ops = APIDetailScreen.rows(s, s.page)
        let columns = [Column("METHOD", 7), Column("PATH", 28), Column("SUMMARY", 20, flexible: true), Column("TOOL", 22, dropOrder: 1)]
        let rows = ops.map { op in
            [
                TableCell(ctx.safe(op.method.uppercased()), t.accent), TableCell(ctx.safe(op.path)), TableCell(ctx.safe(op.summary)),
                TableCell(ctx.safe(op.toolName), t.label),
            ]
        }
        TableView(
            columns: columns, rows: rows, selected: s.page.selected, top: s.page.top,
            empty: api.operations.isEmpty ? "No operations." : "No operation matches the filter."
        )
        .draw(into: &buf, x: 0, y: y + headerLines, width: ctx.width, height: height - headerLines, theme: t, ascii: ctx.ascii)
    }
}

extension APIDetailView {
    /// `3 warnings, 12 notes   ·   w lists them`, or `none`.
    static func findings(_ api: ConsoleData.APIRow, _ ctx: RenderContext) -> String {
        guard !api.findings.isEmpty else { return "none: the document imported cleanly" }
        let defects = api.findings.filter { $0.kind == .defect }.count
        let notes = api.findings.count - defects
        return "\(defects) warning\(defects == 1 ? "" : "s"), \(notes) note\(notes == 1 ? "" : "s")   \(ctx.dot)   w lists them"
    }

    /// `github-alice   ·   bound to https://api.github.com:443`, or `-` when no credential is attached.
    static func credential(_ api: ConsoleData.APIRow, _ ctx: RenderContext) -> String {
        guard let name = api.credential else { return "-" }
        let bound = "\(ctx.safe(name))   \(ctx.dot)   bound to \(ctx.safe(api.credentialOrigin ?? "-"))"
        return originMismatch(api, ascii: ctx.ascii) == nil ? bound : bound + "   \(Severity.warn.symbol(ascii: ctx.ascii)) base URL moved"
    }

    /// A warning when the base URL moved away from the origin the credential is bound to (calls then fail), else nil.
    static func originMismatch(_ api: ConsoleData.APIRow, ascii: Bool) -> String? {
        guard api.credential != nil, let base = api.baseURL, let origin = credentialOrigin(of: base), origin != api.credentialOrigin else {
            return nil
        }
        return
            "\(Severity.warn.symbol(ascii: ascii)) the base URL is now on \(SafeText.escape(origin, ascii: ascii)): calls fail until it is re-attached"
    }
}

/// Label/value lines (`Source    https://…`).
enum KeyValueView {
    static func draw(
        _ buf: inout CellBuffer, _ ctx: RenderContext, _ facts: [(String, String)], x: Int, y: Int, labelWidth: Int, valueStyle: Style = .plain
    ) {
        for (i, (label, value)) in facts.enumerated() {
            buf.write(label, x: x, y: y + i, style: ctx.theme.label)
            buf.put(value, x: x + labelWidth + 1, y: y + i, width: ctx.width - x - labelWidth - 2, style: valueStyle, ascii: ctx.ascii)
        }
    }
}
