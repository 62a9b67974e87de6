extension CellBuffer {
    /// Draws a box border (`┌─┐│└┘`, or `+-|` in ASCII mode) with an optional title in the top edge, and clears
    /// its inside with `style`.
    public mutating func box(
        x: Int, y: Int, width w: Int, height h: Int, title: String = "", style: Style = .plain, borderStyle: Style? = nil, ascii: Bool = false
    ) {
        guard w >= 2, h >= 2 else { return }
        let border = borderStyle ?? style
        let (tl, tr, bl, br, hz, vt) = ascii ? ("+", "+", "+", "+", "-", "|") : ("┌", "┐", "└", "┘", "─", "│")
        fill(x: x, y: y, width: w, height: h, style: style)
        write(tl + String(repeating: hz, count: w - 2) + tr, x: x, y: y, style: border)
        for yy in (y + 1)..<(y + h - 1) {
            write(vt, x: x, y: yy, style: border)
            write(vt, x: x + w - 1, y: yy, style: border)
        }
        write(bl + String(repeating: hz, count: w - 2) + br, x: x, y: y + h - 1, style: border)
        if !title.isEmpty {
            write(" \(title) ", x: x + 2, y: y, style: Style(color: border.color, bold: true, reverse: border.reverse), maxWidth: w - 4)
        }
    }

    /// Writes `text` (truncated with an ellipsis) within `width` columns; returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, width: Int, style: Style = .plain, ascii: Bool = false) -> Int {
        write(TextFit.truncate(text, to: width, ascii: ascii), x: x, y: y, style: style, maxWidth: width)
    }

    /// Restyles the cells of a row segment, keeping their text (for selection highlights).
    public mutating func restyle(x: Int, y: Int, width w: Int, _ change: (inout Style) -> Void) {
        guard y >= 0, y < height else { return }
        for xx in max(0, x)..<min(width, x + w) {
            var cell = self[xx, y]
            change(&cell.style)
            self[xx, y] = cell
        }
    }
}
