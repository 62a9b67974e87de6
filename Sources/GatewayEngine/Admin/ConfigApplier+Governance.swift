import Foundation
import Store
import Yams

extension ConfigApplier {
    /// A policy document checked and ready to store.
    struct PreparedPolicy {
        var scope: PolicyScope
        var text: String
    }

    /// Checks every `policies:` and `subscriptions:` entry before anything is written.
    func checkGovernance(_ doc: ConfigDocument, file: String, serverNames: Set<String>) throws -> [PreparedPolicy] {
        var out: [PreparedPolicy] = []
        var seen = Set<String>()
        for (i, p) in (doc.policies ?? []).enumerated() {
            let location = "\(file): policies[\(i)]"
            let scope: PolicyScope
            do { scope = try PolicyScope(parsing: p.scope) } catch { throw GatewayError(.invalidConfig, error.message, location: location) }
            guard seen.insert(scope.description).inserted else {
                throw GatewayError(.invalidConfig, "scope \(scope) is listed twice", location: location)
            }
            switch scope {
            case .server(let s), .tool(let s, _):
                guard serverNames.contains(s) || (try? store.server(named: s)) != nil else {
                    throw GatewayError(
                        .invalidConfig, "scope \(scope) names server '\(s)', which is neither in the file nor in the store", location: location)
                }
            case .global, .registry: break
            }
            var tree = JSONObject()
            if let inbound = p.inbound { tree["inbound"] = inbound }
            if let outbound = p.outbound { tree["outbound"] = outbound }
            _ = try PolicyDocument.parse(.object(tree), source: "\(location) (\(scope))")
            out.append(PreparedPolicy(scope: scope, text: try YAMLEncoder().encode(JSONValue.object(tree))))
        }
        var names = Set<String>()
        for (i, s) in (doc.subscriptions ?? []).enumerated() {
            let location = "\(file): subscriptions[\(i)]"
            do { try SubscriptionKeys.validateName(s.name) } catch { throw GatewayError(.invalidConfig, error.message, location: location) }
            guard names.insert(s.name).inserted else {
                throw GatewayError(.invalidConfig, "subscription '\(s.name)' is listed twice", location: location)
            }
            if let state = s.state, SubscriptionRecord.State(rawValue: state) == nil {
                throw GatewayError(.invalidConfig, "state: expected active or suspended", location: location)
            }
            if let hash = s.keySha256, hash.count != 64 || !hash.allSatisfy(\.isHexDigit) {
                throw GatewayError(.invalidConfig, "keySha256: expected 64 hex digits", location: location)
            }
            for server in s.servers ?? [] where !serverNames.contains(server) && (try? store.server(named: server)) == nil {
                throw GatewayError(
                    .invalidConfig, "subscription '\(s.name)' names server '\(server)', which is neither in the file nor in the store",
                    location: location)
            }
        }
        return out
    }

    /// Writes checked policies and subscriptions. New subscriptions without a key hash get a fresh key, returned in
    /// the summary (the only time it is shown).
    func applyGovernance(_ doc: ConfigDocument, policies: [PreparedPolicy], summary: inout Summary) throws {
        for p in policies {
            try store.setPolicy(scope: p.scope.description, document: p.text)
            summary.policies.append(p.scope.description)
        }
        for s in doc.subscriptions ?? [] {
            let state = s.state.flatMap(SubscriptionRecord.State.init(rawValue:)) ?? .active
            if let existing = try? store.subscription(named: s.name) {
                let key = s.keySha256.map { $0.lowercased() }.flatMap { $0 == existing.keyHash ? nil : ($0, "····") }
                try store.updateSubscription(named: s.name, state: state, servers: .some(s.servers), expiresAt: .some(s.expiresAt), key: key)
            } else if let hash = s.keySha256?.lowercased() {
                try store.createSubscription(
                    SubscriptionRecord.New(name: s.name, keyHash: hash, keyHint: "····", servers: s.servers, state: state, expiresAt: s.expiresAt))
            } else {
                let (_, key) = try SubscriptionKeys(store: store).create(name: s.name, servers: s.servers, expiresAt: s.expiresAt)
                if state != .active { try store.updateSubscription(named: s.name, state: state) }
                summary.createdKeys.append(.init(subscription: s.name, key: key))
            }
            summary.subscriptions.append(s.name)
        }
    }

    /// The stored policies and subscriptions, for `export`.
    func exportGovernance(into doc: inout ConfigDocument) throws {
        var policies: [ConfigDocument.Policy] = []
        for r in try store.policies() {
            let tree = try? YAMLTreeConverter(sourceName: r.scope).convert(r.document)
            policies.append(ConfigDocument.Policy(scope: r.scope, inbound: tree?["inbound"], outbound: tree?["outbound"]))
        }
        doc.policies = policies.isEmpty ? nil : policies
        let subs = try store.subscriptions().map {
            ConfigDocument.Subscription(
                name: $0.name, servers: $0.serverNames, state: $0.state == .active ? nil : $0.state.rawValue, expiresAt: $0.expiresAt,
                keySha256: $0.keyHash)
        }
        doc.subscriptions = subs.isEmpty ? nil : subs
    }
}
