/// Screen 3: the MCP servers (``ServersView``), a server's page with its endpoints and tools (``ServerDetailView``) and
/// a tool's page (``ToolDetailView``). What their keys do is in `ServersScreen+Actions.swift`.
enum ServersScreen: ListScreen {
    static let kind = ScreenKind.servers
    static let title = "Servers"
    static let aliases = ["server", "srv"]
    static let summary = "MCP servers"
    static let pages: [any ConsoleScreen.Type] = [ServerDetailScreen.self, ToolDetailScreen.self]
    /// The bindings of the servers list, a server's page and a tool's page.
    static let bindings = [
        KeyBinding.open(on: [.servers, .serverDetail]),
        KeyBinding(
            [.char(" "), .char("x")], "Enable or disable the server", short: "On/off", .toggleServer, .servers, on: [.servers], mutating: true),
        KeyBinding([.char("r")], "Edit name, description, base path", short: "Rename", .editServer, .servers, on: [.servers], mutating: true),
        KeyBinding([.char("D")], "Delete the server (asks first)", short: "Delete", .deleteServer, .servers, on: [.servers], dangerous: true),
        KeyBinding(
            [.char(" "), .char("x")], "Enable or disable the tool", short: "On/off", .toggleTool, .tools, on: [.serverDetail, .toolDetail],
            mutating: true),
        KeyBinding([.char("r")], "Rename the tool", short: "Rename", .renameTool, .tools, on: [.serverDetail, .toolDetail], mutating: true),
        KeyBinding(
            [.char("o")], "Override the description", short: "Describe", .overrideDescription, .tools, on: [.serverDetail, .toolDetail],
            mutating: true),
        KeyBinding.editYAML(on: [.servers, .serverDetail, .toolDetail]),
        KeyBinding(
            [.char("S")], "Require a subscription key or not", short: "Key required", .toggleRequireSubscription, .servers,
            on: [.servers, .serverDetail], footer: false, mutating: true),
        KeyBinding(
            [.char("D")], "Delete this server (asks first)", short: "Delete server", .deleteServer, .servers, on: [.serverDetail], footer: false,
            help: false,
            dangerous: true),
        KeyBinding(
            [.char("E")], "Edit this server in $EDITOR", short: "Edit server", .editServerYAML, .servers, on: [.serverDetail], footer: false,
            mutating: true),
    ]

    static func allRows(_ s: ConsoleState, _ page: Page) -> [ConsoleData.ServerRow] { s.data.servers }
    static func searchTexts(_ s: ConsoleData.ServerRow) -> [String] {
        [s.name, s.basePath, s.description, s.apiName ?? "", s.enabled ? "enabled" : "disabled"]
    }
    static func key(_ s: ConsoleData.ServerRow) -> String { s.name }
    /// The columns of ``ServersView``'s list, in its order (HEALTH sorts by error rate).
    static let sortColumns: [SortColumn<ConsoleData.ServerRow>] = [
        .figure("HEALTH") { s, r in s.data.monitor.servers[r.name]?.errorRate }, .text("NAME") { $0.name },
        .text("STATUS") { $0.enabled ? "enabled" : "disabled" }, .text("API") { $0.apiName }, .text("BASE PATH") { $0.basePath },
        .text("KEY") { $0.requireSubscription ? "required" : "" }, .number("TOOLS") { Double($0.tools.filter(\.enabled).count) },
        .figure("REQ/S") { s, r in s.data.monitor.servers[r.name]?.requestsPerSecond },
        .figure("P95") { s, r in s.data.monitor.servers[r.name]?.p95.map { Double($0.microseconds) } },
        .figure("ERRORS") { s, r in s.data.monitor.servers[r.name]?.errorRate },
    ]

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let server = selectedRow(s) { s.push(.server(server.name)) }
        return []
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performServerAction(action) }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { ServersView.draw(&buf, ctx, y: y, height: height) }
}

/// A server's page: status, endpoints, live figures, and its tools (filtered with `/`; enter opens one).
enum ServerDetailScreen: ListScreen {
    static let kind = ScreenKind.serverDetail
    static let title = "Server"
    static let headerLines = ServerDetailView.headerLines

    static func allRows(_ s: ConsoleState, _ page: Page) -> [ConsoleData.ToolRow] {
        page.route.value(as: String.self).flatMap(s.server)?.tools ?? []
    }
    static func searchTexts(_ t: ConsoleData.ToolRow) -> [String] { [t.name, t.description, t.method, t.path, t.enabled ? "enabled" : "disabled"] }
    static func key(_ t: ConsoleData.ToolRow) -> String { t.name }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.value(as: String.self) ?? "") }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let name = s.page.route.value(as: String.self), let tool = selectedRow(s) { s.push(.tool(server: name, tool: tool.name)) }
        return []
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performServerAction(action) }
    static func willRun(_ effect: ConsoleEffect, _ s: inout ConsoleState) { s.followRename(effect) }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { ServerDetailView.draw(&buf, ctx, y: y, height: height) }
}

/// A tool's page: its operation, description, the policies a call runs and its inputSchema.
enum ToolDetailScreen: ConsoleScreen {
    static let kind = ScreenKind.toolDetail
    static let title = "Tool"
    static let isTextPage = true

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        guard let (server, tool) = page.route.toolRef else { return [] }
        return ToolDetailView.lines(s, server: server, tool: tool)
    }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.toolRef?.tool ?? "") }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performServerAction(action) }
    static func willRun(_ effect: ConsoleEffect, _ s: inout ConsoleState) { s.followRename(effect) }
}

extension ScreenKind {
    public static let servers = ScreenKind("servers"), serverDetail = ScreenKind("serverDetail"), toolDetail = ScreenKind("toolDetail")
}

extension Route {
    /// A server's page.
    static func server(_ name: String) -> Route { Route(.serverDetail, name) }
    /// A tool's page.
    static func tool(server: String, tool: String) -> Route { Route(.toolDetail, [server, tool]) }

    /// The server and tool of a tool's page.
    var toolRef: (server: String, tool: String)? {
        guard let names = value(of: .toolDetail, as: [String].self), names.count == 2 else { return nil }
        return (names[0], names[1])
    }
}

extension KeyBinding.Group {
    public static let servers = KeyBinding.Group("Servers"), tools = KeyBinding.Group("Tools")
}

extension ConsoleState {
    func serverRows(_ p: Page) -> [ConsoleData.ServerRow] { ServersScreen.rows(self, p) }
}
