/// Marks what the `/` filter matched in a list's rows: every occurrence of the filter text (case-insensitive) in the
/// drawn rows is underlined and bold (and yellow where there is colour), so an operator sees why each row is there.
/// A filter in the request log's language (`tool:get*`) selects by field, not by text, and is not marked.
enum SearchHighlight {
    static func apply(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        guard !s.descriptor.isTextPage else { return }
        let term = s.page.filter.trimmingCharacters(in: .whitespaces)
        guard !term.isEmpty, !term.contains(where: { ":<>=".contains($0) }) else { return }
        let needle = Array(ctx.safe(term).lowercased())
        // The rows: below the screen's own header lines and the table's column titles.
        let first = y + s.descriptor.headerLines + 1
        for row in first..<min(buf.height, y + height) { mark(&buf, row: row, needle, ctx.theme) }
    }

    /// Restyles each match of `needle` on one buffer row (cells hold one grapheme each; a wide grapheme's second cell
    /// is empty and is skipped).
    static func mark(_ buf: inout CellBuffer, row: Int, _ needle: [Character], _ theme: Theme) {
        guard !needle.isEmpty else { return }
        var columns: [Int] = []
        var text: [Character] = []
        for x in 0..<buf.width {
            let cell = buf[x, row].text
            guard cell.count == 1, let c = cell.lowercased().first else { continue }
            columns.append(x)
            text.append(c)
        }
        guard text.count >= needle.count else { return }
        var i = 0
        while i + needle.count <= text.count {
            if Array(text[i..<(i + needle.count)]) == needle {
                for k in i..<(i + needle.count) {
                    let x = columns[k]
                    buf.restyle(x: x, y: row, width: 1) { style in
                        style.underline = true
                        style.bold = true
                        if !theme.monochrome && !style.reverse { style.color = .yellow }
                    }
                }
                i += needle.count
            } else {
                i += 1
            }
        }
    }
}
