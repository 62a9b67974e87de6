/// The lifecycle family: `ping` here; `initialize` is answered by the transports, which create the session, with
/// the two functions below.
extension MCPHandler {
    func lifecycle(id: JSONValue, method: String) throws(JSONRPCError) -> HandlerOutcome {
        switch method {
        case "ping": return HandlerOutcome(response: .rpcResult(id: id, .object([:])))
        default: throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "the session is already initialized")
        }
    }

    /// The version the server answers `initialize` with: the client's when supported, else the newest.
    static func negotiate(_ requested: String?, supported: [String]) -> String {
        if let requested, supported.contains(requested) { return requested }
        return supported[0]
    }

    /// The `initialize` result for a server.
    func initializeResult(server: CompiledServer, version: String) -> JSONValue {
        var capabilities: JSONObject = ["tools": .object(["listChanged": false])]
        if server.hasUpstreams {
            // Resources, prompts, completions and logging come from the upstreams (empty when they have none).
            capabilities = [
                "tools": .object(["listChanged": true]), "resources": .object(["subscribe": true, "listChanged": true]),
                "prompts": .object(["listChanged": true]), "completions": .object([:]), "logging": .object([:]),
            ]
        }
        var result: JSONObject = [
            "protocolVersion": .string(version),
            "capabilities": .object(capabilities),
            "serverInfo": .object(["name": .string("gatehouse/\(server.name)"), "version": .string(GatehouseVersion.current)]),
        ]
        if !server.description.isEmpty { result["instructions"] = .string(server.description) }
        return .object(result)
    }
}
