import Foundation
import HTTPTypes
import Store

/// What a `/registry/mcp` tool call needs of its HTTP request: the headers (to work out which servers the caller may
/// call) and the origin clients reach the gateway at.
struct RegistryRequestInfo: Sendable {
    var headers: HTTPFields
    var origin: String
}

extension RegistryService {
    /// `tools/call` on `/registry/mcp`: `registry_search` and `registry_get`, answered from the catalog with the
    /// caller's visibility. Returns the result object (the envelope is added by the caller).
    func toolCall(params: JSONObject?, version: String, policy: PolicyContext) async -> HandlerOutcome {
        guard case .string(let name)? = params?["name"], let tool = RegistryMCP.compiledServer().tool(named: name) else {
            let e = JSONRPCError(code: MCPProtocol.invalidParams, message: "Unknown tool: \(params?["name"]?.stringValue ?? "(none)")")
            return HandlerOutcome(tool: params?["name"]?.stringValue, outcome: .rpcError, error: e.message).failing(e)
        }
        var arguments = JSONObject()
        switch params?["arguments"] {
        case nil, .null?: break
        case .object(let o)?: arguments = o
        default:
            let e = JSONRPCError(code: MCPProtocol.invalidParams, message: "\"arguments\" must be an object")
            return HandlerOutcome(tool: name, outcome: .rpcError, error: e.message).failing(e)
        }
        var outcome = HandlerOutcome(tool: name, arguments: .object(arguments))
        let mapper = ToolResultMapper()
        let violations = JSONSchemaValidator().validate(
            .object(arguments), against: tool.operation?.inputSchema ?? tool.listEntry["inputSchema"] ?? .bool(true))
        if !violations.isEmpty {
            let message = "Invalid arguments for tool \(name): " + violations.map(\.description).joined(separator: "; ")
            outcome.response = mapper.errorResult(message)
            outcome.outcome = .toolError
            outcome.error = message
            return outcome
        }
        let info = policy.registryRequest ?? RegistryRequestInfo(headers: [:], origin: defaultOrigin)
        var caller = RegistryCaller(context: policy, callable: nil)
        if caller.isIdentified, let gateway {
            caller.callable = await gateway.policies.callableServers(headers: info.headers, context: policy, table: gateway.routingTable)
        }
        let structured: Result<JSONObject, RegistryRequestError> =
            name == "registry_search"
            ? registrySearch(arguments, caller: caller, origin: info.origin) : registryGet(arguments, caller: caller, origin: info.origin)
        switch structured {
        case .success(let value):
            var result: JSONObject = ["content": .array([.object(["type": "text", "text": .string(JSONValue.object(value).jsonString)])])]
            if MCPProtocol.hasStructuredOutput(version) { result["structuredContent"] = .object(value) }
            result["isError"] = false
            outcome.response = .object(result)
        case .failure(let e):
            outcome.response = mapper.errorResult(e.message)
            outcome.outcome = .toolError
            outcome.error = e.message
        }
        return outcome
    }

    func registrySearch(_ a: JSONObject, caller: RegistryCaller, origin: String) -> Result<JSONObject, RegistryRequestError> {
        var q = RegistryQuery(
            limit: Int(a["limit"]?.intValue ?? 30), search: a["query"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }, version: "latest")
        if let cursor = a["cursor"]?.stringValue, !cursor.isEmpty {
            guard let key = RegistryCursor.decode(cursor) else { return .failure(.init("invalid cursor: pass nextCursor from the previous page")) }
            q.after = key
        }
        let tags = a["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let lifecycle = a["lifecycle"]?.stringValue
        let transport = a["transport"]?.stringValue
        let kind = a["kind"]?.stringValue
        let includeDeprecated = a["includeDeprecated"]?.boolValue ?? true
        let (page, next) = catalog().page(q) { e in
            guard caller.sees(e) else { return false }
            if !includeDeprecated && e.status == .deprecated { return false }
            if !tags.allSatisfy(e.tags.contains) { return false }
            if let lifecycle, e.lifecycle.rawValue != lifecycle { return false }
            if let kind, e.kind.rawValue != kind { return false }
            if let transport, !Self.transports(of: e).contains(transport) { return false }
            return true
        }
        var out: JSONObject = ["servers": .array(page.map { summary($0, origin: origin) })]
        if let next { out["nextCursor"] = .string(next) }
        return .success(out)
    }

    func registryGet(_ a: JSONObject, caller: RegistryCaller, origin: String) -> Result<JSONObject, RegistryRequestError> {
        let name = a["name"]?.stringValue ?? ""
        let version = a["version"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "latest"
        let catalog = self.catalog()
        guard let e = catalog.entry(name, version: version) ?? (version == "latest" ? catalog.lookup(name) : nil), caller.sees(e) else {
            return .failure(
                .init(
                    "No server named '\(name.prefix(200))'\(version == "latest" ? "" : " version \(version.prefix(60))") in the registry (registry_search lists the ones you may use)"
                ))
        }
        let live = self.live(e)
        guard case .object(let item) = e.item(origin: origin, live: live) else { return .failure(.init("internal error")) }
        var out: JSONObject = ["server": item["server"] ?? .object([:]), "registry": item["_meta"]?[RegistryMeta.officialKey] ?? .object([:])]
        let rendered = item["server"]?.objectValue ?? [:]
        out["endpoints"] = .array(
            (rendered["remotes"]?.arrayValue ?? []).map { r in .object(["type": r["type"] ?? .null, "url": r["url"] ?? .null]) })
        out["tools"] = .array(e.toolNames.map { .string($0) })
        var health = e.kind == .external ? RegistryHealthJSON.object(e.health) : ["state": .string(e.healthState.rawValue)]
        if let target = e.healthTarget, let history = try? store.healthHistory(target: target, limit: 10), !history.isEmpty {
            health["history"] = .array(history.map(Self.historyJSON))
        }
        out["health"] = .object(health)
        if let live { out["live"] = .object(live.json) }
        return .success(out)
    }

    func summary(_ e: RegistryEntry, origin: String) -> JSONValue {
        let rendered = e.rendered(origin: origin, live: nil)
        var o: JSONObject = ["name": .string(e.name)]
        if let t = e.title { o["title"] = .string(t) }
        o["description"] = .string(e.description)
        o["version"] = .string(e.version)
        o["kind"] = .string(e.kind.rawValue)
        o["status"] = .string(e.status.rawValue)
        o["lifecycle"] = .string(e.lifecycle.rawValue)
        if !e.tags.isEmpty { o["tags"] = .array(e.tags.map { .string($0) }) }
        o["transports"] = .array(Self.transports(of: e).map { .string($0) })
        o["endpoints"] = .array((rendered["remotes"]?.arrayValue ?? []).map { r in .object(["type": r["type"] ?? .null, "url": r["url"] ?? .null]) })
        let packages = e.server["packages"]?.arrayValue ?? []
        if !packages.isEmpty {
            o["packages"] = .array(
                packages.map { p in .object(["registryType": p["registryType"] ?? .null, "identifier": p["identifier"] ?? .null]) })
        }
        o["toolCount"] = .int(Int64(e.kind == .gateway ? e.toolNames.count : e.health?.toolCount ?? 0))
        o["health"] = .string(e.healthState.rawValue)
        return .object(o)
    }

    /// The transports an entry offers: its remotes' types, and `stdio` when a package runs over stdio.
    static func transports(of e: RegistryEntry) -> [String] {
        var out = e.transports
        for p in e.server["packages"]?.arrayValue ?? [] {
            if let t = p["transport"]?["type"]?.stringValue, !out.contains(t) { out.append(t) }
        }
        return out
    }

    static func historyJSON(_ h: RegistryHealthEventRecord) -> JSONValue {
        var o: JSONObject = ["time": .string(RegistryTime.string(h.time)), "state": .string(h.state.rawValue)]
        if let l = h.latencyMs { o["latencyMs"] = .double((l * 10).rounded() / 10) }
        if let n = h.toolCount { o["toolCount"] = .int(Int64(n)) }
        if let c = h.change { o["change"] = .string(c) }
        if let d = h.detail { o["detail"] = .string(d) }
        return .object(o)
    }
}
