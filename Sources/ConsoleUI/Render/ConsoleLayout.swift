/// The screen's regions, shared by the renderers and the reducer (which needs page sizes for scrolling):
/// rows 0–2 are the title bar, the tabs and the breadcrumbs; the last two rows are the flash/input line and the
/// key hints; everything between is content.
enum ConsoleLayout {
    static let contentTop = 3
    static let bottomRows = 2

    static func contentHeight(_ s: ConsoleState) -> Int { max(0, s.height - contentTop - bottomRows) }

    /// Rows available to a page's list rows (below any header block and the table header), or to a text page's lines.
    static func viewport(_ s: ConsoleState, _ p: Page) -> Int {
        let ch = contentHeight(s)
        switch s.kind(of: p.route) {
        case .welcome: return 2
        case .dashboard: return DashboardView.serverRows(s, contentHeight: ch)
        case .apis, .servers, .requests, .logs, .policies: return max(1, ch - 1)
        case .subscriptions: return max(1, ch - SubscriptionsView.headerLines - 1)
        case .credentials: return max(1, ch - CredentialsView.headerLines - 1)
        case .upstreams: return max(1, ch - UpstreamsView.headerLines - 1)
        case .upstreamDetail: return max(1, ch - UpstreamDetailView.headerLines - UpstreamDetailView.panelLines - 1)
        case .apiDetail: return max(1, ch - APIDetailView.headerLines - 1)
        case .serverDetail: return max(1, ch - ServerDetailView.headerLines - 1)
        case .registry: return max(1, ch - RegistryView.headerLines - 1)
        case .toolDetail, .requestDetail, .help, .policyDetail, .credentialDetail, .upstreamToolDetail, .registryEntry: return max(1, ch)
        }
    }
}
