/// The `?` page, generated from the registry's key-binding table: bindings grouped by section in two columns, the
/// ones usable on the screen help was opened from marked with `•`; mutating ones are left out in read-only mode. The
/// screen menu and the `:` commands close the right column.
enum HelpView {
    static let keyWidth = 12

    /// The help entries as lines, per group: the binding sections, then the closing sections (screens, commands).
    static func groups(_ s: ConsoleState) -> (bindings: [[StyledLine]], closing: [[StyledLine]]) {
        let t = Theme(s)
        let origin = s.stack.count >= 2 ? s.kind(of: s.stack[s.stack.count - 2].route) : s.screen
        var seen = Set<String>()
        let shown = s.registry.table.filter { b in b.showsInHelp && !(s.readOnly && b.isMutating) && seen.insert(b.identity).inserted }
        var groups: [[StyledLine]] = []
        var closing: [[StyledLine]] = []
        for group in s.registry.groups {
            let bindings = shown.filter { $0.group == group }
            if bindings.isEmpty { continue }
            var lines = [StyledLine(" " + group.title.uppercased(), t.sectionTitle)]
            for b in bindings {
                let usable = s.registry.table.contains { $0.action == b.action && $0.keys == b.keys && s.registry.applies($0, to: origin) }
                let here = usable ? (s.asciiOnly ? "*" : "•") : " "
                lines.append(
                    StyledLine([
                        (" " + here + " ", Style(bold: true)), (TextFit.pad(b.keyNames(ascii: s.asciiOnly), to: keyWidth), t.key), (b.title, .plain),
                    ]))
            }
            if group == .screens {
                // The screens without a number key, by their command.
                for top in s.registry.tops where s.registry.number(of: top.kind) == nil {
                    lines.append(
                        StyledLine([("   " + TextFit.pad(":" + top.command, to: keyWidth), t.key), ("\(top.title): \(top.summary)", .plain)]))
                }
                closing.append(lines + [.blank])
            } else {
                groups.append(lines + [.blank])
            }
        }
        let commands = s.availableCommands.map { ":" + $0.name }
        var lines = [StyledLine(" COMMANDS", t.sectionTitle)]
        lines += TextFit.wrap(commands.joined(separator: " "), width: max(20, s.width / 2 - 6)).map { StyledLine("   " + $0, t.key) }
        closing.append(lines)
        return (groups, closing)
    }

    /// The two columns: the binding sections split where the first column is closest to half, the closing sections
    /// at the end of the second.
    static func columns(_ s: ConsoleState) -> ([StyledLine], [StyledLine]) {
        let (gs, closing) = groups(s)
        let total = gs.reduce(0) { $0 + $1.count }
        var left: [StyledLine] = []
        var right: [StyledLine] = []
        for g in gs {
            if left.count + g.count <= (total + 1) / 2 + 2 && right.isEmpty { left += g } else { right += g }
        }
        return (left, right + closing.flatMap { $0 })
    }

    /// Rows the page scrolls through.
    static func lineCount(_ s: ConsoleState) -> Int {
        let (l, r) = columns(s)
        return max(l.count, r.count) + 1
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let origin = s.stack.count >= 2 ? HeaderView.breadcrumbs(ctx)[s.stack.count - 2] : "this screen"
        let note = s.readOnly ? "read-only mode: changes are hidden" : "esc or ? closes"
        let marker = ctx.ascii ? "*" : "•"
        buf.put(" \(marker) works on \(origin)  \(ctx.dot)  \(note)", x: 0, y: y, width: ctx.width, style: ctx.theme.dim, ascii: ctx.ascii)
        let (left, right) = columns(s)
        let top = min(s.page.selected, max(0, lineCount(s) - (height - 1)))
        let half = ctx.width / 2
        for i in 0..<max(0, height - 1) {
            let row = top + i
            left[safe: row]?.draw(&buf, x: 0, y: y + 1 + i, width: half - 1, ascii: ctx.ascii)
            right[safe: row]?.draw(&buf, x: half, y: y + 1 + i, width: ctx.width - half, ascii: ctx.ascii)
        }
    }
}
