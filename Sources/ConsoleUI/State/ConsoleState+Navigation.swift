extension ConsoleState {
    /// Switches to a top screen; choosing the current one again returns to its root.
    mutating func jump(to target: ScreenKind) {
        guard stacks[target] != nil else { return }
        if target == tab {
            stack = [stack[0]]
        } else {
            tab = target
        }
        clamp()
        queued += registry.screen(target).appeared(self)
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
        let last = descriptor.isTextPage ? max(0, count - viewport) : max(0, count - 1)
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
        if registry.screen(kind(of: p.route)).isTextPage {
            p.selected = min(max(0, p.selected), max(0, count - viewport))
            p.top = p.selected
            return p
        }
        p.selected = min(max(0, p.selected), max(0, count - 1))
        p.top = min(max(p.top, p.selected - viewport + 1), p.selected)
        p.top = max(0, min(p.top, max(0, count - viewport)))
        return p
    }

    /// The screen kind a route shows: the route's own, or the screen standing in for it (the welcome screen while
    /// the dashboard has nothing to show).
    func kind(of route: Route) -> ScreenKind {
        registry.screen(route.kind).standIn(self) ?? route.kind
    }

    /// Identities of a list page's rows (to keep the cursor on the same row when data changes); nil for text pages.
    func rowKeys(_ p: Page) -> [String]? {
        let screen = registry.screen(kind(of: p.route))
        return screen.isTextPage ? nil : screen.rowKeys(self, p)
    }

    /// How many rows (list pages) or lines (text pages) a page has.
    func rowCount(_ p: Page) -> Int {
        registry.screen(kind(of: p.route)).rowCount(self, p)
    }
}

extension Array {
    /// The element at `index`, or nil when out of range.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
