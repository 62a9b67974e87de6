/// A table column: a title, a width, an alignment; one flexible column takes the space left. Columns with a
/// higher `dropOrder` are dropped first when the terminal is too narrow.
struct Column: Sendable {
    var title: String
    var width: Int
    var right = false
    var flexible = false
    /// 0 never drops; otherwise higher drops first.
    var dropOrder = 0

    init(_ title: String, _ width: Int, right: Bool = false, flexible: Bool = false, dropOrder: Int = 0) {
        self.title = title
        self.width = width
        self.right = right
        self.flexible = flexible
        self.dropOrder = dropOrder
    }
}

/// One table cell: safe text and an optional style (the row style otherwise).
struct TableCell: Sendable {
    var text: String
    var style: Style?

    init(_ text: String, _ style: Style? = nil) {
        self.text = text
        self.style = style
    }
}

/// Draws a table: a header row, then rows from `top`, the selected one highlighted and marked with `›` in a
/// two-column gutter (so the selection shows without colour, and in text snapshots).
struct TableView {
    static let gap = 2
    static let gutter = 2

    var columns: [Column]
    var rows: [[TableCell]]
    var selected: Int?
    var top = 0
    var empty = "nothing to show"

    /// Column widths that fit `width` (dropped columns get 0).
    static func widths(_ columns: [Column], width: Int) -> [Int] {
        var active = Array(columns.indices)
        func need(_ idx: [Int]) -> Int {
            gutter + idx.reduce(0) { $0 + columns[$1].width } + max(0, idx.count - 1) * gap
        }
        while need(active) > width, let drop = active.filter({ columns[$0].dropOrder > 0 }).max(by: { columns[$0].dropOrder < columns[$1].dropOrder })
        {
            active.removeAll { $0 == drop }
        }
        var widths = columns.map { _ in 0 }
        for i in active { widths[i] = columns[i].width }
        let spare = width - need(active)
        if let flex = active.first(where: { columns[$0].flexible }) {
            widths[flex] = max(1, widths[flex] + spare)
        }
        return widths
    }

    func draw(into buf: inout CellBuffer, x: Int, y: Int, width: Int, height: Int, theme: Theme, ascii: Bool) {
        guard height > 0 else { return }
        let widths = Self.widths(columns, width: width)
        var cx = x + Self.gutter
        for (i, c) in columns.enumerated() where widths[i] > 0 {
            buf.write(TextFit.pad(c.title, to: widths[i], right: c.right, ascii: ascii), x: cx, y: y, style: theme.tableHeader)
            cx += widths[i] + Self.gap
        }
        if rows.isEmpty {
            if height > 1 { buf.put(empty, x: x + Self.gutter, y: y + 1, width: width - Self.gutter, style: theme.dim, ascii: ascii) }
            return
        }
        for line in 0..<(height - 1) {
            let r = top + line
            guard r < rows.count else { break }
            let yy = y + 1 + line
            cx = x + Self.gutter
            for (i, c) in columns.enumerated() where widths[i] > 0 {
                let cell = i < rows[r].count ? rows[r][i] : TableCell("")
                buf.write(TextFit.pad(cell.text, to: widths[i], right: c.right, ascii: ascii), x: cx, y: yy, style: cell.style ?? .plain)
                cx += widths[i] + Self.gap
            }
            if r == selected {
                buf.write(ascii ? ">" : "›", x: x, y: yy, style: Style(bold: true))
                buf.restyle(x: x, y: yy, width: width) { $0.reverse = true }
            }
        }
        if top > 0 { buf.write(ascii ? "^" : "▲", x: x + width - 1, y: y, style: theme.dim) }
        if top + height - 1 < rows.count { buf.write(ascii ? "v" : "▼", x: x + width - 1, y: y + height - 1, style: theme.dim) }
    }
}
