/// Screen 1: the operator's overview (``DashboardView``): traffic, the servers with their figures (enter opens one)
/// and the latest requests. While there are no APIs and no servers the welcome screen stands in for it.
enum DashboardScreen: ConsoleScreen {
    static let kind = ScreenKind.dashboard
    static let title = "Dashboard"
    static let compactTitle = "Dash"
    static let aliases = ["dash"]
    static let summary = "traffic overview"
    static let pages: [any ConsoleScreen.Type] = [WelcomeScreen.self]
    static let bindings = [KeyBinding.open(on: [.dashboard])]

    static func standIn(_ s: ConsoleState) -> ScreenKind? { s.data.apis.isEmpty && s.data.servers.isEmpty ? .welcome : nil }

    static func rowKeys(_ s: ConsoleState, _ page: Page) -> [String] { s.data.servers.map(\.name) }

    static func viewport(_ s: ConsoleState, _ page: Page, contentHeight: Int) -> Int { DashboardView.serverRows(s, contentHeight: contentHeight) }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let server = s.data.servers[safe: s.page.selected] { s.push(.server(server.name)) }
        return []
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { DashboardView.draw(&buf, ctx, y: y, height: height) }
}

/// The first-run screen, in the dashboard's place while there are no APIs and no servers (``WelcomeView``): import an
/// API, or load the demo (also `:import` and `:demo` from anywhere).
enum WelcomeScreen: ConsoleScreen {
    static let kind = ScreenKind.welcome
    static let title = "Welcome"
    static let isRoot = true
    static let bindings = [
        KeyBinding.open(on: [.welcome]), KeyBinding.importAPI(on: [.welcome]),
        KeyBinding([.char("d")], "Load the demo API and server", short: "Demo", .loadDemo, .welcome, mutating: true),
    ]
    static let commands = [
        ScreenCommand(name: "import", help: "import an API", isMutating: true) { $0.perform(.importAPI, key: .char("i")) },
        ScreenCommand(name: "demo", help: "load the demo", isMutating: true) { $0.perform(.loadDemo, key: .char("d")) },
    ]

    static func rowCount(_ s: ConsoleState, _ page: Page) -> Int { 2 }
    static func viewport(_ s: ConsoleState, _ page: Page, contentHeight: Int) -> Int { 2 }

    /// Enter on one of the two choices.
    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if s.page.selected == 0 { return s.perform(.importAPI, key: .char("i"), checkReadOnly: true) }
        return s.perform(.loadDemo, key: .char("d"), checkReadOnly: true)
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        switch action {
        case .importAPI: s.startImport()
        case .loadDemo: return s.loadDemo()
        default: return nil
        }
        return []
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { WelcomeView.draw(&buf, ctx, y: y, height: height) }
}

extension ScreenKind {
    public static let dashboard = ScreenKind("dashboard"), welcome = ScreenKind("welcome")
}

extension ConsoleAction {
    /// Import an API (a form: name, file or URL, base URL, private network).
    public static let importAPI = ConsoleAction("importAPI")
    /// Serve the demo API on loopback and expose it as the server `demo`.
    public static let loadDemo = ConsoleAction("loadDemo")
}

extension KeyBinding.Group {
    public static let welcome = KeyBinding.Group("Welcome")
}

extension KeyBinding {
    /// `i`: the import form (the welcome screen and the APIs screen).
    static func importAPI(on screens: Set<ScreenKind>) -> KeyBinding {
        KeyBinding([.char("i")], "Import an API from a file or URL", short: "Import", .importAPI, .welcome, on: screens, mutating: true)
    }
}

extension ConsoleState {
    /// Opens the import form.
    mutating func startImport() {
        mode = .form(.importAPI())
    }

    mutating func loadDemo() -> [ConsoleEffect] {
        show(.info, "loading the demo…")
        return [.loadDemo]
    }
}
