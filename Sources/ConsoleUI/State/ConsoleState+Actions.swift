extension ConsoleState {
    /// Carries out a binding's action on the current screen: the core actions here, the rest by the screen's
    /// descriptor (``ConsoleScreen/perform(_:_:)``). `checkReadOnly` is for actions reached other than through a
    /// binding (Enter on the welcome screen, `:` commands).
    mutating func perform(_ action: ConsoleAction, key: Key, checkReadOnly: Bool = false) -> [ConsoleEffect] {
        if checkReadOnly, readOnly, registry.isMutating(action) {
            show(.error, "read-only mode: this action is disabled")
            return []
        }
        switch action {
        case .quit: return quit()
        case .help: toggleHelp()
        case .commandMode: mode = .command(CommandInput())
        case .filterMode: mode = .filter(TextInput(page.filter))
        case .screenMenu: openMenu()
        case .back: back()
        case .clearFilter:
            if !page.filter.isEmpty {
                page.filter = ""
                clamp()
            }
        case .open: return descriptor.open(&self)
        case .up, .down, .pageUp, .pageDown, .home, .end: move(action)
        case .nextScreen: jump(to: registry.next(after: tab, by: 1))
        case .previousScreen: jump(to: registry.next(after: tab, by: -1))
        case .jumpToScreen:
            if case .char(let c) = key, let n = c.wholeNumberValue, let target = registry.numbered[safe: n - 1] { jump(to: target) }
        case .refresh: return [.refresh]
        case .copy: return copySelection()
        case .sortNext: stepSort(forward: true)
        case .sortPrevious: stepSort(forward: false)
        default: return descriptor.perform(action, &self) ?? []
        }
        return []
    }

    /// Quits at once when attached (the engine keeps serving) or when no client is connected; else asks, naming how
    /// many clients the embedded engine would cut off.
    mutating func quit() -> [ConsoleEffect] {
        let engine = data.engine
        let n = engine.clientsCutOffByQuit
        guard n > 0, let status = engine.status else { return [.quit] }
        confirm(
            "Stop serving \(n) client\(n == 1 ? "" : "s")?",
            [
                "This console embeds the engine: quitting stops it.",
                "Connected now: \(status.sessions) MCP session\(status.sessions == 1 ? "" : "s"), \(status.streams) listen stream\(status.streams == 1 ? "" : "s").",
                "They are cut off. To keep serving, run `gatehouse serve`; attach with --attach.",
            ], .quit, detail: false, verb: "stop serving")
        return []
    }

    /// Asks before a destructive effect; `detail` pops the page showing what is deleted once confirmed.
    mutating func confirm(_ title: String, _ lines: [String], _ effect: ConsoleEffect, detail: Bool, verb: String = "delete") {
        mode = .confirm(Confirmation(title: title, lines: lines, verb: verb, effect: effect, popsPage: detail))
    }

    mutating func nothingSelected(_ what: String) -> [ConsoleEffect] {
        show(.error, "no \(what) selected")
        return []
    }

    /// Escapes untrusted text for display.
    func safe(_ s: String) -> String { SafeText.escape(s, ascii: asciiOnly) }
}
