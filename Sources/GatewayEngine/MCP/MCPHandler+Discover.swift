/// The stateless revision (2026-07-28): `server/discover`, and what every result of that revision carries
/// (`resultType`, and caching hints on the cacheable ones).
extension MCPHandler {
    /// The `server/discover` result: every revision served, the server's capabilities, identity and instructions.
    func discoverResult(server: CompiledServer, privateScope: Bool) -> JSONValue {
        var capabilities: JSONObject = ["tools": .object(["listChanged": true])]
        if server.hasUpstreams {
            capabilities["resources"] = .object(["listChanged": true])
            capabilities["prompts"] = .object(["listChanged": true])
            capabilities["completions"] = .object([:])
            // Upstreams' log messages for a call, when its `_meta` names a log level.
            capabilities["logging"] = .object([:])
        }
        var result: JSONObject = [
            "resultType": "complete",
            "supportedVersions": .array((MCPProtocol.modernVersions + MCPProtocol.streamableVersions).map { .string($0) }),
            "capabilities": .object(capabilities),
            "_meta": .object([
                ModernEnvelope.serverInfoKey: .object(["name": .string("gatehouse/\(server.name)"), "version": .string(GatehouseVersion.current)])
            ]),
        ]
        if !server.description.isEmpty { result["instructions"] = .string(server.description) }
        result["ttlMs"] = .int(Self.cacheTTL(method: "server/discover", server: server) ?? 0)
        result["cacheScope"] = .string(privateScope ? "private" : "public")
        return .object(result)
    }

    /// How long a client may keep a result of a cacheable method, in milliseconds; nil for methods that are not
    /// cacheable. A REST server's lists change only with the configuration and a server with upstreams announces
    /// its tool changes on `subscriptions/listen`, so their tool lists keep for a minute; what upstreams say about
    /// resources and prompts is not cached.
    static func cacheTTL(method: String, server: CompiledServer) -> Int64? {
        switch method {
        case "server/discover": 300_000
        case "tools/list": 60_000
        case "prompts/list", "resources/list", "resources/templates/list", "resources/read": server.hasUpstreams ? 0 : 60_000
        default: nil
        }
    }

    /// A response as the stateless revision sends it: results carry `resultType` (`complete` unless the result
    /// says otherwise), and complete results of cacheable methods carry `ttlMs` and `cacheScope` (private when
    /// the server's policies tell callers apart).
    static func stampModern(_ response: JSONValue?, method: String, server: CompiledServer, privateScope: Bool) -> JSONValue? {
        guard case .object(var envelope)? = response, case .object(var result)? = envelope["result"] else { return response }
        if result["resultType"] == nil { result["resultType"] = "complete" }
        if result["resultType"]?.stringValue == "complete", let ttl = cacheTTL(method: method, server: server) {
            if result["ttlMs"] == nil { result["ttlMs"] = .int(ttl) }
            if result["cacheScope"] == nil { result["cacheScope"] = .string(privateScope ? "private" : "public") }
        }
        envelope["result"] = .object(result)
        return .object(envelope)
    }

    /// The methods of the stateless revision the gateway answers (others, `ping` and `initialize` included, are
    /// unknown there: 404 with `-32601`).
    static let modernMethods: Set<String> = [
        "server/discover", "subscriptions/listen", "tools/list", "tools/call", "prompts/list", "prompts/get", "resources/list",
        "resources/read", "resources/templates/list", "completion/complete",
    ]
}
