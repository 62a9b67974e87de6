/// The `?` page: every key binding of the registry by section, and the `:` commands (``HelpView``). Every registry
/// has it; `?` opens it on top of any page and closes it again.
enum HelpScreen: ConsoleScreen {
    static let kind = ScreenKind.help
    static let title = "Help"
    static let isTextPage = true

    static func rowCount(_ s: ConsoleState, _ page: Page) -> Int { HelpView.lineCount(s) }
    /// The first content row holds the note (what `•` marks), so a page down moves by one row less and never skips
    /// a line.
    static func viewport(_ s: ConsoleState, _ page: Page, contentHeight: Int) -> Int { max(1, contentHeight - 1) }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        HelpView.draw(&buf, ctx, y: y, height: height)
    }
}
