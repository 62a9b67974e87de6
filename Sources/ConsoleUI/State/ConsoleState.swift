import Foundation
import GatewayEngine

/// The console's whole state: a value type changed only by ``handle(_:)`` (a reducer) and drawn by
/// ``ConsoleRenderer/render(_:)`` (a pure function). I/O lives in the console service.
///
/// The screens come from a ``ScreenRegistry``: each top screen keeps its own stack of ``Page``s, so `Tab` returns to
/// where you were; `Enter` pushes a page, `Esc` pops one. What a key does, what a page lists and how it is drawn is
/// the showing screen's ``ConsoleScreen`` descriptor. Modal input (filter, command line, screen menu, form,
/// confirmation) is held in ``mode`` and takes every key while active.
public struct ConsoleState: Sendable {
    /// Hide and refuse every mutating action.
    public var readOnly: Bool
    /// No colours (NO_COLOR / --no-color).
    public var monochrome: Bool
    /// A theme file's styles (colour mode only).
    public var themeOverrides = ThemeOverrides()
    /// ASCII glyphs only (non-UTF-8 locale).
    public var asciiOnly: Bool
    /// The terminal's size in columns and rows.
    public var width: Int
    public var height: Int
    /// The latest sampled data.
    public var data: ConsoleData
    /// The time zone times are shown in (default: the process's).
    public var timeZone: TimeZone

    /// The screens: what each kind of page lists, does and draws.
    let registry: ScreenRegistry
    /// The top screen showing.
    public internal(set) var tab: ScreenKind
    /// Each top screen's navigation stack (never empty; its first page is the top screen).
    var stacks: [ScreenKind: [Page]]
    /// Modal input, if any.
    var mode: InputMode = .normal
    /// The one-line message for results and errors.
    public internal(set) var flash: Flash?
    /// What screens keep for themselves (the frozen request rows, the latest authorization URL…).
    /// Effects a screen asked for when it appeared (``ConsoleScreen/appeared(_:)``), returned with the key's own.
    var queued: [ConsoleEffect] = []
    var memory = ScreenMemory()
    /// The last submitted form, reopened with its values if its effect fails.
    var submittedForm: Form?

    /// How many refresh ticks a flash stays visible.
    public static let flashTicks = 4
    /// How many refresh ticks an error stays visible: long enough to read a path or a reason in it.
    public static let errorFlashTicks = 15
    /// The smallest usable terminal.
    public static let minimumSize = (width: 80, height: 24)

    public init(
        readOnly: Bool = false, monochrome: Bool = false, asciiOnly: Bool = false, width: Int = 100, height: Int = 30, data: ConsoleData = .empty()
    ) {
        self.init(readOnly: readOnly, monochrome: monochrome, asciiOnly: asciiOnly, width: width, height: height, data: data, registry: .standard)
    }

    /// A state over the screens of `registry`, on its first top screen.
    init(
        readOnly: Bool = false, monochrome: Bool = false, asciiOnly: Bool = false, width: Int = 100, height: Int = 30, data: ConsoleData = .empty(),
        registry: ScreenRegistry
    ) {
        self.readOnly = readOnly
        self.monochrome = monochrome
        self.asciiOnly = asciiOnly
        self.width = width
        self.height = height
        self.data = data
        self.registry = registry
        timeZone = .current
        tab = registry.tops.first?.kind ?? .help
        stacks = Dictionary(uniqueKeysWithValues: registry.tops.map { ($0.kind, [Page(route: .top($0.kind))]) })
    }

    /// Whether a text input (form field, filter, command line) has focus: the backend may show a cursor, and
    /// every printable key is text rather than a command.
    public var isEditingText: Bool {
        switch mode {
        case .filter, .command, .form: true
        case .normal, .confirm, .menu, .reveal: false
        }
    }

    /// Whether the terminal is below ``minimumSize``.
    public var isTooSmall: Bool { width < Self.minimumSize.width || height < Self.minimumSize.height }

    /// The kind of screen showing.
    public var screen: ScreenKind { kind(of: page.route) }

    /// The descriptor of the screen showing.
    var descriptor: any ConsoleScreen.Type { registry.screen(screen) }

    /// The current tab's navigation stack.
    var stack: [Page] {
        get { stacks[tab] ?? [Page(route: .top(tab))] }
        set { stacks[tab] = newValue.isEmpty ? [Page(route: .top(tab))] : newValue }
    }

    /// The page showing.
    var page: Page {
        get { stack[stack.count - 1] }
        set { stack[stack.count - 1] = newValue }
    }

    /// Applies one event; returns the effects to execute.
    public mutating func handle(_ event: ConsoleEvent) -> [ConsoleEffect] {
        switch event {
        case .key(let key):
            // Behind the "too small" notice nothing is visible, so no key acts (quitting only when it asks nothing).
            if isTooSmall { return tooSmallKey(key) }
            var effects = handleKey(key)
            effects += queued
            queued = []
            return effects
        case .paste(let text):
            paste(text)
            return []
        case .mouse(let event):
            if isTooSmall { return [] }
            var effects = mouse(event)
            if !effects.isEmpty { submittedForm = nil }
            effects += queued
            queued = []
            return effects
        case .resize(let w, let h):
            width = max(0, w)
            height = max(0, h)
            clampAllPages()
            return []
        case .data(let newData):
            apply(newData)
            return []
        case .effectFinished(let outcome):
            finished(outcome)
            return []
        }
    }

    /// Shows a flash message.
    mutating func show(_ kind: Flash.Kind, _ message: String) {
        flash = Flash(kind: kind, message: message, ticksLeft: kind == .error ? Self.errorFlashTicks : Self.flashTicks)
    }

    private mutating func finished(_ outcome: EffectOutcome) {
        show(outcome.succeeded ? .success : .error, outcome.message)
        if outcome.succeeded, let secret = outcome.shownOnce {
            // The secret exists nowhere else: it takes the screen over whatever was open.
            mode = .reveal(secret)
            submittedForm = nil
            return
        }
        for screen in registry.all { screen.effectFinished(outcome, &self) }
        if !outcome.succeeded, var form = submittedForm, case .normal = mode {
            form.error = outcome.message
            mode = .form(form)
        }
        submittedForm = nil
    }
}
