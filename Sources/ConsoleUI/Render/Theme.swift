/// Semantic styles (roles) for the console. The colour theme maps roles to colours; the monochrome theme
/// (`NO_COLOR`, `--no-color`) uses only bold, underline, dim and reverse. Meaning never rests on colour alone:
/// every coloured status also carries a word or symbol.
struct Theme: Sendable {
    let monochrome: Bool

    init(monochrome: Bool) {
        self.monochrome = monochrome
    }

    private func color(_ c: ColorName, bold: Bool = false, mono: Style) -> Style {
        monochrome ? mono : Style(color: c, bold: bold)
    }

    var titleBar: Style { Style(bold: true, reverse: true) }
    var tabActive: Style { monochrome ? Style(bold: true, reverse: true) : Style(color: .cyan, bold: true, reverse: true) }
    var tabInactive: Style { .plain }
    var breadcrumb: Style { Style(bold: true) }
    var tableHeader: Style { monochrome ? Style(bold: true, underline: true) : Style(color: .cyan, bold: true) }
    var sectionTitle: Style { monochrome ? Style(bold: true, underline: true) : Style(color: .blue, bold: true) }
    var label: Style { monochrome ? .plain : Style(color: .gray) }
    var dim: Style { monochrome ? Style(dim: true) : Style(color: .gray, dim: true) }
    var key: Style { color(.cyan, bold: true, mono: Style(bold: true)) }
    var accent: Style { color(.magenta, bold: true, mono: Style(bold: true)) }
    var ok: Style { color(.green, mono: .plain) }
    var warn: Style { color(.yellow, bold: true, mono: Style(bold: true)) }
    var crit: Style { color(.red, bold: true, mono: Style(bold: true, underline: true)) }
    var off: Style { monochrome ? Style(dim: true) : Style(color: .gray) }
    var sparkline: Style { color(.green, mono: .plain) }
    var dialog: Style { .plain }
    var dialogBorder: Style { color(.cyan, bold: true, mono: Style(bold: true)) }
    var field: Style { Style(underline: true) }
    var focusedField: Style { Style(bold: true, reverse: true) }

    func severity(_ s: Severity) -> Style {
        switch s {
        case .ok: ok
        case .warn: warn
        case .crit: crit
        case .idle, .off: off
        }
    }

    func flash(_ kind: Flash.Kind) -> Style {
        switch kind {
        case .info: monochrome ? .plain : Style(color: .cyan)
        case .success: color(.green, bold: true, mono: Style(bold: true))
        case .error: monochrome ? Style(bold: true, reverse: true) : Style(color: .red, bold: true)
        }
    }

    func level(_ level: String) -> Style {
        switch level {
        case "error": crit
        case "warning": warn
        default: label
        }
    }
}
