extension Form {
    /// Import an API: name, file or URL, base URL override, allow-private-network.
    static func importAPI() -> Form {
        Form(
            title: "Import an API", purpose: .importAPI, submitTitle: "import",
            fields: [
                .text("Name", hint: "e.g. petstore"),
                .text("File or URL", hint: "a path or an http(s) URL"),
                .text("Base URL", hint: "optional: overrides the spec's servers"),
                .checkbox("Private network", false, hint: "allow backends on private or loopback addresses"),
            ])
    }

    /// Create a server from an API: name, base path, description, and the operations to expose (all selected).
    static func createServer(from api: ConsoleData.APIRow) -> Form {
        let options = api.operations.map { op in
            FormOption(id: op.id, label: "\(op.method.uppercased()) \(op.path)  \(op.summary.isEmpty ? op.toolName : op.summary)", selected: true)
        }
        return Form(
            title: "New MCP server from \(api.name)", purpose: .createServer(api: api.name), submitTitle: "create",
            fields: [
                .text("Name", api.name),
                .text("Base path", api.name, hint: "served at /<base path>/mcp"),
                .text("Description", api.title),
                .multiSelect("Operations", options),
            ])
    }

    /// Edit a server's name, description and base path.
    static func editServer(_ server: ConsoleData.ServerRow) -> Form {
        Form(
            title: "Edit server \(server.name)", purpose: .editServer(name: server.name), submitTitle: "save",
            fields: [
                .text("Name", server.name),
                .text("Description", server.description),
                .text("Base path", server.basePath, hint: "served at /<base path>/mcp"),
            ])
    }

    /// Rename a tool.
    static func renameTool(server: String, tool: ConsoleData.ToolRow) -> Form {
        Form(
            title: "Rename tool \(tool.name)", purpose: .renameTool(server: server, tool: tool.name), submitTitle: "rename",
            fields: [.text("Name", tool.name)])
    }

    /// Override a tool's description (empty restores the operation's).
    static func overrideDescription(server: String, tool: ConsoleData.ToolRow) -> Form {
        Form(
            title: "Description of \(tool.name)", purpose: .overrideDescription(server: server, tool: tool.name), submitTitle: "save",
            fields: [.text("Description", tool.description, hint: "empty restores the operation's description")])
    }

    /// Ask for the scope of a new policy document (then `$EDITOR` opens on a template).
    static func newPolicy() -> Form {
        Form(
            title: "New policy document", purpose: .newPolicy, submitTitle: "edit",
            fields: [.text("Scope", hint: "global, server:<name> or tool:<server>/<tool>")])
    }
}
