/// The console's screens: the top screens in tab order (each with the pages it drills into) and the `?` page. It
/// merges what they declare into the one key-binding table (dispatch, footer hints, `?` help and read-only refusal),
/// the `:` commands and the feeds the sampler reads. The first nine top screens get the keys `1`–`9` and the tab
/// bar; every top screen is reached by its `:` command and the screen menu (`m`).
struct ScreenRegistry: Sendable {
    /// The console's screens. **Adding a screen is one line here** (and the screen's file).
    static let standard = ScreenRegistry([
        DashboardScreen.self,
        APIsScreen.self,
        ServersScreen.self,
        RequestsScreen.self,
        LogsScreen.self,
        PoliciesScreen.self,
        SubscriptionsScreen.self,
        CredentialsScreen.self,
        UpstreamsScreen.self,
        RegistryScreen.self,
        TrafficScreen.self,
    ])

    /// How many top screens get a number key and a tab.
    static let numberedLimit = 9

    /// The top screens, in tab order.
    let tops: [any ConsoleScreen.Type]
    /// Every screen (tops, their pages depth-first, then the help page), in registry order.
    let all: [any ConsoleScreen.Type]
    /// The top screens with a number key (`1`–`9`), in order.
    let numbered: [ScreenKind]
    /// The merged key-binding table: every screen's bindings in registry order, then the core ones.
    let table: [KeyBinding]
    /// The `:` commands, in completion order: the screens, help, the screens' own commands, refresh and quit.
    let commands: [ScreenCommand]
    /// Aliases of commands (not completed).
    let aliases: [String: String]
    /// What the sampler reads: every screen's feeds, each once.
    let feeds: [ConsoleFeed]
    /// The help sections, in order.
    let groups: [KeyBinding.Group]
    private let byKind: [ScreenKind: any ConsoleScreen.Type]
    private let roots: Set<ScreenKind>

    /// A registry of `tops` (tab order) and the pages they list, plus the `?` page.
    init(_ tops: [any ConsoleScreen.Type]) {
        self.tops = tops
        var all: [any ConsoleScreen.Type] = []
        func add(_ screen: any ConsoleScreen.Type) {
            precondition(!all.contains { $0.kind == screen.kind }, "screen kind \(screen.kind) is registered twice")
            all.append(screen)
            screen.pages.forEach(add)
        }
        tops.forEach(add)
        add(HelpScreen.self)
        self.all = all
        byKind = Dictionary(uniqueKeysWithValues: all.map { ($0.kind, $0) })
        roots = Set(tops.map { $0.kind } + all.filter { $0.isRoot }.map { $0.kind })
        numbered = tops.prefix(Self.numberedLimit).map { $0.kind }

        // Bindings: a screen's binding without screens applies to the screen itself.
        var table: [KeyBinding] = []
        for screen in all {
            for var b in screen.bindings {
                if case .screens(let kinds) = b.scope, kinds.isEmpty { b.scope = .screens([screen.kind]) }
                table.append(b)
            }
        }
        let digits = (1...max(1, numbered.count)).map { Key.char(Character(String($0))) }
        table += KeyBinding.core(digits: digits)
        self.table = table
        var groups: [KeyBinding.Group] = [.general, .navigation]
        for b in table where !groups.contains(b.group) && b.group != .screens { groups.append(b.group) }
        self.groups = groups + [.screens]

        // Commands: the jumps, help, the screens' own, refresh, quit.
        var commands = tops.map { top in
            ScreenCommand(name: top.command, help: top.summary, aliases: top.aliases) { s in
                s.jump(to: top.kind)
                return []
            }
        }
        commands.append(ScreenCommand(name: "help", help: "key bindings") { $0.perform(.help, key: .char("?")) })
        commands += all.flatMap { $0.commands }
        commands.append(ScreenCommand(name: "refresh", help: "re-sample now") { _ in [.refresh] })
        commands.append(
            ScreenCommand(name: "quit", help: "leave (an embedded engine stops, asking first while clients are connected)", aliases: ["q"]) {
                $0.quit()
            })
        var aliases: [String: String] = [:]
        for c in commands {
            precondition(!commands.contains { $0.name != c.name && $0.aliases.contains(c.name) }, "command :\(c.name) is also an alias")
            for a in c.aliases { aliases[a] = c.name }
        }
        self.commands = commands
        self.aliases = aliases

        var feeds: [ConsoleFeed] = [.traffic, .configuration]
        for feed in all.flatMap({ $0.feeds }) where !feeds.contains(where: { $0.id == feed.id }) { feeds.append(feed) }
        self.feeds = feeds
    }

    /// The descriptor of a screen kind (a blank page for a kind nothing registered).
    func screen(_ kind: ScreenKind) -> any ConsoleScreen.Type { byKind[kind] ?? UnknownScreen.self }

    /// Whether `kind` is a top screen (or stands in for one): `Esc` clears its filter rather than going back.
    func isRoot(_ kind: ScreenKind) -> Bool { roots.contains(kind) }

    /// Whether a binding applies on `kind`.
    func applies(_ b: KeyBinding, to kind: ScreenKind) -> Bool {
        switch b.scope {
        case .screens(let kinds): kinds.contains(kind)
        case .everywhere: true
        case .filterable: screen(kind).isFilterable
        case .pages: !isRoot(kind)
        case .roots: isRoot(kind)
        }
    }

    /// The binding for `key` on `kind`, if any (first match in table order).
    func binding(for key: Key, on kind: ScreenKind) -> KeyBinding? {
        table.first { $0.keys.contains(key) && applies($0, to: kind) }
    }

    /// The bindings usable on `kind` (mutating ones removed in read-only mode), in table order.
    func active(on kind: ScreenKind, readOnly: Bool) -> [KeyBinding] {
        table.filter { applies($0, to: kind) && !(readOnly && $0.isMutating) }
    }

    /// Whether any binding of `action` changes configuration.
    func isMutating(_ action: ConsoleAction) -> Bool { table.contains { $0.action == action && $0.isMutating } }

    /// A top screen's number key (1–9), if it has one.
    func number(of kind: ScreenKind) -> Int? { numbered.firstIndex(of: kind).map { $0 + 1 } }

    /// The top screens in tab order, for `Tab`: the numbered ones.
    func next(after kind: ScreenKind, by step: Int) -> ScreenKind {
        guard !numbered.isEmpty else { return kind }
        if let i = numbered.firstIndex(of: kind) { return numbered[(i + step + numbered.count) % numbered.count] }
        // An unnumbered screen: the numbered screen after (or before) it in registry order, wrapping.
        let order = tops.map { $0.kind }
        let here = order.firstIndex(of: kind) ?? 0
        let after = Array(order[(here + 1)...]) + Array(order[..<here])
        return (step > 0 ? after : after.reversed()).first { numbered.contains($0) } ?? numbered[0]
    }
}

/// What shows for a route whose kind nothing registered (a programming error, drawn rather than trapped).
enum UnknownScreen: ConsoleScreen {
    static let kind = ScreenKind("unknown")
    static let title = "Unknown"
    static let isTextPage = true
    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        [.blank, StyledLine("  No screen is registered for \(page.route.kind). Press esc to go back.", Theme(s).warn)]
    }
}
