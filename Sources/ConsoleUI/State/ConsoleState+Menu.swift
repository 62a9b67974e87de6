/// The screen menu (`m`): every top screen in tab order, the ones without a number key included; `enter` jumps to the
/// selected one, a digit to a numbered one, `esc` (or `m`, `q`) closes it.
extension ConsoleState {
    mutating func openMenu() {
        mode = .menu(ScreenMenu(selected: registry.tops.firstIndex { $0.kind == tab } ?? 0))
    }

    /// Handles a key while the menu is open.
    mutating func menuKey(_ key: Key, _ menu: inout ScreenMenu) -> [ConsoleEffect] {
        let last = max(0, registry.tops.count - 1)
        switch key {
        case .escape, .char("m"), .char("q"):
            mode = .normal
            return []
        case .enter:
            mode = .normal
            if let target = registry.tops[safe: menu.selected] { jump(to: target.kind) }
            return []
        case .char(let c) where c.wholeNumberValue != nil:
            guard let n = c.wholeNumberValue, let target = registry.numbered[safe: n - 1] else { return [] }
            mode = .normal
            jump(to: target)
            return []
        case .up, .char("k"): menu.selected = max(0, menu.selected - 1)
        case .down, .char("j"): menu.selected = min(last, menu.selected + 1)
        case .home, .char("g"), .pageUp: menu.selected = 0
        case .end, .char("G"), .pageDown: menu.selected = last
        default: break
        }
        mode = .menu(menu)
        return []
    }
}
