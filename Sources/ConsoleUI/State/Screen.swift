import GatewayEngine

/// The five top-level screens, in tab order (keys `1`–`5`).
public enum TopScreen: Int, Sendable, Hashable, CaseIterable {
    case dashboard = 1, apis, servers, requests, logs

    /// The tab title.
    public var title: String {
        switch self {
        case .dashboard: "Dashboard"
        case .apis: "APIs"
        case .servers: "Servers"
        case .requests: "Requests"
        case .logs: "Logs"
        }
    }

    /// The next screen in tab order (wrapping).
    var next: TopScreen { TopScreen(rawValue: rawValue % 5 + 1)! }
    /// The previous screen in tab order (wrapping).
    var previous: TopScreen { TopScreen(rawValue: (rawValue + 3) % 5 + 1)! }
}

/// A page of a tab's navigation stack: a top screen, or something drilled into from it.
enum Route: Sendable, Equatable {
    case top(TopScreen)
    case api(String)
    case server(String)
    case tool(server: String, tool: String)
    /// A request's detail: the record is kept so the page stays stable while the live list moves on.
    case request(RequestRecord)
    case help
}

/// What kind of screen is showing: selects the key bindings and the renderer.
public enum ScreenKind: String, Sendable, Hashable, CaseIterable {
    case welcome, dashboard, apis, apiDetail, servers, serverDetail, toolDetail, requests, requestDetail, logs, help

    /// Screens whose rows can be filtered with `/`.
    static let filterable: Set<ScreenKind> = [.apis, .apiDetail, .servers, .serverDetail, .requests, .logs]
    /// Screens that scroll text rather than select rows.
    static let textPages: Set<ScreenKind> = [.toolDetail, .requestDetail, .help]
}

/// One page on a navigation stack, with its cursor, scroll position and filter.
struct Page: Sendable, Equatable {
    var route: Route
    /// The selected row (list pages) or the first visible line (text pages).
    var selected = 0
    /// The first visible row (list pages).
    var top = 0
    /// The row filter typed after `/` (case-insensitive substring).
    var filter = ""

    init(route: Route) {
        self.route = route
    }
}
