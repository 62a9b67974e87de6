/// The screen's regions, shared by the renderers and the reducer (which needs page sizes for scrolling):
/// rows 0–2 are the title bar, the tabs and the breadcrumbs; the last two rows are the flash/input line and the
/// key hints; everything between is content.
enum ConsoleLayout {
    static let contentTop = 3
    static let bottomRows = 2

    static func contentHeight(_ s: ConsoleState) -> Int { max(0, s.height - contentTop - bottomRows) }

    /// Rows available to a page's list rows (below any header block and the table header), or to a text page's lines.
    static func viewport(_ s: ConsoleState, _ p: Page) -> Int {
        s.registry.screen(s.kind(of: p.route)).viewport(s, p, contentHeight: contentHeight(s))
    }
}
