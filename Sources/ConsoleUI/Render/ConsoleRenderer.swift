/// What every view needs: the state, the theme and the glyph set.
struct RenderContext {
    let state: ConsoleState
    let theme: Theme
    var ascii: Bool { state.asciiOnly }
    var data: ConsoleData { state.data }
    var width: Int { state.width }

    init(_ state: ConsoleState) {
        self.state = state
        theme = Theme(state)
    }

    /// Untrusted text made safe to draw.
    func safe(_ s: String) -> String { SafeText.escape(s, ascii: ascii) }
    /// The middle dot separator (`·`, or `|` in ASCII mode).
    var dot: String { ascii ? "|" : "·" }
}

/// Draws a state into a cell buffer of the state's size: a pure function of the state.
public enum ConsoleRenderer {
    /// Renders the whole screen: header, the current screen's content (drawn by its ``ConsoleScreen`` descriptor), the
    /// flash/input line, key hints, and any dialog on top. Below 80×24 only a "too small" message is drawn.
    public static func render(_ state: ConsoleState) -> CellBuffer {
        var buf = CellBuffer(width: state.width, height: state.height)
        if state.isTooSmall {
            drawTooSmall(&buf, state)
            return buf
        }
        let ctx = RenderContext(state)
        HeaderView.draw(&buf, ctx)
        let y = ConsoleLayout.contentTop
        let h = ConsoleLayout.contentHeight(state)
        state.descriptor.draw(&buf, ctx, y: y, height: h)
        SearchHighlight.apply(&buf, ctx, y: y, height: h)
        FooterView.draw(&buf, ctx)
        switch state.mode {
        case .form(let form): FormView.draw(&buf, ctx, form)
        case .confirm(let confirmation): FormView.draw(&buf, ctx, confirmation)
        case .reveal(let secret): FormView.draw(&buf, ctx, secret)
        case .menu(let menu): MenuView.draw(&buf, ctx, menu)
        default: break
        }
        return buf
    }

    private static func drawTooSmall(_ buf: inout CellBuffer, _ state: ConsoleState) {
        let x = state.asciiOnly ? "x" : "×"
        let need = ConsoleState.minimumSize
        let message = "too small: need \(need.width)\(x)\(need.height), have \(state.width)\(x)\(state.height)"
        let col = max(0, (state.width - TextWidth.columns(of: message)) / 2)
        buf.write(message, x: col, y: max(0, (state.height - 1) / 2), style: Style(bold: true))
    }
}
