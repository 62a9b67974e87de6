/// Screen 2: the imported APIs (``APIsView``) and an API's page with its operations (``APIDetailView``): import one,
/// create an MCP server from it, edit it in `$EDITOR`, delete it.
enum APIsScreen: ListScreen {
    static let kind = ScreenKind.apis
    static let title = "APIs"
    static let aliases = ["api"]
    static let summary = "imported APIs"
    static let pages: [any ConsoleScreen.Type] = [APIDetailScreen.self, APIFindingsScreen.self]
    static let bindings = [
        KeyBinding.open(on: [.apis]), KeyBinding.importAPI(on: [.apis]),
        KeyBinding(
            [.char("c")], "Create an MCP server from the API", short: "New server", .createServer, .apis, on: [.apis, .apiDetail], mutating: true),
        KeyBinding([.char("D")], "Delete the API (asks first)", short: "Delete", .deleteAPI, .apis, on: [.apis, .apiDetail], dangerous: true),
        KeyBinding.editYAML(on: [.apis, .apiDetail]),
        KeyBinding(
            [.char("w")], "List what the import found (warnings and notes)", short: "Findings", .showFindings, .apis, on: [.apis, .apiDetail]),
    ]

    static func allRows(_ s: ConsoleState, _ page: Page) -> [ConsoleData.APIRow] { s.data.apis }
    static func searchTexts(_ a: ConsoleData.APIRow) -> [String] { [a.name, a.title, a.version, a.format, a.source] }
    static func key(_ a: ConsoleData.APIRow) -> String { a.name }
    /// The columns of ``APIsView``, in its order.
    static let sortColumns: [SortColumn<ConsoleData.APIRow>] = [
        .text("NAME") { $0.name }, .text("TITLE") { $0.title }, .text("VERSION") { $0.version }, .text("FORMAT") { $0.format },
        .number("OPS") { Double($0.operations.count) },
        SortColumn("SERVERS") { s, a in .text(s.data.servers.filter { $0.apiName == a.name }.map(\.name).joined(separator: ", ")) },
        .text("SOURCE") { $0.source },
    ]

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let api = selectedRow(s) { s.push(.api(api.name)) }
        return []
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performAPIAction(action) }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { APIsView.draw(&buf, ctx, y: y, height: height) }
}

/// An API's page: its facts and its operations (filtered with `/`).
enum APIDetailScreen: ListScreen {
    static let kind = ScreenKind.apiDetail
    static let title = "API"
    static let headerLines = APIDetailView.headerLines

    static func allRows(_ s: ConsoleState, _ page: Page) -> [ConsoleData.OperationRow] {
        page.route.value(as: String.self).flatMap(s.api)?.operations ?? []
    }
    static func searchTexts(_ o: ConsoleData.OperationRow) -> [String] { [o.id, o.method, o.path, o.summary, o.toolName] }
    static func key(_ o: ConsoleData.OperationRow) -> String { o.id }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.value(as: String.self) ?? "") }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performAPIAction(action) }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { APIDetailView.draw(&buf, ctx, y: y, height: height) }
}

extension ScreenKind {
    public static let apis = ScreenKind("apis"), apiDetail = ScreenKind("apiDetail")
}

extension Route {
    /// An API's page.
    static func api(_ name: String) -> Route { Route(.apiDetail, name) }
}

extension ConsoleAction {
    public static let createServer = ConsoleAction("createServer"), deleteAPI = ConsoleAction("deleteAPI")
    public static let showFindings = ConsoleAction("showFindings")
}

extension KeyBinding.Group {
    public static let apis = KeyBinding.Group("APIs")
}

extension ConsoleState {
    /// The API under the cursor (list) or being viewed (detail).
    var targetAPI: ConsoleData.APIRow? {
        APIsScreen.selectedRow(self) ?? page.route.value(of: .apiDetail, as: String.self).flatMap(api)
    }

    mutating func performAPIAction(_ action: ConsoleAction) -> [ConsoleEffect]? {
        switch action {
        case .importAPI:
            startImport()
        case .createServer:
            guard let api = targetAPI else { return nothingSelected("API") }
            guard !api.operations.isEmpty else {
                show(.error, "API \(safe(api.name)) has no operations to expose")
                return []
            }
            mode = .form(.createServer(from: api))
        case .deleteAPI:
            guard let api = targetAPI else { return nothingSelected("API") }
            let users = data.servers.filter { $0.apiName == api.name }.map(\.name)
            if !users.isEmpty {
                show(.error, "API \(safe(api.name)) is used by \(users.map(safe).joined(separator: ", ")): delete those servers first")
                return []
            }
            confirm(
                "Delete API", ["Delete the API \(safe(api.name)) and its \(api.operations.count) operations?", "This cannot be undone."],
                .deleteAPI(name: api.name), detail: page.route == .api(api.name))
        case .editYAML:
            guard let api = targetAPI else { return nothingSelected("API") }
            return [.edit(.api(api.name))]
        case .showFindings:
            guard let api = targetAPI else { return nothingSelected("API") }
            push(.apiFindings(api.name))
        default:
            return nil
        }
        return []
    }
}
