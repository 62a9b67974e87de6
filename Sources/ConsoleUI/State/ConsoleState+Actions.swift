extension ConsoleState {
    /// Carries out a binding's action on the current screen. `checkReadOnly` is for actions reached other than
    /// through a binding (Enter on the welcome screen, `:` commands).
    mutating func perform(_ action: ConsoleAction, key: Key, checkReadOnly: Bool = false) -> [ConsoleEffect] {
        if checkReadOnly, readOnly, KeyBinding.table.contains(where: { $0.action == action && $0.isMutating }) {
            show(.error, "read-only mode: this action is disabled")
            return []
        }
        switch action {
        case .quit: return [.quit]
        case .help: toggleHelp()
        case .commandMode: mode = .command(CommandInput())
        case .filterMode: mode = .filter(TextInput(page.filter))
        case .back: back()
        case .clearFilter:
            if !page.filter.isEmpty {
                page.filter = ""
                clamp()
            }
        case .open: return open()
        case .up, .down, .pageUp, .pageDown, .home, .end: move(action)
        case .nextScreen: jump(to: tab.next)
        case .previousScreen: jump(to: tab.previous)
        case .jumpToScreen:
            if case .char(let c) = key, let n = c.wholeNumberValue, let target = TopScreen(rawValue: n) { jump(to: target) }
        case .refresh: return [.refresh]
        case .pause:
            if pausedRecords == nil {
                pausedRecords = data.records
                show(.info, "requests paused: press p to resume")
            } else {
                pausedRecords = nil
                clampAllPages()
                show(.info, "requests live again")
            }
        case .importAPI: mode = .form(.importAPI())
        case .loadDemo:
            show(.info, "loading the demo…")
            return [.loadDemo]
        default: return performEntityAction(action)
        }
        return []
    }

    // MARK: Targets

    /// The API under the cursor (list) or being viewed (detail).
    var targetAPI: ConsoleData.APIRow? {
        switch page.route {
        case .top(.apis): apiRows(page)[safe: page.selected]
        case .api(let name): api(name)
        default: nil
        }
    }

    /// The server under the cursor (lists) or being viewed (detail).
    var targetServer: ConsoleData.ServerRow? {
        switch page.route {
        case .top(.servers): serverRows(page)[safe: page.selected]
        case .top(.dashboard): data.servers[safe: page.selected]
        case .server(let name), .tool(let name, _): server(name)
        default: nil
        }
    }

    /// The tool under the cursor (server detail) or being viewed (tool detail).
    var targetTool: (server: String, tool: ConsoleData.ToolRow)? {
        switch page.route {
        case .server(let name): toolRows(server: name, page)[safe: page.selected].map { (name, $0) }
        case .tool(let server, let name): tool(server: server, name).map { (server, $0) }
        default: nil
        }
    }

    // MARK: Entity actions

    private mutating func performEntityAction(_ action: ConsoleAction) -> [ConsoleEffect] {
        switch action {
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
        case .toggleServer:
            guard let s = targetServer else { return nothingSelected("server") }
            return [.updateServer(name: s.name, newName: nil, description: nil, basePath: nil, enabled: !s.enabled)]
        case .editServer:
            guard let s = targetServer else { return nothingSelected("server") }
            mode = .form(.editServer(s))
        case .deleteServer:
            guard let s = targetServer else { return nothingSelected("server") }
            confirm(
                "Delete server", ["Delete the MCP server \(safe(s.name)) and its \(s.tools.count) tools?", "Clients using /\(safe(s.basePath))/mcp will get 404."],
                .deleteServer(name: s.name), detail: page.route == .server(s.name))
        case .toggleTool:
            guard let t = targetTool else { return nothingSelected("tool") }
            return [.updateTool(server: t.server, tool: t.tool.name, newName: nil, description: nil, enabled: !t.tool.enabled)]
        case .renameTool:
            guard let t = targetTool else { return nothingSelected("tool") }
            mode = .form(.renameTool(server: t.server, tool: t.tool))
        case .overrideDescription:
            guard let t = targetTool else { return nothingSelected("tool") }
            mode = .form(.overrideDescription(server: t.server, tool: t.tool))
        case .editYAML:
            switch page.route {
            case .top(.apis), .api:
                guard let api = targetAPI else { return nothingSelected("API") }
                return [.edit(.api(api.name))]
            case .top(.servers):
                guard let s = targetServer else { return nothingSelected("server") }
                return [.edit(.server(s.name))]
            case .server(let name):
                if let t = targetTool { return [.edit(.tool(server: t.server, tool: t.tool.name))] }
                return [.edit(.server(name))]
            case .tool(let server, let tool): return [.edit(.tool(server: server, tool: tool))]
            case .top(.policies), .policy:
                guard let p = targetPolicy else { return nothingSelected("policy document") }
                return [.edit(.policy(scope: p.scope))]
            default: return []
            }
        case .editServerYAML:
            guard let s = targetServer else { return nothingSelected("server") }
            return [.edit(.server(s.name))]
        default: return performGovernanceAction(action)
        }
        return []
    }

    mutating func confirm(_ title: String, _ lines: [String], _ effect: ConsoleEffect, detail: Bool) {
        mode = .confirm(Confirmation(title: title, lines: lines, verb: "delete", effect: effect, popsPage: detail))
    }

    mutating func nothingSelected(_ what: String) -> [ConsoleEffect] {
        show(.error, "no \(what) selected")
        return []
    }

    /// Escapes untrusted text for display.
    func safe(_ s: String) -> String { SafeText.escape(s, ascii: asciiOnly) }
}
