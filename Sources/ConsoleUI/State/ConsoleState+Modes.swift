/// A one-line message for results and errors; it disappears after a few refresh ticks.
public struct Flash: Sendable, Equatable {
    /// Info (neutral), success (`✓`, green) or error (`✗`, red).
    public enum Kind: Sendable, Equatable { case info, success, error }
    public var kind: Kind
    /// The text (escaped when drawn).
    public var message: String
    /// Refresh ticks left before it disappears.
    public var ticksLeft: Int
}

/// A yes/no question before a destructive effect.
struct Confirmation: Sendable, Equatable {
    var title: String
    var lines: [String]
    /// The verb on the `y` hint.
    var verb: String
    var effect: ConsoleEffect
    /// Pop the current page when confirmed (it shows what is being deleted).
    var popsPage: Bool
}

/// The `:` command line.
struct CommandInput: Sendable, Equatable {
    var input = TextInput()
    /// Completions offered by the last `Tab`.
    var candidates: [String] = []
}

/// The screen menu (`m`): every top screen, the cursor on one.
struct ScreenMenu: Sendable, Equatable {
    /// The index of the selected screen in ``ScreenRegistry/tops``.
    var selected = 0
}

/// Modal input: whichever is active takes every key.
enum InputMode: Sendable, Equatable {
    case normal
    /// Typing a `/` filter; the page's filter follows the text live.
    case filter(TextInput)
    case command(CommandInput)
    case form(Form)
    case confirm(Confirmation)
    /// The screen menu.
    case menu(ScreenMenu)
    /// A secret shown once (a new subscription key): `y` copies it, `enter`/`esc` close the dialog and forget it.
    case reveal(ShownOnce)
}
