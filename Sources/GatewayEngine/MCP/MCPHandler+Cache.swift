/// The response cache as a step of the tools family: `tools/list` and GET-backed `tools/call` are looked up before
/// and stored after, when the request's `cache-lookup` and `cache-store` policies both apply.
extension MCPHandler {
    /// The response-cache key for a request, or nil when it may not be cached: both `cache-lookup` and
    /// `cache-store` must apply, and a tool call must be backed by a GET. The key names the configuration
    /// revision, the server, the method, the tool, the canonical parameters, the protocol version and — unless the
    /// lookup is public — the principal, so no entry crosses principals and no header can change it.
    func cacheKey(server: CompiledServer, method: String, tool: CompiledTool?, params: JSONObject?, version: String, policy: PolicyContext) -> String?
    {
        guard let lookup = policy.cacheLookup, policy.cacheTTL != nil else { return nil }
        if let tool, tool.operation?.method.uppercased() != "GET" { return nil }
        let who = lookup.isPublic ? "*" : "p=" + policy.principalKey
        let canonical = params.map { JSONValue.object($0).canonicalString } ?? "{}"
        return "\(routing().revision)|\(server.basePath)|\(method)|\(tool?.name ?? "")|\(version)|\(who)|\(canonical)"
    }

    /// `tools/list` through the response cache: a hit is answered as stored.
    func cachedList(params: JSONObject?, in request: MCPRequestContext, policy: inout PolicyContext) throws(JSONRPCError) -> JSONValue {
        let key = cacheKey(server: request.server, method: "tools/list", tool: nil, params: params, version: request.version, policy: policy)
        if let key, let hit = policies.cache.lookup(key) {
            policy.decisions.append("cache-lookup hit")
            return hit
        }
        let result = try listTools(server: request.server, params: params, version: request.version)
        if let key, let ttl = policy.cacheTTL { policies.cache.store(key, result, ttl: .seconds(ttl)) }
        return result
    }

    /// `tools/call` through the response cache: a hit skips the backend; only successful results are stored.
    func cachedCall(params: JSONObject?, in request: MCPRequestContext, policy: inout PolicyContext) async -> HandlerOutcome {
        let server = request.server
        let tool = params?["name"]?.stringValue.flatMap { server.tool(named: $0) }
        let key = tool.flatMap { cacheKey(server: server, method: "tools/call", tool: $0, params: params, version: request.version, policy: policy) }
        if let key, let hit = policies.cache.lookup(key) {
            policy.decisions.append("cache-lookup hit")
            var arguments: JSONValue?
            if let a = params?["arguments"] { arguments = SecretMasker.masked(a) }
            return HandlerOutcome(response: hit, tool: tool?.name, arguments: arguments)
        }
        let outcome = await callTool(
            server: server, params: params, version: request.version, backendHeaders: policy.backendHeaders, relay: request.relay)
        if let key, let ttl = policy.cacheTTL, outcome.outcome == .ok, outcome.rpcError == nil, let result = outcome.response,
            result["isError"] != .bool(true)
        {
            policies.cache.store(key, result, ttl: .seconds(ttl))
            policy.decisions.append("cache-store stored (\(ttl) s)")
        }
        return outcome
    }
}
