import GatewayEngine

/// Policies and subscriptions: what the keys of screens 6 and 7 (and `S` on servers) do.
extension ConsoleState {
    // MARK: Targets

    /// The policy document under the cursor (list) or being viewed (detail).
    var targetPolicy: ConsoleData.PolicyRow? {
        switch page.route {
        case .top(.policies): policyRows(page)[safe: page.selected]
        case .policy(let scope): policy(scope)
        default: nil
        }
    }

    /// The subscription under the cursor.
    var targetSubscription: ConsoleData.SubscriptionRow? {
        page.route == .top(.subscriptions) ? subscriptionRows(page)[safe: page.selected] : nil
    }

    // MARK: Actions

    mutating func performGovernanceAction(_ action: ConsoleAction) -> [ConsoleEffect] {
        switch action {
        case .toggleRequireSubscription:
            guard let s = targetServer else { return nothingSelected("server") }
            return [.setServerRequiresSubscription(name: s.name, required: !s.requireSubscription)]
        case .newPolicy:
            mode = .form(.newPolicy())
        case .deletePolicy:
            guard let p = targetPolicy else { return nothingSelected("policy document") }
            let count = p.inbound.count + p.outbound.count
            confirm(
                "Delete policy document",
                ["Delete the policy document of \(safe(p.scope)) (\(count) \(count == 1 ? "policy" : "policies"))?", "Its policies stop applying at once."],
                .deletePolicy(scope: p.scope), detail: page.route == .policy(p.scope))
        case .toggleSubscription:
            guard let sub = targetSubscription else { return nothingSelected("subscription") }
            return [.setSubscriptionActive(name: sub.name, active: !sub.active)]
        case .deleteSubscription:
            guard let sub = targetSubscription else { return nothingSelected("subscription") }
            confirm(
                "Delete subscription",
                [
                    "Delete the subscription \(safe(sub.name)) (key \(SubscriptionsView.keyHint(sub.keyHint, ascii: asciiOnly)))?",
                    "Clients sending its key are refused at once. This cannot be undone.",
                ],
                .deleteSubscription(name: sub.name), detail: false)
        default: return performCredentialAction(action)
        }
        return []
    }

    /// Why a submitted form's effect cannot run with the data at hand, or nil. The form stays open showing it: a
    /// policy document for a server or tool that does not exist would protect nothing (the CLI refuses it too).
    func refusal(of effect: ConsoleEffect) -> String? {
        guard case .edit(.policy(let scope)) = effect, let parsed = try? PolicyScope(parsing: scope) else { return nil }
        switch parsed {
        case .global, .registry:
            return nil
        case .server(let name):
            return server(name) == nil ? "no server named '\(name)'" : nil
        case .tool(let serverName, let toolName):
            guard server(serverName) != nil else { return "no server named '\(serverName)'" }
            return tool(server: serverName, toolName) == nil ? "server '\(serverName)' has no tool '\(toolName)'" : nil
        }
    }
}
