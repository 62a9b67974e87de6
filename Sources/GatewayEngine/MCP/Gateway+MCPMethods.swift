import Foundation

/// What handling one JSON-RPC message produced, for the response and the request record.
struct HandlerOutcome: Sendable {
    /// The response object, nil for notifications and responses.
    var response: JSONValue?
    var tool: String?
    var arguments: JSONValue?
    var outcome: RequestRecord.Outcome = .ok
    var backendStatus: Int?
    var backendLatency: Duration?
    var error: String?
    /// Set when the call failed as a protocol error (unknown tool, bad params).
    var rpcError: JSONRPCError?
}

extension Gateway {
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

    /// Handles one message on an established session (everything but `initialize`, which the transports handle),
    /// then settles the policy counts by its outcome.
    func handle(_ message: JSONRPCMessage, server: CompiledServer, version: String, policy: inout PolicyContext, relay: RelayContext? = nil) async -> HandlerOutcome {
        let outcome = await handleMessage(message, server: server, version: version, policy: &policy, relay: relay)
        if !policy.rateReservations.isEmpty || !policy.quotaReservations.isEmpty {
            await policies.complete(&policy, succeeded: outcome.outcome == .ok)
        }
        return outcome
    }

    private func handleMessage(_ message: JSONRPCMessage, server: CompiledServer, version: String, policy: inout PolicyContext, relay: RelayContext?) async -> HandlerOutcome {
        guard case .request(let id, let method, let params) = message else { return HandlerOutcome() }
        var server = server
        do {
            if server.hasUpstreams, Self.relayedMethods.contains(method) {
                guard let relay else { throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "\(method) needs a session") }
                return await relayRequest(id: id, method: method, params: params, server: server, version: version, relay: relay)
            }
            switch method {
            case "ping":
                return HandlerOutcome(response: .rpcResult(id: id, .object([:])))
            case "tools/list":
                server = await discoverIfNeeded(server)
                let key = cacheKey(server: server, method: method, tool: nil, params: params, version: version, policy: policy)
                if let key, let hit = policies.cache.lookup(key) {
                    policy.decisions.append("cache-lookup hit")
                    return HandlerOutcome(response: .rpcResult(id: id, hit))
                }
                let result = try listTools(server: server, params: params, version: version)
                if let key, let ttl = policy.cacheTTL { policies.cache.store(key, result, ttl: .seconds(ttl)) }
                return HandlerOutcome(response: .rpcResult(id: id, result))
            case "tools/call" where server.basePath == RegistryMCP.basePath:
                var outcome = await registryToolCall(params: params, version: version, policy: policy)
                outcome.response = outcome.rpcError.map { $0.response(id: id) } ?? outcome.response.map { .rpcResult(id: id, $0) }
                return outcome
            case "tools/call":
                // A client may call a tool it knows from before without listing first.
                if server.hasUpstreams { server = await discoverIfNeeded(server) }
                var outcome = await cachedCall(server: server, params: params, version: version, policy: &policy, relay: relay)
                if let e = outcome.rpcError {
                    outcome.response = e.response(id: id)
                } else if let result = outcome.response {
                    outcome.response = .rpcResult(id: id, result)
                }
                return outcome
            case "initialize":
                throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "the session is already initialized")
            default:
                throw JSONRPCError(code: MCPProtocol.methodNotFound, message: "method not found: \(method)")
            }
        } catch let error as JSONRPCError {
            return HandlerOutcome(response: error.response(id: id), outcome: .rpcError, error: error.message)
        } catch {
            return HandlerOutcome(response: JSONRPCError(code: MCPProtocol.internalError, message: "internal error").response(id: id), outcome: .rpcError, error: "\(error)")
        }
    }

    /// `tools/list` with cursor pagination. The cursor is an opaque offset; an invalid one is -32602.
    func listTools(server: CompiledServer, params: JSONObject?, version: String) throws(JSONRPCError) -> JSONValue {
        var offset = 0
        if let cursor = params?["cursor"] {
            guard case .string(let c) = cursor, let data = Data(base64Encoded: c),
                let text = String(data: data, encoding: .utf8), text.hasPrefix("o:"), let n = Int(text.dropFirst(2)), n >= 0, n <= server.tools.count
            else { throw JSONRPCError(code: MCPProtocol.invalidParams, message: "invalid cursor") }
            offset = n
        }
        let page = configuration.toolsPageSize
        let structured = MCPProtocol.hasStructuredOutput(version)
        let slice = server.tools[offset..<min(server.tools.count, offset + page)]
        var result: JSONObject = ["tools": .array(slice.map { structured ? $0.listEntry : $0.legacyListEntry })]
        if offset + page < server.tools.count {
            result["nextCursor"] = .string(Data("o:\(offset + page)".utf8).base64EncodedString())
        }
        return .object(result)
    }

    /// `tools/call`: validate, build the backend request, call it, map the answer. Returns the result object in
    /// `response` (not yet wrapped in a JSON-RPC envelope).
    func callTool(
        server: CompiledServer, params: JSONObject?, version: String, backendHeaders: [(name: String, value: String, action: SetHeaderPolicy.ExistsAction)] = [],
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
        func toolError(_ message: String) -> HandlerOutcome {
            var o = outcome
            o.response = mapper.errorResult(message)
            o.outcome = .toolError
            o.error = message
            return o
        }
        let violations = JSONSchemaValidator().validate(.object(arguments), against: operation.inputSchema)
        if !violations.isEmpty {
            return toolError("Invalid arguments for tool \(name): " + violations.map(\.description).joined(separator: "; "))
        }
        guard let baseURL = tool.baseURL else {
            return toolError("API '\(tool.apiName)' has no backend base URL; set one with `gatehouse api set \(tool.apiName) --base-url URL`")
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
                return toolError("API '\(tool.apiName)' now points to a different origin than its credential '\(connection)' was attached for; re-attach it with `gatehouse api set \(tool.apiName) --credential \(connection)`")
            }
            do {
                let injection = try await credentials.injection(for: connection)
                injected = (injection.headers + injection.query).map(\.value)
                request.apply(injection.headers.map { ($0.name, $0.value, .override) })
                if !injection.query.isEmpty { request.appendQuery(injection.query) }
            } catch {
                return toolError("Credential '\(connection)' is unavailable: \(error.message)")
            }
        }
        let started = ContinuousClock.now
        do {
            var response = try await backend.execute(request, origin: baseURL, allowPrivateNetwork: tool.allowPrivateNetwork)
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
            if result["isError"] == .bool(true) {
                outcome.outcome = .toolError
                outcome.error = "backend HTTP \(response.status)"
            }
            return outcome
        } catch {
            outcome.backendLatency = ContinuousClock.now - started
            return toolError("Calling \(operation.method) \(operation.path) failed: \(error.message)")
        }
    }
}

extension HandlerOutcome {
    /// Marks the outcome as a JSON-RPC error (the envelope is added by ``Gateway/handle(_:server:version:)``).
    func failing(_ error: JSONRPCError) -> HandlerOutcome {
        var o = self
        o.response = nil
        o.rpcError = error
        return o
    }
}

/// The version Gatehouse reports to clients.
public enum GatehouseVersion {
    public static let current = "0.1.0"
}
