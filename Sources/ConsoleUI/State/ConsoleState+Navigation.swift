extension ConsoleState {
    /// Switches to a top screen; choosing the current one again returns to its root.
    mutating func jump(to target: TopScreen) {
        if target == tab {
            stack = [stack[0]]
        } else {
            tab = target
        }
        clamp()
    }

    /// Drills into a page.
    mutating func push(_ route: Route) {
        stack.append(Page(route: route))
    }

    /// Goes back one page; returns false at a root.
    @discardableResult
    mutating func back() -> Bool {
        guard stack.count > 1 else { return false }
        stack.removeLast()
        clamp()
        return true
    }

    /// Opens the help page, or closes it when showing.
    mutating func toggleHelp() {
        if page.route == .help { back() } else { push(.help) }
    }

    /// Moves the cursor (list pages) or scrolls (text pages).
    mutating func move(_ action: ConsoleAction) {
        let count = rowCount(page)
        let viewport = max(1, ConsoleLayout.viewport(self, page))
        let isText = ScreenKind.textPages.contains(screen)
        let last = isText ? max(0, count - viewport) : max(0, count - 1)
        var s = page.selected
        switch action {
        case .up: s -= 1
        case .down: s += 1
        case .pageUp: s -= viewport
        case .pageDown: s += viewport
        case .home: s = 0
        case .end: s = last
        default: return
        }
        page.selected = min(max(0, s), last)
        clamp()
    }

    /// Enter: drills into the selected row.
    mutating func open() -> [ConsoleEffect] {
        let i = page.selected
        switch page.route {
        case .top(.dashboard) where screen == .welcome:
            if i == 0 { return perform(.importAPI, key: .char("i"), checkReadOnly: true) }
            return perform(.loadDemo, key: .char("d"), checkReadOnly: true)
        case .top(.dashboard):
            if let s = data.servers[safe: i] { push(.server(s.name)) }
        case .top(.apis):
            if let a = apiRows(page)[safe: i] { push(.api(a.name)) }
        case .top(.servers):
            if let s = serverRows(page)[safe: i] { push(.server(s.name)) }
        case .server(let name):
            if let t = toolRows(server: name, page)[safe: i] { push(.tool(server: name, tool: t.name)) }
        case .top(.requests):
            if let r = recordRows(page)[safe: i] { push(.request(r)) }
        case .top(.policies):
            if let p = policyRows(page)[safe: i] { push(.policy(p.scope)) }
        case .top(.credentials):
            if let c = credentialRows(page)[safe: i] { push(.credential(c.ref)) }
        case .top(.upstreams):
            if let u = upstreamRows(page)[safe: i] { push(.upstream(u.name)) }
        case .upstream(let name):
            if let t = upstreamToolRows(upstream: name, page)[safe: i] { push(.upstreamTool(upstream: name, tool: t.name)) }
        case .registry:
            if let r = registryRows(page)[safe: i] { push(.registryEntry(name: r.name, version: r.version)) }
        default: break
        }
        return []
    }

    /// Keeps the current page's cursor within its rows and visible.
    mutating func clamp() {
        page = clamped(page)
    }

    /// Clamps every page of every stack (after a resize or new data).
    mutating func clampAllPages() {
        for (t, pages) in stacks { stacks[t] = pages.map(clamped) }
    }

    /// A page with its cursor clamped to its rows and its scroll keeping the cursor visible.
    func clamped(_ p: Page) -> Page {
        var p = p
        let count = rowCount(p)
        let viewport = max(1, ConsoleLayout.viewport(self, p))
        if ScreenKind.textPages.contains(kind(of: p.route)) {
            p.selected = min(max(0, p.selected), max(0, count - viewport))
            p.top = p.selected
            return p
        }
        p.selected = min(max(0, p.selected), max(0, count - 1))
        p.top = min(max(p.top, p.selected - viewport + 1), p.selected)
        p.top = max(0, min(p.top, max(0, count - viewport)))
        return p
    }

    /// The screen kind a route shows.
    func kind(of route: Route) -> ScreenKind {
        switch route {
        case .top(.dashboard): data.apis.isEmpty && data.servers.isEmpty ? .welcome : .dashboard
        case .top(.apis): .apis
        case .top(.servers): .servers
        case .top(.requests): .requests
        case .top(.logs): .logs
        case .top(.policies): .policies
        case .top(.subscriptions): .subscriptions
        case .top(.credentials): .credentials
        case .top(.upstreams): .upstreams
        case .upstream: .upstreamDetail
        case .upstreamTool: .upstreamToolDetail
        case .policy: .policyDetail
        case .credential: .credentialDetail
        case .api: .apiDetail
        case .server: .serverDetail
        case .tool: .toolDetail
        case .request: .requestDetail
        case .help: .help
        case .registry: .registry
        case .registryEntry: .registryEntry
        }
    }
}

extension Array {
    /// The element at `index`, or nil when out of range.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
