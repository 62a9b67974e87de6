/// Screen 6: the policy documents, one per scope, global first, then servers, then tools.
enum PoliciesView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let t = ctx.theme
        let columns = [
            Column("SCOPE", 24), Column("KIND", 6), Column("IN", 3, right: true), Column("OUT", 3, right: true),
            Column("POLICIES", 12, flexible: true), Column("UPDATED", 16, dropOrder: 1),
        ]
        let rows = s.policyRows(s.page).map { p -> [TableCell] in
            let updated = TableCell(Format.minute(p.updatedAt, s.timeZone), t.label)
            let scope = TableCell(ctx.safe(p.scope), Style(bold: true))
            if var problem = p.problem {
                let mark = ctx.ascii ? "x" : "✗"
                let place = "policy \(p.scope): "
                if problem.hasPrefix(place) { problem.removeFirst(place.count) }
                return [
                    scope, TableCell(p.kind), TableCell("-"), TableCell("-"), TableCell("\(mark) invalid: \(ctx.safe(problem))", t.crit), updated,
                ]
            }
            let names = (p.inbound + p.outbound).map(ctx.safe).joined(separator: ", ")
            return [
                scope, TableCell(p.kind, t.label), TableCell("\(p.inbound.count)"), TableCell("\(p.outbound.count)"),
                TableCell(names.isEmpty ? "(empty)" : names, names.isEmpty ? t.dim : nil), updated,
            ]
        }
        var empty =
            s.readOnly
            ? "No policy documents."
            : "No policy documents yet: press n to write one for global, server:<name> or tool:<server>/<tool>."
        if !ctx.data.policies.isEmpty { empty = "No policy document matches the filter (esc clears it)." }
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: empty)
            .draw(into: &buf, x: 0, y: y, width: ctx.width, height: height, theme: t, ascii: ctx.ascii)
    }
}
