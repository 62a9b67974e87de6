/// The screen menu (`m`): a dialog listing every top screen in tab order with its number key (if any), its `:`
/// command and what it shows; the cursor row is marked `›` and reversed, the screen showing is marked `•`.
enum MenuView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, _ menu: ScreenMenu) {
        let s = ctx.state
        let t = ctx.theme
        let tops = s.registry.tops
        let titleWidth = min(18, (tops.map { TextWidth.columns(of: $0.title) }.max() ?? 0) + 2)
        let commandWidth = min(18, (tops.map { TextWidth.columns(of: $0.command) }.max() ?? 0) + 3)
        let summaryWidth = tops.map { TextWidth.columns(of: $0.summary) }.max() ?? 0
        let width = min(ctx.width - 4, max(50, 2 + 4 + titleWidth + commandWidth + summaryWidth + 4))
        // Rows for the screens: as many as fit, scrolled to keep the cursor visible.
        let room = max(1, s.height - 8)
        let first = max(0, min(menu.selected - room / 2, tops.count - room))
        var lines: [StyledLine] = [.blank]
        var cursorLine: Int?
        for (i, top) in tops.enumerated().dropFirst(first).prefix(room) {
            let selected = i == menu.selected
            if selected { cursorLine = lines.count }
            let marker = selected ? (ctx.ascii ? ">" : "›") : " "
            let here = top.kind == s.tab ? (ctx.ascii ? "*" : "•") : " "
            let number = s.registry.number(of: top.kind).map(String.init) ?? " "
            lines.append(
                StyledLine([
                    ("\(marker)\(here)", Style(bold: true)), (" \(number)  ", t.key), (TextFit.pad(top.title, to: titleWidth), Style(bold: true)),
                    (TextFit.pad(":" + top.command, to: commandWidth), t.key), (top.summary, t.label),
                ]))
        }
        lines += [.blank, StyledLine("enter goes there  \(ctx.dot)  a digit jumps  \(ctx.dot)  esc closes", t.dim)]
        let origin = FormView.drawDialog(&buf, ctx, title: "Screens", lines: lines, width: width)
        if let cursorLine {
            buf.restyle(x: origin.x, y: origin.y + cursorLine, width: width - 4) { $0.reverse = true }
        }
    }
}
