/// What a key binding does; the reducer interprets it for the current screen. The core actions (navigation, modes,
/// quitting) are declared here; each screen declares its own in its file
/// (`extension ConsoleAction { static let toggleServer = ConsoleAction("toggleServer") }`) and handles them in
/// ``ConsoleScreen/perform(_:_:)``.
public struct ConsoleAction: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public var description: String { name }

    public static let quit = ConsoleAction("quit"), help = ConsoleAction("help"), commandMode = ConsoleAction("commandMode")
    public static let filterMode = ConsoleAction("filterMode"), back = ConsoleAction("back"), clearFilter = ConsoleAction("clearFilter")
    /// Enter: what it does is the screen's ``ConsoleScreen/open(_:)``.
    public static let open = ConsoleAction("open")
    public static let up = ConsoleAction("up"), down = ConsoleAction("down"), pageUp = ConsoleAction("pageUp"), pageDown = ConsoleAction("pageDown")
    public static let home = ConsoleAction("home"), end = ConsoleAction("end")
    public static let nextScreen = ConsoleAction("nextScreen"), previousScreen = ConsoleAction("previousScreen")
    public static let jumpToScreen = ConsoleAction("jumpToScreen")
    /// Open the menu of every screen (the ones beyond `1`–`9` included).
    public static let screenMenu = ConsoleAction("screenMenu")
    public static let refresh = ConsoleAction("refresh")
}

/// One key binding. The same records drive key dispatch, the footer hints, the `?` help and read-only mode (mutating
/// bindings are hidden and refused). Screens contribute theirs (``ConsoleScreen/bindings``); ``ScreenRegistry`` merges
/// them with the core ones into one table.
public struct KeyBinding: Sendable {
    /// A help section. Screens declare their own (`extension KeyBinding.Group { static let servers = … }`); `?` lists
    /// ``general`` and ``navigation`` first, then the screens' sections in registry order, then ``screens``.
    public struct Group: Sendable, Hashable {
        public let title: String
        public init(_ title: String) { self.title = title }

        public static let general = Group("General"), navigation = Group("Navigation"), screens = Group("Screens")
    }

    /// Where a binding applies.
    public enum Scope: Sendable, Hashable {
        /// These screen kinds; `nil` in a screen's ``ConsoleScreen/bindings`` means the screen itself.
        case screens(Set<ScreenKind>)
        case everywhere
        /// Screens whose rows `/` filters.
        case filterable
        /// Pages drilled into (not the root of a top screen).
        case pages
        /// The roots of the top screens.
        case roots
    }

    /// The keys that trigger it (the first is shown in the footer).
    public var keys: [Key]
    /// The full title (help).
    public var title: String
    /// The footer title.
    public var shortTitle: String
    /// What it does.
    public var action: ConsoleAction
    /// Its help section.
    public var group: Group
    /// Where the binding applies.
    public var scope: Scope
    /// Listed in the footer hints (when it fits).
    public var showsInFooter: Bool
    /// Listed on the `?` page.
    public var showsInHelp: Bool
    /// Changes configuration: hidden and refused in read-only mode.
    public var isMutating: Bool
    /// Destroys something: always asks for confirmation.
    public var isDangerous: Bool
    /// Overrides the key names shown in help (e.g. `1-9`).
    public var keyLabel: String?
    /// The footer title for the current state, when it changes (`Pause` → `Resume`).
    var footerTitle: (@Sendable (ConsoleState) -> String?)?

    init(
        _ keys: [Key], _ title: String, short: String? = nil, _ action: ConsoleAction, _ group: Group, on screens: Set<ScreenKind>? = nil,
        scope: Scope? = nil, footer: Bool = true, help: Bool = true, mutating: Bool = false, dangerous: Bool = false, label: String? = nil,
        footerTitle: (@Sendable (ConsoleState) -> String?)? = nil
    ) {
        self.keys = keys
        self.title = title
        self.shortTitle = short ?? title
        self.action = action
        self.group = group
        self.scope = scope ?? screens.map { .screens($0) } ?? .screens([])
        self.showsInFooter = footer
        self.showsInHelp = help
        self.isMutating = mutating || dangerous
        self.isDangerous = dangerous
        self.keyLabel = label
        self.footerTitle = footerTitle
    }

    /// The same record for the screens that list it (the help page shows it once).
    var identity: String { "\(group.title)|\(title)|\(keys)" }

    /// The bindings usable on `screen` in the standard registry (mutating ones removed in read-only mode), in table order.
    public static func active(on screen: ScreenKind, readOnly: Bool) -> [KeyBinding] {
        ScreenRegistry.standard.active(on: screen, readOnly: readOnly)
    }

    /// The key names for display, e.g. `j/↓`.
    public func keyNames(ascii: Bool) -> String {
        keyLabel ?? keys.map { KeyBinding.name(of: $0, ascii: ascii) }.joined(separator: "/")
    }

    /// A key's display name.
    public static func name(of key: Key, ascii: Bool) -> String {
        switch key {
        case .char(" "): "space"
        case .char(let c): String(c)
        case .ctrl(let c): "ctrl-\(c)"
        case .enter: "enter"
        case .escape: "esc"
        case .tab: "tab"
        case .backTab: "shift-tab"
        case .backspace: "backspace"
        case .delete: "del"
        case .up: ascii ? "up" : "↑"
        case .down: ascii ? "down" : "↓"
        case .left: ascii ? "left" : "←"
        case .right: ascii ? "right" : "→"
        case .pageUp: "pgup"
        case .pageDown: "pgdn"
        case .home: "home"
        case .end: "end"
        case .function(let n): "F\(n)"
        }
    }
}

extension KeyBinding {
    /// `enter`: opens the selected row (each screen lists it where Enter drills in).
    static func open(on screens: Set<ScreenKind>) -> KeyBinding {
        KeyBinding([.enter], "Open the selected row", short: "Open", .open, .navigation, on: screens)
    }

    /// The core bindings, after every screen's: navigation, modes, help and quitting. `digits` are the keys of the
    /// numbered screens.
    static func core(digits: [Key]) -> [KeyBinding] {
        [
            KeyBinding([.char("/")], "Filter the rows", short: "Filter", .filterMode, .navigation, scope: .filterable),
            KeyBinding([.escape], "Go back", short: "Back", .back, .navigation, scope: .pages),
            KeyBinding([.escape], "Clear the filter", short: "Clear", .clearFilter, .navigation, scope: .roots, footer: false, help: false),
            KeyBinding([.char("k"), .up], "Move up", .up, .navigation, scope: .everywhere, footer: false),
            KeyBinding([.char("j"), .down], "Move down", .down, .navigation, scope: .everywhere, footer: false),
            KeyBinding([.pageUp, .ctrl("b")], "Page up", .pageUp, .navigation, scope: .everywhere, footer: false),
            KeyBinding([.pageDown, .ctrl("f")], "Page down", .pageDown, .navigation, scope: .everywhere, footer: false),
            KeyBinding([.home, .char("g")], "First row", .home, .navigation, scope: .everywhere, footer: false),
            KeyBinding([.end, .char("G")], "Last row", .end, .navigation, scope: .everywhere, footer: false),
            KeyBinding([.char("y")], "Copy the value (URL, id, JSON)", short: "Copy", .copy, .general, scope: .everywhere, footer: false),
            KeyBinding([.char(">")], "Sort: next column or way", short: "Sort", .sortNext, .navigation, scope: .everywhere, footer: false),
            KeyBinding(
                [.char("<")], "Sort: previous column or way", short: "Sort back", .sortPrevious, .navigation, scope: .everywhere, footer: false),
            KeyBinding([.tab], "Next screen", .nextScreen, .navigation, scope: .everywhere, footer: false),
            KeyBinding([.backTab], "Previous screen", .previousScreen, .navigation, scope: .everywhere, footer: false),
            KeyBinding(
                digits, "Jump to a numbered screen", short: "Screens", .jumpToScreen, .navigation, scope: .everywhere, footer: false,
                label: "1-\(digits.count)"),
            KeyBinding(
                [.char("m")], "Menu of every screen (enter jumps)", short: "Menu", .screenMenu, .screens, scope: .everywhere, footer: false),
            KeyBinding([.char("R")], "Refresh now", short: "Refresh", .refresh, .general, scope: .everywhere, footer: false),
            KeyBinding([.char(":")], "Command mode (tab completes)", short: "Cmd", .commandMode, .general, scope: .everywhere, footer: false),
            KeyBinding([.char("?"), .function(1)], "Show or hide this help", short: "Help", .help, .general, scope: .everywhere),
            KeyBinding(
                [.char("q"), .ctrl("c")], "Quit (asks if clients would drop)",
                short: "Quit", .quit, .general, scope: .everywhere,
                footerTitle: { s in
                    if s.data.engine.attached { return "Detach" }
                    let n = s.data.engine.clientsCutOffByQuit
                    return n > 0 ? "Quit (stops \(n) client\(n == 1 ? "" : "s"))" : nil
                }),
        ]
    }

    /// `e`: edits the entity under the cursor (or being viewed) in `$EDITOR`, as YAML.
    static func editYAML(on screens: Set<ScreenKind>) -> KeyBinding {
        KeyBinding([.char("e")], "Edit in $EDITOR (YAML)", short: "Edit", .editYAML, .general, on: screens, mutating: true)
    }
}

extension ConsoleAction {
    /// Edit the entity under the cursor in `$EDITOR` (each screen that lists ``KeyBinding/editYAML(on:)`` says which).
    public static let editYAML = ConsoleAction("editYAML")
}
