/// The two bottom rows: the flash (or the filter/command input) and the key hints, which come from the
/// key-binding table (so they always match what the keys do, and hide mutating actions in read-only mode).
enum FooterView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext) {
        let s = ctx.state
        let t = ctx.theme
        let w = ctx.width
        let y = s.height - 2
        switch s.mode {
        case .filter(let input):
            var x = buf.write(" Filter: /", x: 0, y: y, style: t.accent)
            x += drawInput(&buf, ctx, input, x: x, y: y, width: w - x - 1)
            drawHints(&buf, ctx, [("enter", "Keep filter"), ("esc", "Clear"), (arrows(ctx), "Move")])
        case .command(let command):
            var x = buf.write(" :", x: 0, y: y, style: t.accent)
            x += drawInput(&buf, ctx, command.input, x: x, y: y, width: 30)
            let prefix = command.input.text.lowercased()
            let suggestions = command.candidates.isEmpty ? s.availableCommands.map(\.name).filter { $0.hasPrefix(prefix) } : command.candidates
            buf.put(suggestions.map { ":" + $0 }.joined(separator: "  "), x: x + 2, y: y, width: max(0, w - x - 3), style: t.dim, ascii: ctx.ascii)
            drawHints(&buf, ctx, [("tab", "Complete"), ("enter", "Run"), ("esc", "Cancel")])
        case .form(let form):
            drawFlash(&buf, ctx, y: y)
            var hints = [("tab", "Next field")]
            let kind = form.fields[safe: form.focus]?.kind
            if kind == .checkbox { hints.append(("space", "Toggle")) }
            if kind == .multiSelect { hints += [("space", "Toggle"), ("a", "All/none")] }
            drawHints(&buf, ctx, hints + [("enter", form.submitTitle.capitalized), ("esc", "Cancel")])
        case .confirm(let c):
            drawFlash(&buf, ctx, y: y)
            drawHints(&buf, ctx, [("y", c.verb.capitalized), ("n", "Cancel")])
        case .reveal:
            drawFlash(&buf, ctx, y: y)
            drawHints(&buf, ctx, [("y", "Copy"), ("enter", "Close (shown only now)")])
        case .menu:
            drawFlash(&buf, ctx, y: y)
            drawHints(&buf, ctx, [("enter", "Go"), (arrows(ctx), "Move"), ("1-\(s.registry.numbered.count)", "Jump"), ("esc", "Close")])
        case .normal:
            drawFlash(&buf, ctx, y: y)
            drawHints(&buf, ctx, hints(ctx))
        }
    }

    private static func arrows(_ ctx: RenderContext) -> String { ctx.ascii ? "up/down" : "↑/↓" }

    /// The footer hints of the current screen: screen actions first, then the pinned `: ? q`, dropping screen
    /// actions from the end when the row is full.
    static func hints(_ ctx: RenderContext) -> [(String, String)] {
        let s = ctx.state
        let pinned: Set<ConsoleAction> = [.commandMode, .help, .quit]
        let bindings = s.registry.active(on: s.screen, readOnly: s.readOnly).filter(\.showsInFooter)
        func hint(_ b: KeyBinding) -> (String, String) {
            (KeyBinding.name(of: b.keys[0], ascii: ctx.ascii), b.footerTitle?(s) ?? b.shortTitle)
        }
        var context = bindings.filter { !pinned.contains($0.action) }.map(hint)
        let end = bindings.filter { pinned.contains($0.action) }.map(hint)
        while !context.isEmpty, width(context + end) > ctx.width - 1 { context.removeLast() }
        return context + end
    }

    private static func width(_ hints: [(String, String)]) -> Int {
        hints.reduce(0) { $0 + TextWidth.columns(of: "<\($1.0)> \($1.1)") + 2 }
    }

    private static func drawHints(_ buf: inout CellBuffer, _ ctx: RenderContext, _ hints: [(String, String)]) {
        let y = ctx.state.height - 1
        var x = 1
        for (key, title) in hints {
            guard x + TextWidth.columns(of: "<\(key)> \(title)") <= ctx.width else { break }
            x += buf.write("<\(key)>", x: x, y: y, style: ctx.theme.key)
            x += buf.write(" \(title)  ", x: x, y: y, style: .plain)
        }
    }

    private static func drawFlash(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int) {
        guard let flash = ctx.state.flash else { return }
        let prefix: String
        switch flash.kind {
        case .info: prefix = ctx.ascii ? "-" : "•"
        case .success: prefix = ctx.ascii ? "OK" : "✓"
        case .error: prefix = ctx.ascii ? "ERROR" : "✗ error:"
        }
        let text = " \(prefix) \(ctx.safe(flash.message)) "
        buf.put(text, x: 0, y: y, width: ctx.width, style: ctx.theme.flash(flash.kind), ascii: ctx.ascii)
    }

    /// Draws a text input with its cursor (a reverse cell); returns the columns used.
    @discardableResult
    static func drawInput(_ buf: inout CellBuffer, _ ctx: RenderContext, _ input: TextInput, x: Int, y: Int, width: Int, style: Style = .plain) -> Int
    {
        guard width > 1 else { return 0 }
        let raw = Array(input.text)
        let split = min(max(0, input.cursor), raw.count)
        let before = ctx.safe(String(raw[..<split]))
        let chars = Array(before + ctx.safe(String(raw[split...])))
        let cursor = before.count
        // Scroll so the cursor stays visible.
        var start = 0
        while TextWidth.columns(of: String(chars[start..<cursor])) > width - 1 { start += 1 }
        let shown = String(chars[start...])
        let used = buf.write(shown, x: x, y: y, style: style, maxWidth: width)
        let cx = x + TextWidth.columns(of: String(chars[start..<cursor]))
        if cx < x + width { buf.restyle(x: cx, y: y, width: 1) { $0.reverse.toggle() } }
        return max(used, cx - x + 1)
    }
}
