import Foundation
import Store

@testable import ConsoleUI

/// Fixed policy documents and subscriptions for the console tests, turned into rows by the sampler's own builders
/// (so the effective orders come from the engine's `PolicyInspector`).
extension ConsoleFixture {
    static let globalPolicy = """
        inbound:
          - ip-filter: { action: allow, addresses: [10.0.0.0/8, 127.0.0.1] }

        """

    static let petsPolicy = """
        inbound:
          - rate-limit-by-key: { calls: 5, renewal-period: 30, counter-key: client-ip }
          - cache-lookup: {}
        outbound:
          - cache-store: { duration: 60 }

        """

    static let policyRecords = [
        PolicyRecord.New(
            scope: "tool:pets/getPetById", document: "inbound:\n  - quota: { calls: 1000, renewal-period: 86400 }\n",
            updatedAt: now.addingTimeInterval(-600)),
        PolicyRecord.New(scope: "server:pets", document: petsPolicy, updatedAt: now.addingTimeInterval(-3600)),
        PolicyRecord.New(scope: "global", document: globalPolicy, updatedAt: now.addingTimeInterval(-86400)),
        // Invalid: `calls` is missing.
        PolicyRecord.New(
            scope: "server:weather", document: "inbound:\n  - rate-limit-by-key: { renewal-period: 30 }\n", updatedAt: now.addingTimeInterval(-120)),
        // Valid, but for a tool that does not exist.
        PolicyRecord.New(
            scope: "tool:inventory/gone", document: "inbound:\n  - check-header: { name: X-Team, values: [stock] }\n",
            updatedAt: now.addingTimeInterval(-7200)),
    ].enumerated().map { PolicyRecord(id: Int64($0.offset + 1), $0.element) }

    /// A key hash that must never appear on screen.
    static let secretHash = String(repeating: "5e", count: 32)

    static let subscriptionRecords = [
        SubscriptionRecord.New(name: "acme-bot", keyHash: secretHash, keyHint: "x9Qa", servers: nil, createdAt: now.addingTimeInterval(-30 * 86400)),
        SubscriptionRecord.New(
            name: "ci-runner", keyHash: secretHash + "1", keyHint: "7f3K", servers: ["pets"], state: .suspended,
            expiresAt: now.addingTimeInterval(120 * 86400), createdAt: now.addingTimeInterval(-10 * 86400)),
        SubscriptionRecord.New(
            name: "old-partner", keyHash: secretHash + "2", keyHint: "a1b2", servers: ["pets", "weather"],
            expiresAt: now.addingTimeInterval(-86400), createdAt: now.addingTimeInterval(-400 * 86400)),
    ].enumerated().map { SubscriptionRecord(id: Int64($0.offset + 1), $0.element) }

    /// `data` with governance: server pets requires a subscription key; policies and subscriptions as sampled.
    static func governed(_ data: ConsoleData) -> ConsoleData {
        var d = data
        for i in d.servers.indices where d.servers[i].name == "pets" { d.servers[i].requireSubscription = true }
        d.policies = ConsoleDataSampler.policyRows(policyRecords, servers: &d.servers)
        d.subscriptions = subscriptionRecords.map(ConsoleDataSampler.subscriptionRow)
        return d
    }
}
