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
                if !followsNewest, let key = remembered[t]?[i] ?? nil, let keys = rowKeys(p), let index = keys.firstIndex(of: key) {
                    updated[i].top += index - p.selected
                    updated[i].selected = index
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
