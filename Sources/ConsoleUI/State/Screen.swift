import GatewayEngine

/// The top-level screens, in tab order (keys `1`–`9`).
public enum TopScreen: Int, Sendable, Hashable, CaseIterable {
    case dashboard = 1, apis, servers, requests, logs, policies, subscriptions, credentials, upstreams

    /// The tab title.
    public var title: String {
        switch self {
        case .dashboard: "Dashboard"
        case .apis: "APIs"
        case .servers: "Servers"
        case .requests: "Requests"
        case .logs: "Logs"
        case .policies: "Policies"
        case .subscriptions: "Subscriptions"
        case .credentials: "Credentials"
        case .upstreams: "Upstreams"
        }
    }

    /// The title on the tab bar (shorter where the full title would not fit 80 columns).
    public var tabTitle: String {
        switch self {
        case .subscriptions: "Subs"
        case .credentials: "Creds"
        default: title
        }
    }

    /// The tab-bar title when the terminal is too narrow for ``tabTitle`` (80 columns).
    public var compactTitle: String {
        switch self {
        case .dashboard: "Dash"
        case .requests: "Reqs"
        case .upstreams: "Ups"
        default: tabTitle
        }
    }

    /// The next screen in tab order (wrapping).
    var next: TopScreen { TopScreen(rawValue: rawValue % Self.allCases.count + 1)! }
    /// The previous screen in tab order (wrapping).
    var previous: TopScreen { TopScreen(rawValue: (rawValue + Self.allCases.count - 2) % Self.allCases.count + 1)! }
}

/// A page of a tab's navigation stack: a top screen, or something drilled into from it.
enum Route: Sendable, Equatable {
    case top(TopScreen)
    case api(String)
    case server(String)
    case tool(server: String, tool: String)
    /// A policy document, by scope (`global`, `server:<name>`, `tool:<server>/<tool>`).
    case policy(String)
    /// A credential connection, or a provider without one.
    case credential(CredentialRef)
    /// An upstream MCP server and its recorded tools.
    case upstream(String)
    /// One recorded tool of an upstream: its definitions (approved and current) and flags.
    case upstreamTool(upstream: String, tool: String)
    /// A request's detail: the record is kept so the page stays stable while the live list moves on.
    case request(RequestRecord)
    case help
    /// The registry (`:registry`), and one entry's server.json and health history.
    case registry
    case registryEntry(name: String, version: String)
}

/// What kind of screen is showing: selects the key bindings and the renderer.
public enum ScreenKind: String, Sendable, Hashable, CaseIterable {
    case welcome, dashboard, apis, apiDetail, servers, serverDetail, toolDetail, requests, requestDetail, logs, help
    case policies, policyDetail, subscriptions, credentials, credentialDetail
    case upstreams, upstreamDetail, upstreamToolDetail
    case registry, registryEntry

    /// Screens whose rows can be filtered with `/`.
    static let filterable: Set<ScreenKind> = [
        .apis, .apiDetail, .servers, .serverDetail, .requests, .logs, .policies, .subscriptions, .credentials, .upstreams, .upstreamDetail,
        .registry,
    ]
    /// Screens that scroll text rather than select rows.
    static let textPages: Set<ScreenKind> = [.toolDetail, .requestDetail, .help, .policyDetail, .credentialDetail, .upstreamToolDetail, .registryEntry]
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
