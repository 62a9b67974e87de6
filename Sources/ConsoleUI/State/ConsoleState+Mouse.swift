/// The mouse, for what a keyboard user does too (k9s and btop's model): the wheel scrolls three rows (a list's cursor,
/// a text page), a click on a tab goes to it (as its number key), a click on a list row selects it and a double
/// click opens it (as `enter`). Only in the normal mode: a dialog, form or menu on top takes keys only, so a stray
/// click never confirms or cancels anything.
extension ConsoleState {
    /// Rows the wheel moves per step.
    static let wheelRows = 3

    mutating func mouse(_ event: MouseEvent) -> [ConsoleEffect] {
        guard mode == .normal else { return [] }
        switch event.kind {
        case .wheelUp, .wheelDown:
            for _ in 0..<Self.wheelRows { move(event.kind == .wheelUp ? .up : .down) }
            return []
        case .click, .doubleClick:
            if event.y == HeaderView.tabRow {
                guard let n = HeaderView.tabSpans(self).firstIndex(where: { $0.columns.contains(event.x) }) else { return [] }
                return handleKey(.char(Character(String(n + 1))))
            }
            guard let row = listRow(atScreenRow: event.y) else { return [] }
            page.selected = row
            clamp()
            return event.kind == .doubleClick ? handleKey(.enter) : []
        }
    }

    /// The index of the list row drawn on screen row `y`, when the current page is a plain list (its table right
    /// below its header lines) and that row exists.
    func listRow(atScreenRow y: Int) -> Int? {
        guard descriptor is any ListScreen.Type else { return nil }
        let first = ConsoleLayout.contentTop + descriptor.headerLines + 1
        let viewport = ConsoleLayout.viewport(self, page)
        guard y >= first, y < first + viewport else { return nil }
        let row = page.top + (y - first)
        return row < rowCount(page) ? row : nil
    }
}
