import Foundation
import Store

/// What a client of one gateway server needs to know, read from the compiled configuration: its tools, how it is
/// protected, and the policies a client feels.
struct GatewayServerFacts: Sendable, Equatable {
    var name: String
    var basePath: String
    var description: String
    var toolNames: [String]
    var requireSubscription: Bool
    /// The server-level `validate-jwt` policies (global or server scope).
    var jwt: [ValidateJWTPolicy] = []
    var ipRestricted = false
    /// Headers a `check-header` policy requires.
    var requiredHeaders: [String] = []
    var rateLimits: [(policy: RateLimitPolicy, scope: String)] = []
    var quotas: [(policy: QuotaPolicy, scope: String)] = []
    var upstreams: [String] = []

    static func == (a: GatewayServerFacts, b: GatewayServerFacts) -> Bool {
        a.name == b.name && a.basePath == b.basePath && a.description == b.description && a.toolNames == b.toolNames
            && a.requireSubscription == b.requireSubscription && a.jwt == b.jwt && a.ipRestricted == b.ipRestricted
            && a.requiredHeaders == b.requiredHeaders && a.rateLimits.map(\.policy) == b.rateLimits.map(\.policy)
            && a.quotas.map(\.policy) == b.quotas.map(\.policy) && a.upstreams == b.upstreams
    }

    /// The facts of every server of a routing table, by server name.
    static func all(_ table: RoutingTable) -> [GatewayServerFacts] {
        table.servers.values.filter { $0.basePath != RegistryMCP.basePath }.map { server in
            var f = GatewayServerFacts(
                name: server.name, basePath: server.basePath, description: server.description, toolNames: server.tools.map(\.name),
                requireSubscription: false, upstreams: server.upstreams.map(\.upstream))
            guard let p = table.policies[server.basePath] else { return f }
            f.requireSubscription = p.requireSubscription
            for s in p.requestStage {
                switch s.statement {
                case .validateJWT(let j): f.jwt.append(j)
                case .ipFilter: f.ipRestricted = true
                case .checkHeader(let c): if !f.requiredHeaders.contains(c.name) { f.requiredHeaders.append(c.name) }
                default: break
                }
            }
            for s in p.messageStage {
                switch s.statement {
                case .rateLimit(let r): f.rateLimits.append((r, s.scope.description))
                case .quota(let q): f.quotas.append((q, s.scope.description))
                default: break
                }
            }
            return f
        }.sorted { $0.name < $1.name }
    }

    /// `none`, `subscription`, `oauth` or `subscription+oauth`.
    var authMode: String {
        switch (requireSubscription, !jwt.isEmpty) {
        case (false, false): "none"
        case (true, false): "subscription"
        case (false, true): "oauth"
        case (true, true): "subscription+oauth"
        }
    }
}

/// Generates the `server.json` of a gateway server: a reverse-DNS name under the namespace, its description and
/// title, the version, the Streamable HTTP and SSE remotes at the public origin with the headers a client must send
/// (declared as secret inputs), and Gatehouse's metadata (tools, auth mode, client-visible policies).
enum GatewayServerJSON {
    /// The origin written into documents built without a request (replaced when rendered for one).
    static let originPlaceholder = "{gatehouse-origin}"

    static func document(
        _ f: GatewayServerFacts, name: String, override o: RegistryGatewayRecord?, version: String, origin: String
    ) -> JSONObject {
        var doc: JSONObject = ["$schema": .string(ServerJSONValidator.schemaURL), "name": .string(name)]
        doc["title"] = .string(String((o?.title ?? f.name).prefix(100)))
        doc["description"] = .string(description(o?.description ?? f.description, server: f.name))
        doc["version"] = .string(version)
        doc["remotes"] = .array(remotes(f, origin: origin))
        var meta: JSONObject = ["kind": "gateway", "server": .string(f.name), "lifecycle": .string((o?.lifecycle ?? .production).rawValue)]
        if let owner = o?.owner { meta["owner"] = .string(owner) }
        if let tags = o?.tagList, !tags.isEmpty { meta["tags"] = .array(tags.map { .string($0) }) }
        meta["tools"] = .object(["count": .int(Int64(f.toolNames.count)), "names": .array(f.toolNames.map { .string($0) })])
        meta["auth"] = .object(auth(f, origin: origin))
        let policies = self.policies(f)
        if !policies.isEmpty { meta["policies"] = .object(policies) }
        if !f.upstreams.isEmpty { meta["upstreams"] = .array(f.upstreams.map { .string($0) }) }
        doc["_meta"] = .object([RegistryMeta.key: .object(meta)])
        return doc
    }

    /// The server's description cut to the schema's 100 characters (with an ellipsis), or a default when it has none.
    static func description(_ text: String, server: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        if flat.isEmpty { return "MCP server \(server) on Gatehouse" }
        return flat.count <= 100 ? flat : String(flat.prefix(99)).trimmingCharacters(in: .whitespaces) + "…"
    }

    static func remotes(_ f: GatewayServerFacts, origin: String) -> [JSONValue] {
        var headers: [JSONValue] = []
        if f.requireSubscription {
            headers.append(
                .object([
                    "name": .string(PolicyEngine.subscriptionHeader.rawName),
                    "description": "Your Gatehouse subscription key", "isRequired": true, "isSecret": true,
                ]))
        }
        if !f.jwt.isEmpty {
            headers.append(
                .object([
                    "name": "Authorization",
                    "description": "A bearer access token the gateway accepts (OAuth 2.1; see the server's protected-resource metadata)",
                    "isRequired": true, "isSecret": true, "value": "Bearer {access_token}",
                    "variables": .object(["access_token": .object(["description": "The access token", "isRequired": true, "isSecret": true])]),
                ]))
        }
        for h in f.requiredHeaders where h.caseInsensitiveCompare("Authorization") != .orderedSame {
            headers.append(
                .object([
                    "name": .string(h), "description": "Required by the gateway's check-header policy", "isRequired": true,
                    "isSecret": .bool(UpstreamRules.isSecretHeader(h)),
                ]))
        }
        return [("streamable-http", "mcp"), ("sse", "sse")].map { type, endpoint in
            var r: JSONObject = ["type": .string(type), "url": .string("\(origin)/\(f.basePath)/\(endpoint)")]
            if !headers.isEmpty { r["headers"] = .array(headers) }
            return .object(r)
        }
    }

    static func auth(_ f: GatewayServerFacts, origin: String) -> JSONObject {
        var a: JSONObject = ["mode": .string(f.authMode)]
        if f.requireSubscription { a["subscriptionHeader"] = .string(PolicyEngine.subscriptionHeader.rawName) }
        if !f.jwt.isEmpty {
            let issuers = f.jwt.flatMap { $0.authorizationServers }
            let scopes = f.jwt.flatMap { $0.settings.requiredScopes }
            var oauth: JSONObject = ["resourceMetadata": .string("\(origin)/.well-known/oauth-protected-resource/\(f.basePath)/mcp")]
            if !issuers.isEmpty { oauth["authorizationServers"] = .array(Array(Set(issuers)).sorted().map { .string($0) }) }
            if !scopes.isEmpty { oauth["scopes"] = .array(Array(Set(scopes)).sorted().map { .string($0) }) }
            a["oauth"] = .object(oauth)
        }
        if f.ipRestricted { a["ipRestricted"] = true }
        return a
    }

    /// Rate limits and quotas (what a client runs into), with the scope they come from.
    static func policies(_ f: GatewayServerFacts) -> JSONObject {
        var p: JSONObject = [:]
        func counted(_ calls: Int, _ period: Int, _ key: CounterKey, _ perSubscription: Bool, _ methods: MethodSelector, _ scope: String) -> JSONValue
        {
            var o: JSONObject = ["calls": .int(Int64(calls)), "renewalPeriod": .int(Int64(period))]
            o["counterKey"] = .string(perSubscription ? "subscription" : key.description)
            switch methods {
            case .toolCalls: o["methods"] = .array(["tools/call"])
            case .all: o["methods"] = .array(["*"])
            case .methods(let set): o["methods"] = .array(set.sorted().map { .string($0) })
            }
            o["scope"] = .string(scope)
            return .object(o)
        }
        if !f.rateLimits.isEmpty {
            p["rateLimits"] = .array(
                f.rateLimits.map {
                    counted($0.policy.calls, $0.policy.renewalPeriod, $0.policy.counterKey, $0.policy.subscriptionScoped, $0.policy.methods, $0.scope)
                })
        }
        if !f.quotas.isEmpty {
            p["quotas"] = .array(
                f.quotas.map {
                    counted($0.policy.calls, $0.policy.renewalPeriod, $0.policy.counterKey, $0.policy.subscriptionScoped, $0.policy.methods, $0.scope)
                })
        }
        return p
    }

    /// SHA-256 of the document's canonical text: what a version is pinned to.
    static func fingerprint(_ doc: JSONObject) -> String {
        Hex.sha256(JSONValue.object(doc).canonicalString)
    }
}
