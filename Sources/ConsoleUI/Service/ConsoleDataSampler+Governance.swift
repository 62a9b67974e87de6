import Foundation
import GatewayEngine
import Store

/// Policy documents and subscriptions as console rows. Pure functions of store records, so tests can build the same
/// rows from fixed records.
extension ConsoleDataSampler {
    /// One row per stored document (what it holds, or why it does not parse, and the effective order for server and
    /// tool scopes), and every tool's steps set from the engine's ``PolicyInspector``.
    /// - Parameter servers: the server rows whose tools get their ``ConsoleData/ToolRow/policies``.
    public static func policyRows(_ records: [PolicyRecord], servers: inout [ConsoleData.ServerRow]) -> [ConsoleData.PolicyRow] {
        let inspector = PolicyInspector(records)
        for s in servers.indices {
            for t in servers[s].tools.indices {
                servers[s].tools[t].policies = inspector.steps(server: servers[s].name, tool: servers[s].tools[t].name).map(step)
            }
        }
        return records.map { record in
            var row = ConsoleData.PolicyRow(scope: record.scope, document: record.document, updatedAt: record.updatedAt, inbound: [], outbound: [])
            do {
                let scope = try PolicyScope(parsing: record.scope)
                let document = try PolicyDocument.parse(yaml: record.document, source: "policy \(record.scope)")
                row.inbound = document.inboundKinds
                row.outbound = document.outboundKinds
                switch scope {
                case .global, .registry: break
                case .server(let server): row.effective = inspector.steps(server: server, tool: nil).map(step)
                case .tool(let server, let tool): row.effective = inspector.steps(server: server, tool: tool).map(step)
                }
            } catch {
                row.problem = ConsoleEffectExecutor.describe(error)
            }
            return row
        }.sorted(by: ConsoleData.PolicyRow.displayOrder)
    }

    /// A subscription without its key hash (the console never shows or keeps it).
    public static func subscriptionRow(_ r: SubscriptionRecord) -> ConsoleData.SubscriptionRow {
        ConsoleData.SubscriptionRow(
            name: r.name, keyHint: r.keyHint, servers: r.serverNames, active: r.state == .active, expiresAt: r.expiresAt, createdAt: r.createdAt)
    }

    private static func step(_ s: PolicyInspector.Step) -> ConsoleData.PolicyStep {
        ConsoleData.PolicyStep(section: s.section, scope: s.scope, policy: s.policy)
    }
}
