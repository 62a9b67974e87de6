import Foundation
import HTTPTypes
import Store

/// Who is asking the registry, and which entries they see. An anonymous caller (where anonymous reading is allowed)
/// sees every entry; once a subscription key or a token accepted by the registry's `validate-jwt` identifies the
/// caller, the gateway entries shown are those of the servers the caller may call (their request-stage policies
/// admit the caller's request); external entries are listed for everyone who may read.
struct RegistryCaller: Sendable {
    var context: PolicyContext
    /// The gateway servers the caller may call; nil: all (anonymous).
    var callable: Set<String>?

    var isIdentified: Bool { context.principal != nil || context.subscription != nil }

    func sees(_ e: RegistryEntry) -> Bool {
        guard e.kind == .gateway, let callable else { return true }
        return callable.contains(e.gatewayServer ?? "")
    }
}

extension PolicyEngine {
    /// Set while the registry works out which servers a caller may call: refusals then count in no metric.
    @TaskLocal static var registryDryRun = false
}

extension PolicyEngine {
    /// Runs the registry's request stage (the `registry` scope's and global access policies, the subscription key,
    /// and the anonymous-read rule) for a request, then works out what the caller sees. The same stage guards
    /// `/registry/mcp`.
    func registryCaller(headers: HTTPFields, query: String?, context: PolicyContext, table: RoutingTable) async -> Result<
        RegistryCaller, PolicyRejection
    > {
        var ctx = context
        if let p = table.policies[RegistryMCP.basePath] {
            if let refusal = await requestStage(
                p, server: RegistryMCP.serverName, subscriptions: table.subscriptions, headers: headers, query: query, context: &ctx)
            {
                return .failure(refusal)
            }
        }
        var caller = RegistryCaller(context: ctx, callable: nil)
        if caller.isIdentified { caller.callable = await callableServers(headers: headers, context: ctx, table: table) }
        return .success(caller)
    }

    /// The servers whose request-stage policies (subscription, `validate-jwt`, `ip-filter`, `check-header`) admit a
    /// request with these headers from this client. Nothing is counted.
    func callableServers(headers: HTTPFields, context: PolicyContext, table: RoutingTable) async -> Set<String> {
        var out = Set<String>()
        for server in table.servers.values where server.basePath != RegistryMCP.basePath {
            // The same condition as a real request (GatewayResponder): a key sent is checked even where nothing else is.
            guard let p = table.policies[server.basePath], !p.isEmpty || headers[PolicyEngine.subscriptionHeader] != nil else {
                out.insert(server.name)
                continue
            }
            var c = PolicyContext(clientAddress: context.clientAddress, peerAddress: context.peerAddress)
            let refusal = await PolicyEngine.$registryDryRun.withValue(true) {
                await requestStage(p, server: server.name, subscriptions: table.subscriptions, headers: headers, query: nil, context: &c)
            }
            if refusal == nil { out.insert(server.name) }
        }
        return out
    }
}
