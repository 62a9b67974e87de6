/// Semantic styles (roles) for the console. The colour theme maps roles to colours; the monochrome theme
/// (`NO_COLOR`, `--no-color`) uses only bold, underline, dim and reverse. Meaning never rests on colour alone:
/// every coloured status also carries a word or symbol.
struct Theme: Sendable {
    let monochrome: Bool
    /// Styles a theme file gives roles (colour mode only: the monochrome theme is always the built-in one).
    let overrides: ThemeOverrides

    init(monochrome: Bool, overrides: ThemeOverrides = ThemeOverrides()) {
        self.monochrome = monochrome
        self.overrides = overrides
    }

    /// The theme a state draws with.
    init(_ s: ConsoleState) { self.init(monochrome: s.monochrome, overrides: s.themeOverrides) }

    /// The role's style from the theme file, else `builtIn`.
    private func role(_ name: ThemeOverrides.Role, _ builtIn: Style) -> Style {
        monochrome ? builtIn : overrides.styles[name] ?? builtIn
    }

    private func color(_ c: ColorName, bold: Bool = false, mono: Style) -> Style {
        monochrome ? mono : Style(color: c, bold: bold)
    }

    var titleBar: Style { role(.titleBar, Style(bold: true, reverse: true)) }
    var tabActive: Style { role(.tabActive, monochrome ? Style(bold: true, reverse: true) : Style(color: .cyan, bold: true, reverse: true)) }
    var tabInactive: Style { role(.tabInactive, .plain) }
    var breadcrumb: Style { role(.breadcrumb, Style(bold: true)) }
    var tableHeader: Style { role(.tableHeader, monochrome ? Style(bold: true, underline: true) : Style(color: .cyan, bold: true)) }
    var sectionTitle: Style { role(.sectionTitle, monochrome ? Style(bold: true, underline: true) : Style(color: .blue, bold: true)) }
    var label: Style { role(.label, monochrome ? .plain : Style(color: .gray)) }
    var dim: Style { role(.dim, monochrome ? Style(dim: true) : Style(color: .gray, dim: true)) }
    var key: Style { role(.key, color(.cyan, bold: true, mono: Style(bold: true))) }
    var accent: Style { role(.accent, color(.magenta, bold: true, mono: Style(bold: true))) }
    var ok: Style { role(.ok, color(.green, mono: .plain)) }
    var warn: Style { role(.warn, color(.yellow, bold: true, mono: Style(bold: true))) }
    var crit: Style { role(.crit, color(.red, bold: true, mono: Style(bold: true, underline: true))) }
    var off: Style { role(.off, monochrome ? Style(dim: true) : Style(color: .gray)) }
    var sparkline: Style { role(.sparkline, color(.green, mono: .plain)) }
    var dialog: Style { role(.dialog, .plain) }
    var dialogBorder: Style { role(.dialogBorder, color(.cyan, bold: true, mono: Style(bold: true))) }
    var field: Style { role(.field, Style(underline: true)) }
    var focusedField: Style { role(.focusedField, Style(bold: true, reverse: true)) }

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
        case .info: role(.flashInfo, monochrome ? .plain : Style(color: .cyan))
        case .success: role(.flashSuccess, color(.green, bold: true, mono: Style(bold: true)))
        case .error: role(.flashError, monochrome ? Style(bold: true, reverse: true) : Style(color: .red, bold: true))
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
