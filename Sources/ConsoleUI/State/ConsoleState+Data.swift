extension ConsoleState {
    /// Takes a refresh tick's data: keeps every cursor on the same row (by identity) as rows come and go, except
    /// on live lists whose cursor is on the newest row, which keep following the newest. Ages the flash.
    mutating func apply(_ newData: ConsoleData) {
        var remembered: [ScreenKind: [String?]] = [:]
        for (t, pages) in stacks {
            remembered[t] = pages.map { p in rowKeys(p)?[safe: p.selected] }
        }
        data = newData
        for (t, pages) in stacks {
            var updated = pages
            for i in pages.indices {
                let p = pages[i]
                let followsNewest = registry.screen(p.route.kind).followsNewest && p.selected == 0
                guard !followsNewest, let key = remembered[t]?[i] ?? nil, let keys = rowKeys(p) else { continue }
                if let index = keys.firstIndex(of: key) {
                    updated[i].top += index - p.selected
                    updated[i].selected = index
                } else if registry.screen(p.route.kind).followsNewest, !keys.isEmpty {
                    // The row under the cursor aged out of memory: rest on the oldest row left, and say so, rather than
                    // landing silently on some other row.
                    updated[i].selected = keys.count - 1
                    if t == tab, i == pages.count - 1 { show(.info, "the selected row left the in-memory list; g returns to the newest") }
                }
            }
            stacks[t] = updated
        }
        clampAllPages()
        if var f = flash {
            f.ticksLeft -= 1
            flash = f.ticksLeft > 0 ? f : nil
        }
    }
}
