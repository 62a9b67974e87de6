/// What a key binding does; the reducer interprets it for the current screen.
public enum ConsoleAction: Sendable, Hashable {
    case quit, help, commandMode, filterMode, back, clearFilter, open
    case up, down, pageUp, pageDown, home, end
    case nextScreen, previousScreen, jumpToScreen
    case refresh, pause
    case importAPI, loadDemo, createServer, deleteAPI
    case toggleServer, editServer, deleteServer
    case toggleTool, renameTool, overrideDescription
    /// Edit the entity under the cursor in `$EDITOR`.
    case editYAML
    /// Edit the server being viewed (from its detail page) in `$EDITOR`.
    case editServerYAML
    /// Require a subscription key on the server, or stop requiring one.
    case toggleRequireSubscription
    /// Write a policy document for a new scope (asks for the scope, then opens `$EDITOR`).
    case newPolicy
    case deletePolicy
    /// Suspend an active subscription, or resume a suspended one.
    case toggleSubscription
    case deleteSubscription
    /// Show the URL that authorises an authorization-code connection in a browser.
    case authorizeConnection
    /// Delete the connection (or the provider of a row without one).
    case deleteCredential
    /// Approve the current definition of held-back upstream tools: the selected one, or all of an upstream's (asks first).
    case approveUpstreamTools
    /// Connect to the upstream now and record the tools it lists.
    case discoverUpstream
    /// Registry: register, edit, deprecate, remove, approve and probe entries (``ConsoleState+Registry``).
    case addRegistryEntry, editRegistryEntry, deprecateRegistryEntry, removeRegistryEntry, approveRegistryEntry, approveAllRegistryEntries
    case probeRegistryEntry
}

/// One entry of the key-binding table. The same records drive key dispatch, the footer hints, the `?` help
/// and read-only mode (mutating bindings are hidden and refused).
public struct KeyBinding: Sendable {
    /// Help sections, in display order.
    public enum Group: String, Sendable, CaseIterable {
        case general = "General", navigation = "Navigation", welcome = "Welcome", apis = "APIs"
        case servers = "Servers", tools = "Tools", requests = "Requests"
        case policies = "Policies", subscriptions = "Subscriptions", credentials = "Credentials", upstreams = "Upstreams", registry = "Registry"
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
    public var screens: Set<ScreenKind>
    /// Listed in the footer hints (when it fits).
    public var showsInFooter: Bool
    /// Listed on the `?` page.
    public var showsInHelp: Bool
    /// Changes configuration: hidden and refused in read-only mode.
    public var isMutating: Bool
    /// Destroys something: always asks for confirmation.
    public var isDangerous: Bool
    /// Overrides the key names shown in help (e.g. `1-7`).
    public var keyLabel: String?

    init(
        _ keys: [Key], _ title: String, short: String? = nil, _ action: ConsoleAction, _ group: Group, on screens: Set<ScreenKind> = Set(ScreenKind.allCases),
        footer: Bool = true, help: Bool = true, mutating: Bool = false, dangerous: Bool = false, label: String? = nil
    ) {
        self.keys = keys
        self.title = title
        self.shortTitle = short ?? title
        self.action = action
        self.group = group
        self.screens = screens
        self.showsInFooter = footer
        self.showsInHelp = help
        self.isMutating = mutating || dangerous
        self.isDangerous = dangerous
        self.keyLabel = label
    }

    /// The binding for `key` on `screen`, if any (first match in ``table`` order).
    public static func binding(for key: Key, on screen: ScreenKind) -> KeyBinding? {
        table.first { $0.screens.contains(screen) && $0.keys.contains(key) }
    }

    /// The bindings usable on `screen` (mutating ones removed in read-only mode), in table order.
    public static func active(on screen: ScreenKind, readOnly: Bool) -> [KeyBinding] {
        table.filter { $0.screens.contains(screen) && !(readOnly && $0.isMutating) }
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
    static let lists: Set<ScreenKind> = [
        .dashboard, .apis, .apiDetail, .servers, .serverDetail, .requests, .logs, .policies, .subscriptions, .credentials, .upstreams, .upstreamDetail,
        .registry,
    ]
    static let movable: Set<ScreenKind> = lists.union(ScreenKind.textPages).union([.welcome])
    static let details: Set<ScreenKind> = [
        .apiDetail, .serverDetail, .toolDetail, .requestDetail, .help, .policyDetail, .credentialDetail, .upstreamDetail, .upstreamToolDetail,
        .registry, .registryEntry,
    ]
    static let roots: Set<ScreenKind> = [.welcome, .dashboard, .apis, .servers, .requests, .logs, .policies, .subscriptions, .credentials, .upstreams]

    /// The one key-binding table of the console.
    public static let table: [KeyBinding] = [
        // Screen-specific actions first: they are what the footer shows first.
        KeyBinding(
            [.enter], "Open the selected row", short: "Open", .open, .navigation,
            on: [.welcome, .dashboard, .apis, .servers, .serverDetail, .requests, .policies, .credentials, .upstreams, .upstreamDetail, .registry]),
    ] + registryBindings + [
        KeyBinding([.char("i")], "Import an API from a file or URL", short: "Import", .importAPI, .welcome, on: [.welcome, .apis], mutating: true),
        KeyBinding([.char("d")], "Load the demo API and server", short: "Demo", .loadDemo, .welcome, on: [.welcome], mutating: true),
        KeyBinding([.char("c")], "Create an MCP server from the API", short: "New server", .createServer, .apis, on: [.apis, .apiDetail], mutating: true),
        KeyBinding([.char("D")], "Delete the API (asks first)", short: "Delete", .deleteAPI, .apis, on: [.apis, .apiDetail], dangerous: true),
        KeyBinding([.char(" "), .char("x")], "Enable or disable the server", short: "On/off", .toggleServer, .servers, on: [.servers], mutating: true),
        KeyBinding([.char("r")], "Edit name, description, base path", short: "Rename", .editServer, .servers, on: [.servers], mutating: true),
        KeyBinding([.char("D")], "Delete the server (asks first)", short: "Delete", .deleteServer, .servers, on: [.servers], dangerous: true),
        KeyBinding([.char(" "), .char("x")], "Enable or disable the tool", short: "On/off", .toggleTool, .tools, on: [.serverDetail, .toolDetail], mutating: true),
        KeyBinding([.char("r")], "Rename the tool", short: "Rename", .renameTool, .tools, on: [.serverDetail, .toolDetail], mutating: true),
        KeyBinding([.char("o")], "Override the description", short: "Describe", .overrideDescription, .tools, on: [.serverDetail, .toolDetail], mutating: true),
        KeyBinding([.char("n")], "New policy document for a scope", short: "New", .newPolicy, .policies, on: [.policies], mutating: true),
        KeyBinding(
            [.char("e")], "Edit in $EDITOR (YAML)", short: "Edit", .editYAML, .general,
            on: [.apis, .apiDetail, .servers, .serverDetail, .toolDetail, .policies, .policyDetail], mutating: true),
        KeyBinding([.char("d"), .char("D")], "Delete the document (asks first)", short: "Delete", .deletePolicy, .policies, on: [.policies, .policyDetail], dangerous: true),
        KeyBinding([.char("s")], "Suspend or resume the subscription", short: "Suspend/resume", .toggleSubscription, .subscriptions, on: [.subscriptions], mutating: true),
        KeyBinding([.char("d"), .char("D")], "Delete it (asks first)", short: "Delete", .deleteSubscription, .subscriptions, on: [.subscriptions], dangerous: true),
        KeyBinding(
            [.char("c")], "Show the URL that authorizes it", short: "Authorize", .authorizeConnection, .credentials,
            on: [.credentials, .credentialDetail], mutating: true),
        KeyBinding(
            [.char("d"), .char("D")], "Delete the credential (asks first)", short: "Delete", .deleteCredential, .credentials,
            on: [.credentials, .credentialDetail], dangerous: true),
        KeyBinding(
            [.char("a")], "Approve all pending (asks first)", short: "Approve all", .approveUpstreamTools, .upstreams, on: [.upstreams],
            mutating: true),
        KeyBinding(
            [.char("a")], "Approve this tool (asks first)", short: "Approve", .approveUpstreamTools, .upstreams,
            on: [.upstreamDetail, .upstreamToolDetail], mutating: true),
        KeyBinding(
            [.char("t")], "Discover its tools now (connects)", short: "Discover", .discoverUpstream, .upstreams,
            on: [.upstreams, .upstreamDetail, .upstreamToolDetail], mutating: true),
        KeyBinding(
            [.char("S")], "Require a subscription key or not", short: "Key required", .toggleRequireSubscription, .servers,
            on: [.servers, .serverDetail], footer: false, mutating: true),
        KeyBinding([.char("D")], "Delete this server (asks first)", short: "Delete server", .deleteServer, .servers, on: [.serverDetail], footer: false, help: false, dangerous: true),
        KeyBinding([.char("E")], "Edit this server in $EDITOR", short: "Edit server", .editServerYAML, .servers, on: [.serverDetail], footer: false, mutating: true),
        KeyBinding([.char("p")], "Pause or resume the live list", short: "Pause", .pause, .requests, on: [.requests]),
        KeyBinding([.char("/")], "Filter the rows", short: "Filter", .filterMode, .navigation, on: ScreenKind.filterable),
        KeyBinding([.escape], "Go back", short: "Back", .back, .navigation, on: details),
        KeyBinding([.escape], "Clear the filter", short: "Clear", .clearFilter, .navigation, on: roots, footer: false, help: false),
        KeyBinding([.char("k"), .up], "Move up", .up, .navigation, on: movable, footer: false),
        KeyBinding([.char("j"), .down], "Move down", .down, .navigation, on: movable, footer: false),
        KeyBinding([.pageUp, .ctrl("b")], "Page up", .pageUp, .navigation, on: movable, footer: false),
        KeyBinding([.pageDown, .ctrl("f")], "Page down", .pageDown, .navigation, on: movable, footer: false),
        KeyBinding([.home, .char("g")], "First row", .home, .navigation, on: movable, footer: false),
        KeyBinding([.end, .char("G")], "Last row", .end, .navigation, on: movable, footer: false),
        KeyBinding([.tab], "Next screen", .nextScreen, .navigation, footer: false),
        KeyBinding([.backTab], "Previous screen", .previousScreen, .navigation, footer: false),
        KeyBinding(
            TopScreen.allCases.map { .char(Character(String($0.rawValue))) }, "Jump to a numbered screen", short: "Screens", .jumpToScreen, .navigation,
            footer: false, label: "1-\(TopScreen.allCases.count)"),
        KeyBinding([.char("R")], "Refresh now", short: "Refresh", .refresh, .general, footer: false),
        KeyBinding([.char(":")], "Command mode (tab completes)", short: "Cmd", .commandMode, .general, footer: false),
        KeyBinding([.char("?"), .function(1)], "Show or hide this help", short: "Help", .help, .general),
        KeyBinding([.char("q"), .ctrl("c")], "Quit (stops the engine gracefully)", short: "Quit", .quit, .general),
    ]
}
