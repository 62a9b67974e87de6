import Foundation

extension Gateway {
    /// The response-cache key for a request, or nil when it may not be cached: both `cache-lookup` and
    /// `cache-store` must apply, and a tool call must be backed by a GET. The key names the configuration
    /// revision, the server, the method, the tool, the canonical parameters, the protocol version and — unless the
    /// lookup is public — the principal, so no entry crosses principals and no header can change it.
    func cacheKey(server: CompiledServer, method: String, tool: CompiledTool?, params: JSONObject?, version: String, policy: PolicyContext) -> String? {
        guard let lookup = policy.cacheLookup, policy.cacheTTL != nil else { return nil }
        if let tool, tool.operation?.method.uppercased() != "GET" { return nil }
        let who = lookup.isPublic ? "*" : "p=" + policy.principalKey
        let canonical = params.map { JSONValue.object($0).canonicalString } ?? "{}"
        return "\(routingTable.revision)|\(server.basePath)|\(method)|\(tool?.name ?? "")|\(version)|\(who)|\(canonical)"
    }

    /// `tools/call` through the response cache: a hit skips the backend; only successful results are stored.
    func cachedCall(server: CompiledServer, params: JSONObject?, version: String, policy: inout PolicyContext, relay: RelayContext? = nil) async -> HandlerOutcome {
        let tool = params?["name"]?.stringValue.flatMap { server.tool(named: $0) }
        let key = tool.flatMap { cacheKey(server: server, method: "tools/call", tool: $0, params: params, version: version, policy: policy) }
        if let key, let hit = policies.cache.lookup(key) {
            policy.decisions.append("cache-lookup hit")
            var arguments: JSONValue?
            if let a = params?["arguments"] { arguments = SecretMasker.masked(a) }
            return HandlerOutcome(response: hit, tool: tool?.name, arguments: arguments)
        }
        let outcome = await callTool(server: server, params: params, version: version, backendHeaders: policy.backendHeaders, relay: relay)
        if let key, let ttl = policy.cacheTTL, outcome.outcome == .ok, outcome.rpcError == nil, let result = outcome.response,
            result["isError"] != .bool(true)
        {
            policies.cache.store(key, result, ttl: .seconds(ttl))
            policy.decisions.append("cache-store stored (\(ttl) s)")
        }
        return outcome
    }
}

extension JSONValue {
    /// JSON text with object keys sorted at every level: equal values give equal text.
    var canonicalString: String {
        switch self {
        case .object(let o):
            let parts = o.keys.sorted().map { k in JSONValue.string(k).jsonString + ":" + (o[k]?.canonicalString ?? "null") }
            return "{" + parts.joined(separator: ",") + "}"
        case .array(let a):
            return "[" + a.map(\.canonicalString).joined(separator: ",") + "]"
        default:
            return jsonString
        }
    }
}

extension BackendRequest {
    /// Adds query parameters (percent-encoded) to the URL.
    mutating func appendQuery(_ items: [(name: String, value: String)]) {
        let encoded = items.map { PercentEncoder.encodeQuery($0.name) + "=" + PercentEncoder.encodeQuery($0.value) }
        url += (url.contains("?") ? "&" : "?") + encoded.joined(separator: "&")
    }

    /// Applies `set-header` policies in order.
    mutating func apply(_ rules: [(name: String, value: String, action: SetHeaderPolicy.ExistsAction)]) {
        for rule in rules {
            let exists = headers.contains { $0.name.caseInsensitiveCompare(rule.name) == .orderedSame }
            switch rule.action {
            case .override:
                headers.removeAll { $0.name.caseInsensitiveCompare(rule.name) == .orderedSame }
                headers.append((rule.name, rule.value))
            case .skip:
                if !exists { headers.append((rule.name, rule.value)) }
            case .append:
                headers.append((rule.name, rule.value))
            case .delete:
                headers.removeAll { $0.name.caseInsensitiveCompare(rule.name) == .orderedSame }
            }
        }
    }
}
