/// A line of styled text segments, for pages that scroll text (tool detail, request detail, help).
struct StyledLine: Sendable {
    var segments: [(text: String, style: Style)]

    init(_ segments: [(String, Style)] = []) {
        self.segments = segments.map { (text: $0.0, style: $0.1) }
    }

    init(_ text: String, _ style: Style = .plain) {
        self.init([(text, style)])
    }

    static let blank = StyledLine()

    /// Draws the line at (x, y) within `width` columns.
    func draw(_ buf: inout CellBuffer, x: Int, y: Int, width: Int, ascii: Bool) {
        var cx = x
        for segment in segments {
            let room = x + width - cx
            guard room > 0 else { break }
            cx += buf.put(segment.text, x: cx, y: y, width: room, style: segment.style, ascii: ascii)
        }
    }
}

/// Draws the scrolling text pages (tool detail, request detail…): a page's lines from its first visible one.
enum TextPageView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, _ lines: [StyledLine], y: Int, height: Int) {
        let s = ctx.state
        let top = min(s.page.selected, max(0, lines.count - height))
        for (i, line) in lines.dropFirst(top).prefix(height).enumerated() {
            line.draw(&buf, x: 0, y: y + i, width: ctx.width, ascii: ctx.ascii)
        }
        if top > 0 { buf.write(ctx.ascii ? "^" : "▲", x: ctx.width - 1, y: y, style: ctx.theme.dim) }
        if top + height < lines.count { buf.write(ctx.ascii ? "v" : "▼", x: ctx.width - 1, y: y + height - 1, style: ctx.theme.dim) }
    }

    /// `label` then a wrapped value, continuation lines indented under the value.
    static func field(_ label: String, _ value: String, width: Int, theme: Theme, labelWidth: Int = 17, style: Style = .plain) -> [StyledLine] {
        let wrapped = TextFit.wrap(value, width: max(10, width - labelWidth - 4))
        return wrapped.enumerated().map { i, text in
            StyledLine([("  " + TextFit.pad(i == 0 ? label : "", to: labelWidth), theme.label), (text, style)])
        }
    }

    /// A section title line.
    static func section(_ title: String, _ theme: Theme) -> StyledLine { StyledLine(" " + title, theme.sectionTitle) }
}
