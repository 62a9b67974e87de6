import Foundation

/// The tools family: `tools/list` (paginated, through the response cache) and `tools/call` (through the response
/// cache, then to the REST backend or the upstream the tool comes from).
extension MCPHandler {
    func tools(id: JSONValue, method: String, params: JSONObject?, in request: MCPRequestContext, policy: inout PolicyContext)
        async throws(JSONRPCError)
        -> HandlerOutcome
    {
        var request = request
        if method == "tools/list" {
            request.server = await discoverIfNeeded(request.server)
            return HandlerOutcome(response: .rpcResult(id: id, try cachedList(params: params, in: request, policy: &policy)))
        }
        // A client may call a tool it knows from before without listing first: a name the table does not have may
        // be an upstream's that is not discovered yet.
        if request.server.hasUpstreams, case .string(let name)? = params?["name"], request.server.tool(named: name) == nil {
            request.server = await discoverIfNeeded(request.server)
        }
        var outcome = await cachedCall(params: params, in: request, policy: &policy)
        if let e = outcome.rpcError {
            outcome.response = e.response(id: id)
        } else if let result = outcome.response {
            outcome.response = .rpcResult(id: id, result)
        }
        return outcome
    }

    /// `tools/list` with cursor pagination, pages bounded by count and size (``ToolsListPaging``). The cursor is an
    /// opaque offset; an invalid one is -32602.
    func listTools(server: CompiledServer, params: JSONObject?, version: String) throws(JSONRPCError) -> JSONValue {
        var offset = 0
        if let cursor = params?["cursor"] {
            guard case .string(let c) = cursor, let data = Data(base64Encoded: c),
                let text = String(data: data, encoding: .utf8), text.hasPrefix("o:"), let n = Int(text.dropFirst(2)), n >= 0, n <= server.tools.count
            else { throw JSONRPCError(code: MCPProtocol.invalidParams, message: "invalid cursor") }
            offset = n
        }
        let structured = MCPProtocol.hasStructuredOutput(version)
        let (tools, next) = ToolsListPaging.page(
            server.tools.map { structured ? $0.listEntry : $0.legacyListEntry }, offset: offset,
            maxCount: settings.toolsPageSize, maxBytes: settings.toolsPageMaxBytes)
        var result: JSONObject = ["tools": .array(tools)]
        if let next { result["nextCursor"] = .string(Data("o:\(next)".utf8).base64EncodedString()) }
        return .object(result)
    }

    /// `tools/call`: validate, build the backend request, call it, map the answer. Returns the result object in
    /// `response` (not yet wrapped in a JSON-RPC envelope).
    func callTool(
        server: CompiledServer, params: JSONObject?, version: String,
        backendHeaders: [(name: String, value: String, action: SetHeaderPolicy.ExistsAction)] = [],
        relay: RelayContext? = nil
    ) async -> HandlerOutcome {
        guard case .string(let name)? = params?["name"] else {
            let e = JSONRPCError(code: MCPProtocol.invalidParams, message: "tools/call needs a string \"name\"")
            return HandlerOutcome(response: nil, outcome: .rpcError, error: e.message).failing(e)
        }
        if let reason = server.heldBack[name], server.tool(named: name) == nil {
            let e = JSONRPCError(code: MCPProtocol.invalidParams, message: reason)
            return HandlerOutcome(tool: name, outcome: .rpcError, error: e.message).failing(e)
        }
        guard let tool = server.tool(named: name) else {
            let e = JSONRPCError(code: MCPProtocol.invalidParams, message: "Unknown tool: \(name)")
            return HandlerOutcome(tool: name, outcome: .rpcError, error: e.message).failing(e)
        }
        var arguments = JSONObject()
        switch params?["arguments"] {
        case nil, .null?: break
        case .object(let o)?: arguments = o
        default:
            let e = JSONRPCError(code: MCPProtocol.invalidParams, message: "\"arguments\" must be an object")
            return HandlerOutcome(tool: name, outcome: .rpcError, error: e.message).failing(e)
        }
        if let binding = tool.upstream {
            let withHeaders = relay.map { RelayContext(relay: $0.relay, call: $0.call.with(headers: backendHeaders)) }
            return await relayToolCall(binding, tool: name, params: params, arguments: arguments, version: version, relay: withHeaders)
        }
        guard let operation = tool.operation else {
            let e = JSONRPCError(code: MCPProtocol.internalError, message: "tool \(name) has no backend")
            return HandlerOutcome(tool: name, outcome: .rpcError, error: e.message).failing(e)
        }
        var outcome = HandlerOutcome(tool: name, arguments: SecretMasker.masked(.object(arguments)))
        let mapper = ToolResultMapper()
        func toolError(_ message: String, serverFault: Bool = false) -> HandlerOutcome {
            var o = outcome
            o.response = mapper.errorResult(message)
            o.outcome = .toolError
            o.error = message
            o.serverFault = serverFault
            return o
        }
        let violations = JSONSchemaValidator().validate(.object(arguments), against: operation.inputSchema)
        if !violations.isEmpty {
            return toolError("Invalid arguments for tool \(name): " + violations.map(\.description).joined(separator: "; "))
        }
        guard let baseURL = tool.baseURL else {
            return toolError(
                "API '\(tool.apiName)' has no backend base URL; set one with `gatehouse api set \(tool.apiName) --base-url URL`", serverFault: true)
        }
        var request: BackendRequest
        do {
            request = try BackendRequestBuilder().build(operation: operation, baseURL: baseURL, arguments: arguments)
        } catch {
            return toolError(error.message)
        }
        if !backendHeaders.isEmpty { request.apply(backendHeaders) }
        var injected: [String] = []
        if let connection = tool.credential {
            // A credential goes only to the origin it was attached for.
            guard let origin = credentialOrigin(of: request.url), origin == tool.credentialOrigin else {
                return toolError(
                    "API '\(tool.apiName)' now points to a different origin than its credential '\(connection)' was attached for; re-attach it with `gatehouse api set \(tool.apiName) --credential \(connection)`",
                    serverFault: true)
            }
            do {
                let injection = try await credentials.injection(for: connection)
                injected = (injection.headers + injection.query).map(\.value)
                request.apply(injection.headers.map { ($0.name, $0.value, .override) })
                if !injection.query.isEmpty { request.appendQuery(injection.query) }
            } catch {
                return toolError("Credential '\(connection)' is unavailable: \(error.message)", serverFault: true)
            }
        }
        let started = ContinuousClock.now
        do {
            var response = try await backend.execute(
                request, origin: baseURL, allowPrivateNetwork: tool.allowPrivateNetwork, api: tool.apiName, tool: operation.key)
            outcome.backendLatency = ContinuousClock.now - started
            // A backend that echoes the credential we sent (in an error page, say) must not hand it to the client.
            if !injected.isEmpty { response.body = SecretMasker.redact(response.body, secrets: injected) }
            outcome.backendStatus = response.status
            var result = mapper.map(status: response.status, contentType: response.contentType, body: response.body, operation: operation)
            if !MCPProtocol.hasStructuredOutput(version), case .object(var o) = result {
                o["structuredContent"] = nil
                result = .object(o)
            }
            outcome.response = result
            if result["_meta"]?["gatehouse/outputSchemaMismatch"] != nil {
                monitor.recordOutputSchemaMismatch(server: server.name, tool: name)
            }
            if result["isError"] == .bool(true) {
                outcome.outcome = .toolError
                outcome.error = "backend HTTP \(response.status)"
                outcome.serverFault = response.status >= 500
            }
            return outcome
        } catch {
            outcome.backendLatency = ContinuousClock.now - started
            return toolError("Calling \(operation.method) \(operation.path) failed: \(error.message)", serverFault: true)
        }
    }
}
