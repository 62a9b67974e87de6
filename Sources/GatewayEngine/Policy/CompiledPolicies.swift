import Foundation
import Store

/// A statement with the scope it came from (and, for `validate-jwt`, its validator).
struct ScopedStatement: Sendable {
    var scope: PolicyScope
    var statement: PolicyStatement
    var validator: JWTValidator?
}

/// The policies of one tool-scope document.
struct ToolPolicies: Sendable {
    var inbound: [ScopedStatement] = []
    var outbound: [ScopedStatement] = []
}

/// One server's policies, split by where they run.
struct ServerPolicies: Sendable {
    /// Global and server access checks (`validate-jwt`, `ip-filter`, `check-header`): every HTTP request.
    var requestStage: [ScopedStatement] = []
    /// Global and server counting, caching and header policies: every JSON-RPC request.
    var messageStage: [ScopedStatement] = []
    /// Global and server outbound, innermost first.
    var outbound: [ScopedStatement] = []
    /// Tool-scope documents by tool name.
    var tools: [String: ToolPolicies] = [:]
    var requireSubscription = false
    /// Any valid subscription is accepted, whichever servers it covers (the registry: it identifies the caller).
    var anySubscription = false
    /// An unidentified caller (no subscription, no validated token) is refused (the registry off a loopback bind).
    var requireIdentity = false
    /// Whether any `validate-jwt` applies (its challenges need the metadata URL).
    var usesJWT = false
    /// Set when a stored document no longer parses: the server then refuses everything (fail closed).
    var broken: String?

    /// Whether nothing but a subscription-key check can apply.
    var isEmpty: Bool {
        requestStage.isEmpty && messageStage.isEmpty && outbound.isEmpty && tools.isEmpty && !requireSubscription && !requireIdentity && broken == nil
    }

    /// The `validate-jwt` policy that protects the server as a whole (for RFC 9728 metadata and 401 challenges).
    var protection: (ValidateJWTPolicy, PolicyScope)? {
        for s in requestStage { if case .validateJWT(let p) = s.statement { return (p, s.scope) } }
        return nil
    }
}

/// A served server as the policy compiler sees it: its name, base path and tool names (the routing table passes
/// these, so Policy knows nothing of compiled servers).
struct PolicyTarget: Sendable {
    var name: String
    var basePath: String
    var tools: [String]
}

/// Compiles stored policy documents into per-server pipelines.
struct PolicyCompiler {
    /// Returns the validator to use for a `validate-jwt` policy (shared across reloads so key caches survive).
    var validator: (JWTValidationSettings) -> JWTValidator
    /// Whether the engine binds a loopback address (the registry is then readable anonymously unless configured).
    var loopbackBind = true

    func compile(_ snapshot: ConfigSnapshot, servers: [PolicyTarget], problems: inout [String]) -> (
        [String: ServerPolicies], [String: CompiledSubscription]
    ) {
        var documents: [PolicyScope: PolicyDocument] = [:]
        var broken: [PolicyScope: String] = [:]
        for record in snapshot.policies {
            do {
                let scope = try PolicyScope(parsing: record.scope)
                documents[scope] = try PolicyDocument.parse(yaml: record.document, source: "policy \(record.scope)")
            } catch {
                problems.append("policy \(record.scope): \(error.description)")
                if let scope = try? PolicyScope(parsing: record.scope) { broken[scope] = error.description }
            }
        }
        let serverNames = Set(servers.map(\.name))
        for scope in documents.keys {
            switch scope {
            case .server(let s) where !serverNames.contains(s):
                problems.append("policy \(scope): no enabled server named '\(s)'; the document is kept but applies to nothing")
            case .tool(let s, let t) where servers.first(where: { $0.name == s })?.tools.contains(t) != true:
                problems.append("policy \(scope): no tool '\(t)' on an enabled server '\(s)'; the document is kept but applies to nothing")
            default: break
            }
        }
        func scoped(_ scope: PolicyScope, _ list: [PolicyStatement]) -> [ScopedStatement] {
            list.map { st in
                var v: JWTValidator?
                if case .validateJWT(let p) = st { v = validator(p.settings) }
                return ScopedStatement(scope: scope, statement: st, validator: v)
            }
        }
        var result: [String: ServerPolicies] = [:]
        let requireByName = Dictionary(snapshot.servers.map { ($0.record.name, $0.record.requireSubscription) }, uniquingKeysWith: { a, _ in a })
        for server in servers {
            var p = ServerPolicies()
            p.requireSubscription = requireByName[server.name] ?? false
            let isRegistry = server.basePath == RegistryMCP.basePath
            if isRegistry { RegistryMCP.settle(&p, snapshot.registrySettings, loopbackBind: loopbackBind) }
            let outer = [PolicyScope.global, isRegistry ? .registry : .server(server.name)]
            for scope in outer {
                if let reason = broken[scope] { p.broken = reason }
                guard let doc = documents[scope] else { continue }
                let inbound = scoped(scope, doc.inbound)
                p.requestStage += inbound.filter { $0.statement.isAccessCheck }
                p.messageStage += inbound.filter { !$0.statement.isAccessCheck }
                p.outbound.insert(contentsOf: scoped(scope, doc.outbound), at: 0)
            }
            for tool in server.tools {
                let scope = PolicyScope.tool(server: server.name, tool: tool)
                if let reason = broken[scope] { p.broken = reason }
                guard let doc = documents[scope] else { continue }
                p.tools[tool] = ToolPolicies(inbound: scoped(scope, doc.inbound), outbound: scoped(scope, doc.outbound))
            }
            p.usesJWT = (p.requestStage + p.tools.values.flatMap(\.inbound)).contains { $0.validator != nil }
            result[server.basePath] = p
        }
        var subscriptions: [String: CompiledSubscription] = [:]
        for s in snapshot.subscriptions {
            subscriptions[s.keyHash] = CompiledSubscription(
                name: s.name, active: s.state == .active, expiresAt: s.expiresAt, servers: s.serverNames.map(Set.init))
        }
        return (result, subscriptions)
    }
}
