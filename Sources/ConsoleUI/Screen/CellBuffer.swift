/// A colour of the console theme. Never the only carrier of meaning: every coloured status also has a word or
/// symbol.
public enum ColorName: String, Sendable, Hashable, CaseIterable {
    case red, green, yellow, blue, magenta, cyan, gray
}

/// How a cell is drawn.
public struct Style: Sendable, Hashable {
    public var color: ColorName?
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false

    public init(color: ColorName? = nil, bold: Bool = false, reverse: Bool = false, underline: Bool = false, dim: Bool = false) {
        self.color = color
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }

    public static let plain = Style()
}

/// One terminal cell: one grapheme (a wide grapheme occupies its cell and the next, which holds `""`).
public struct Cell: Sendable, Hashable {
    public var text: String
    public var style: Style

    public init(text: String = " ", style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// A screen's worth of cells: what rendering produces and what a terminal backend draws. Pure data, so screens
/// can be compared with text snapshots in tests.
public struct CellBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` columns (default: to the right edge). Control characters
    /// must already be escaped (see ``SafeText``). Returns the number of columns used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width - max(x, 0), maxWidth ?? Int.max)
        var col = 0
        var cx = x
        for ch in text {
            let w = TextWidth.columns(of: ch)
            if w == 0 { continue }
            if col + w > limit { break }
            if cx >= 0 {
                self[cx, y] = Cell(text: String(ch), style: style)
                if w == 2 && cx + 1 < width { self[cx + 1, y] = Cell(text: "", style: style) }
            }
            cx += w
            col += w
        }
        return col
    }

    /// Fills a rectangle's cells with a style (and spaces).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, style: Style) {
        for yy in max(0, y)..<min(height, y + h) {
            for xx in max(0, x)..<min(width, x + w) { self[xx, yy] = Cell(text: " ", style: style) }
        }
    }

    /// Row `y` as text, trailing spaces removed.
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width { s += self[x, y].text }
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }

    /// The whole buffer as text, one line per row (for golden snapshots and tests).
    public var text: String { (0..<height).map(line).joined(separator: "\n") }
}
