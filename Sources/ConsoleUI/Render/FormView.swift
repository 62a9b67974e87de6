/// Modal dialogs drawn over the screen: forms and delete confirmations.
enum FormView {
    static let labelWidth = 17

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, _ form: Form) {
        let t = ctx.theme
        let w = min(84, ctx.width - 4)
        let inner = w - 4
        var lines: [StyledLine] = [.blank]
        var cursor: (line: Int, col: Int, input: TextInput, width: Int)?
        let fieldWidth = inner - 2 - labelWidth - 2
        let maxOptions = max(3, ctx.state.height - 8 - form.fields.count - 4)
        for (i, field) in form.fields.enumerated() {
            let focused = i == form.focus
            let lead: [(String, Style)] = [
                ((focused ? (ctx.ascii ? "> " : "› ") : "  "), Style(bold: true)),
                (TextFit.pad(field.label, to: labelWidth), focused ? Style(bold: true) : t.label),
            ]
            switch field.kind {
            case .text:
                let empty = field.input.text.isEmpty
                let input = field.shownInput(ascii: ctx.ascii)
                let shown = empty && !focused ? field.hint : ctx.safe(input.text)
                let body = TextFit.pad(shown, to: fieldWidth, ascii: ctx.ascii)
                if focused { cursor = (lines.count, 2 + labelWidth + 1, input, fieldWidth) }
                lines.append(StyledLine(lead + [("[", .plain), (body, empty && !focused ? t.dim : (focused ? t.field : .plain)), ("]", .plain)]))
            case .checkbox:
                lines.append(StyledLine(lead + [(field.checked ? "[x] " : "[ ] ", Style(bold: true, reverse: focused)), (field.hint, t.label)]))
            case .multiSelect:
                let chosen = field.options.filter(\.selected).count
                lines.append(StyledLine(lead + [("\(chosen) of \(field.options.count) selected", Style(bold: true))]))
                let start = max(0, min(field.cursor - maxOptions / 2, field.options.count - maxOptions))
                for (j, option) in field.options.enumerated().dropFirst(start).prefix(maxOptions) {
                    let here = focused && j == field.cursor
                    let mark = here ? (ctx.ascii ? ">" : "›") : " "
                    lines.append(
                        StyledLine([
                            ("    \(mark) ", Style(bold: true)), (option.selected ? "[x] " : "[ ] ", Style(bold: option.selected, reverse: here)),
                            (ctx.safe(option.label), option.selected ? .plain : t.dim),
                        ]))
                }
                let hidden = field.options.count - min(field.options.count, maxOptions)
                if hidden > 0 { lines.append(StyledLine("      … \(hidden) more (j/k scroll)", t.dim)) }
            }
        }
        lines.append(.blank)
        if let error = form.error {
            lines.append(StyledLine("\(ctx.ascii ? "x" : "✗") \(ctx.safe(error))", t.crit))
        } else {
            lines.append(StyledLine("tab next field  \(ctx.dot)  enter \(form.submitTitle)  \(ctx.dot)  esc cancel", t.dim))
        }
        let origin = drawDialog(&buf, ctx, title: ctx.safe(form.title), lines: lines, width: w)
        if let c = cursor {
            FooterView.drawInput(&buf, ctx, c.input, x: origin.x + c.col, y: origin.y + c.line, width: c.width, style: t.field)
        }
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, _ c: Confirmation) {
        var lines: [StyledLine] = [.blank]
        lines += c.lines.map { StyledLine($0, .plain) }
        lines += [
            .blank,
            StyledLine([("y", ctx.theme.key), (" \(c.verb)   ", .plain), ("n", ctx.theme.key), (" cancel", .plain)]),
        ]
        let longest = c.lines.map { TextWidth.columns(of: $0) }.max() ?? 0
        drawDialog(&buf, ctx, title: c.title, lines: lines, width: min(ctx.width - 4, max(40, longest + 6)), border: ctx.theme.crit)
    }

    /// The shown-once dialog: what the secret is, the secret itself in full (wrapped when it is wider than the box,
    /// never cut) and the warning that it cannot be shown again.
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, _ secret: ShownOnce) {
        let t = ctx.theme
        let w = min(ctx.width - 4, 84)
        var lines: [StyledLine] = [.blank]
        lines += secret.lines.map { StyledLine(ctx.safe($0), .plain) }
        lines.append(.blank)
        var rest = Substring(ctx.safe(secret.value))
        while !rest.isEmpty {
            lines.append(StyledLine([("  ", .plain), (String(rest.prefix(w - 8)), Style(bold: true))]))
            rest = rest.dropFirst(w - 8)
        }
        lines += [
            .blank,
            StyledLine("Shown only now: it is stored as a hash and cannot be shown again.", t.warn),
            .blank,
            StyledLine([("y", t.key), (" copy   ", .plain), ("enter", t.key), (" close", .plain)]),
        ]
        drawDialog(&buf, ctx, title: ctx.safe(secret.title), lines: lines, width: w, border: t.warn)
    }

    /// Draws a centred box with the lines inside; returns the top-left of the text area.
    @discardableResult
    static func drawDialog(_ buf: inout CellBuffer, _ ctx: RenderContext, title: String, lines: [StyledLine], width: Int, border: Style? = nil) -> (
        x: Int, y: Int
    ) {
        let h = min(ctx.state.height - 2, lines.count + 2)
        let x = (ctx.width - width) / 2
        let y = max(1, (ctx.state.height - h) / 2)
        buf.fill(x: x - 1, y: y, width: width + 2, height: h, style: .plain)
        buf.box(
            x: x, y: y, width: width, height: h, title: title, style: ctx.theme.dialog, borderStyle: border ?? ctx.theme.dialogBorder,
            ascii: ctx.ascii)
        for (i, line) in lines.prefix(h - 2).enumerated() {
            line.draw(&buf, x: x + 2, y: y + 1 + i, width: width - 4, ascii: ctx.ascii)
        }
        return (x + 2, y + 1)
    }
}
