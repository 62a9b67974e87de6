/// What the keys of the servers list, a server's page and a tool's page do.
extension ConsoleState {
    /// The server under the cursor (lists) or being viewed (its page, or one of its tools).
    var targetServer: ConsoleData.ServerRow? {
        switch page.route.kind {
        case .servers: ServersScreen.selectedRow(self)
        case .dashboard: data.servers[safe: page.selected]
        case .serverDetail: page.route.value(as: String.self).flatMap(server)
        case .toolDetail: page.route.toolRef.flatMap { server($0.server) }
        default: nil
        }
    }

    /// The tool under the cursor (server page) or being viewed (tool page).
    var targetTool: (server: String, tool: ConsoleData.ToolRow)? {
        if let name = page.route.value(of: .serverDetail, as: String.self) { return ServerDetailScreen.selectedRow(self).map { (name, $0) } }
        if let (server, name) = page.route.toolRef { return tool(server: server, name).map { (server, $0) } }
        return nil
    }

    mutating func performServerAction(_ action: ConsoleAction) -> [ConsoleEffect]? {
        switch action {
        case .toggleServer:
            guard let s = targetServer else { return nothingSelected("server") }
            let (name, path) = (safe(s.name), safe(s.basePath))
            confirm(
                s.enabled ? "Disable server" : "Enable server",
                s.enabled
                    ? ["Disable the MCP server \(name)?", "Clients of /\(path)/mcp get 404 at once; sessions on it end."]
                    : [
                        "Enable the MCP server \(name)?",
                        "Clients can reach /\(path)/mcp and call its \(s.tools.filter(\.enabled).count) enabled tools.",
                    ],
                .updateServer(name: s.name, newName: nil, description: nil, basePath: nil, enabled: !s.enabled), detail: false,
                verb: s.enabled ? "disable" : "enable")
        case .editServer:
            guard let s = targetServer else { return nothingSelected("server") }
            mode = .form(.editServer(s))
        case .deleteServer:
            guard let s = targetServer else { return nothingSelected("server") }
            confirm(
                "Delete server",
                ["Delete the MCP server \(safe(s.name)) and its \(s.tools.count) tools?", "Clients using /\(safe(s.basePath))/mcp will get 404."],
                .deleteServer(name: s.name), detail: page.route == .server(s.name))
        case .toggleTool:
            guard let t = targetTool else { return nothingSelected("tool") }
            let (tool, server) = (safe(t.tool.name), safe(t.server))
            confirm(
                t.tool.enabled ? "Disable tool" : "Enable tool",
                t.tool.enabled
                    ? ["Disable the tool \(tool) of \(server)?", "It leaves tools/list and calls to it fail, for every client at once."]
                    : ["Enable the tool \(tool) of \(server)?", "Clients see it in tools/list and can call it at once."],
                .updateTool(server: t.server, tool: t.tool.name, newName: nil, description: nil, enabled: !t.tool.enabled), detail: false,
                verb: t.tool.enabled ? "disable" : "enable")
        case .renameTool:
            guard let t = targetTool else { return nothingSelected("tool") }
            mode = .form(.renameTool(server: t.server, tool: t.tool))
        case .overrideDescription:
            guard let t = targetTool else { return nothingSelected("tool") }
            mode = .form(.overrideDescription(server: t.server, tool: t.tool))
        case .editYAML:
            if page.route.kind == .servers {
                guard let s = targetServer else { return nothingSelected("server") }
                return [.edit(.server(s.name))]
            }
            if let t = targetTool { return [.edit(.tool(server: t.server, tool: t.tool.name))] }
            if let name = page.route.value(of: .serverDetail, as: String.self) { return [.edit(.server(name))] }
            return []
        case .editServerYAML:
            guard let s = targetServer else { return nothingSelected("server") }
            return [.edit(.server(s.name))]
        case .toggleRequireSubscription:
            guard let s = targetServer else { return nothingSelected("server") }
            let name = safe(s.name)
            confirm(
                s.requireSubscription ? "Stop requiring a subscription" : "Require a subscription",
                s.requireSubscription
                    ? ["Stop requiring a subscription key on \(name)?", "Anyone who can reach it may call its tools without a key."]
                    : ["Require a subscription key on \(name)?", "Clients without the key of a subscription covering it are refused (401) at once."],
                .setServerRequiresSubscription(name: s.name, required: !s.requireSubscription), detail: false,
                verb: s.requireSubscription ? "stop requiring" : "require")
        default:
            return nil
        }
        return []
    }

    /// Keeps a server's or tool's page on its entity when the entity is renamed from it.
    mutating func followRename(_ effect: ConsoleEffect) {
        switch effect {
        case .updateServer(let old, let new?, _, _, _) where page.route == .server(old):
            page.route = .server(new)
        case .updateTool(let server, let old, let new?, _, _) where page.route == .tool(server: server, tool: old):
            page.route = .tool(server: server, tool: new)
        default: break
        }
    }
}

extension ConsoleAction {
    public static let toggleServer = ConsoleAction("toggleServer"), editServer = ConsoleAction("editServer")
    public static let deleteServer = ConsoleAction("deleteServer")
    public static let toggleTool = ConsoleAction("toggleTool"), renameTool = ConsoleAction("renameTool")
    public static let overrideDescription = ConsoleAction("overrideDescription")
    /// Edit the server being viewed (from its page) in `$EDITOR`.
    public static let editServerYAML = ConsoleAction("editServerYAML")
    /// Require a subscription key on the server, or stop requiring one.
    public static let toggleRequireSubscription = ConsoleAction("toggleRequireSubscription")
}
