import GatewayEngine
import Store

/// Policy documents in `$EDITOR`: the stored text (or a commented template for a new scope) under a comment header,
/// validated with ``PolicyDocument/parse(yaml:source:)`` and saved only when valid, without the header.
extension ConsoleEditSession {
    /// The comment lines above a policy document; they are removed again before the document is saved.
    static func policyHeader(_ scope: String) -> String {
        """
        # Gatehouse: the policy document of \(scope). Save and quit to apply it; quit without saving to leave it as it was.
        # inbound runs before the backend call (global, then server, then tool); outbound after it, in reverse order.
        # Inbound: \(PolicyDocument.inboundPolicies.joined(separator: ", ")).
        # Outbound: \(Set(PolicyDocument.knownPolicies).subtracting(PolicyDocument.inboundPolicies).sorted().joined(separator: ", ")). These header lines are not saved.

        """
    }

    /// What a new scope's document starts as: empty sections with commented examples.
    static let policyTemplate = """
        inbound:
          # - ip-filter: { action: allow, addresses: [10.0.0.0/8, 127.0.0.1] }
          # - rate-limit-by-key: { calls: 5, renewal-period: 30, counter-key: client-ip }
          # - quota: { calls: 10000, renewal-period: 86400 }
          # - check-header: { name: X-Team, values: [pets] }
        outbound:
          # - cache-store: { duration: 60 }

        """

    /// The header and the scope's stored document, or the template when it has none.
    func policyDocument(scope: String) throws -> String {
        let parsed = try PolicyScope(parsing: scope)
        let stored = try store.policy(scope: parsed.description)
        return Self.policyHeader(parsed.description) + (stored?.document ?? Self.policyTemplate)
    }

    /// Validates the edited text and saves it (without the header) when it is a valid document for an existing target.
    /// - Returns: a one-line summary.
    func applyPolicy(_ text: String, scope: String) throws -> String {
        let parsed = try PolicyScope(parsing: scope)
        let header = Self.policyHeader(parsed.description)
        let body = text.hasPrefix(header) ? String(text.dropFirst(header.count)) : text
        let document = try PolicyDocument.parse(yaml: body, source: "policy \(parsed.description)")
        try checkTarget(parsed)
        try store.setPolicy(scope: parsed.description, document: body)
        reload()
        return "saved the policy document of \(parsed): \(document.inboundKinds.count) inbound, \(document.outboundKinds.count) outbound"
    }

    /// Refuses a document for a server or tool that does not exist: it would protect nothing (as the CLI does).
    func checkTarget(_ scope: PolicyScope) throws {
        switch scope {
        case .global, .registry: return
        case .server(let name): _ = try store.server(named: name)
        case .tool(let serverName, let toolName):
            let server = try store.server(named: serverName)
            guard try store.tools(serverId: server.id).contains(where: { $0.tool.name == toolName }) else {
                throw GatewayError(.notFound, "server '\(serverName)' has no tool '\(toolName)'")
            }
        }
    }
}
