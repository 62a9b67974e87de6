import CNCursesW

/// Maps cell ``Style``s to curses attributes: one colour pair per ``ColorName`` (foreground on the terminal's
/// default background), plus bold, reverse, underline and dim. Monochrome keeps the attributes and drops colour.
@MainActor
struct CursesPalette {
    let monochrome: Bool
    private var cache: [Style: Int32] = [:]

    /// Sets up colour pairs (call after curses started). Falls back to monochrome when the terminal has no colours.
    init(monochrome requested: Bool) {
        var mono = requested || !has_colors()
        if !mono {
            if start_color() == ERR {
                mono = true
            } else {
                use_default_colors()
                let gray = cnc_colors() >= 16 ? Int16(8) : Int16(COLOR_WHITE)
                for (i, name) in ColorName.allCases.enumerated() {
                    let fg: Int16
                    switch name {
                    case .red: fg = Int16(COLOR_RED)
                    case .green: fg = Int16(COLOR_GREEN)
                    case .yellow: fg = Int16(COLOR_YELLOW)
                    case .blue: fg = Int16(COLOR_BLUE)
                    case .magenta: fg = Int16(COLOR_MAGENTA)
                    case .cyan: fg = Int16(COLOR_CYAN)
                    case .gray: fg = gray
                    }
                    init_pair(Int16(i + 1), fg, -1)
                }
            }
        }
        monochrome = mono
    }

    /// The attribute word for a style.
    mutating func attributes(for style: Style) -> Int32 {
        if let cached = cache[style] { return cached }
        var attr: Int32 = 0
        if style.bold { attr |= cnc_a_bold() }
        if style.reverse { attr |= cnc_a_reverse() }
        if style.underline { attr |= cnc_a_underline() }
        if style.dim { attr |= cnc_a_dim() }
        if !monochrome, let color = style.color, let index = ColorName.allCases.firstIndex(of: color) {
            attr |= cnc_color_pair(Int32(index + 1))
        }
        cache[style] = attr
        return attr
    }
}
