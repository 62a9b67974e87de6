import GatewayEngine

extension Form {
    /// The result of submitting a form.
    enum Submission: Equatable {
        /// Execute this effect and close the form.
        case effect(ConsoleEffect)
        /// Keep the form open and show this message.
        case invalid(String)
        /// Nothing changed: close the form.
        case unchanged
    }

    /// Validates the fields and builds the effect.
    func submission() -> Submission {
        switch purpose {
        case .importAPI:
            let name = fields[0].value
            let source = fields[1].value
            let base = fields[2].value
            if name.isEmpty { return .invalid("a name is required") }
            if source.isEmpty { return .invalid("a file path or URL is required") }
            return .effect(.importAPI(name: name, source: source, baseURL: base.isEmpty ? nil : base, allowPrivateNetwork: fields[3].checked))

        case .createServer(let api):
            let name = fields[0].value
            let basePath = trimSlashes(fields[1].value)
            let description = fields[2].value
            if name.isEmpty { return .invalid("a name is required") }
            if basePath.isEmpty { return .invalid("a base path is required") }
            let options = fields[3].options
            let chosen = options.filter(\.selected).map(\.id)
            if chosen.isEmpty { return .invalid("select at least one operation (space toggles, a selects all)") }
            let operations: [String]? = chosen.count == options.count ? nil : chosen
            return .effect(.createServer(name: name, api: api, operations: operations, basePath: basePath, description: description))

        case .editServer(let original):
            let name = fields[0].value
            let description = fields[1].value
            let basePath = trimSlashes(fields[2].value)
            if name.isEmpty { return .invalid("a name is required") }
            if basePath.isEmpty { return .invalid("a base path is required") }
            let newName = name == original ? nil : name
            let newDescription = description == initialText(1) ? nil : description
            let newBase = basePath == trimSlashes(initialText(2)) ? nil : basePath
            if newName == nil, newDescription == nil, newBase == nil { return .unchanged }
            return .effect(.updateServer(name: original, newName: newName, description: newDescription, basePath: newBase, enabled: nil))

        case .renameTool(let server, let tool):
            let name = fields[0].value
            if name.isEmpty { return .invalid("a name is required") }
            if name == tool { return .unchanged }
            return .effect(.updateTool(server: server, tool: tool, newName: name, description: nil, enabled: nil))

        case .overrideDescription(let server, let tool):
            let text = fields[0].value
            let description: String?? = text.isEmpty ? .some(nil) : .some(text)
            return .effect(.updateTool(server: server, tool: tool, newName: nil, description: description, enabled: nil))

        case .newPolicy:
            let text = fields[0].value
            if text.isEmpty { return .invalid("a scope is required: global, server:<name> or tool:<server>/<tool>") }
            do {
                return .effect(.edit(.policy(scope: try PolicyScope(parsing: text).description)))
            } catch {
                return .invalid(error.message)
            }

        case .screen:
            // The screen that opened it submits it (``ConsoleState`` asks it).
            return .unchanged
        }
    }

    /// The value a field had when the form opened (kept in `initial`).
    private func initialText(_ index: Int) -> String { index < initial.count ? initial[index] : "" }

    private func trimSlashes(_ s: String) -> String {
        var s = Substring(s)
        while s.hasPrefix("/") { s = s.dropFirst() }
        while s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }
}
