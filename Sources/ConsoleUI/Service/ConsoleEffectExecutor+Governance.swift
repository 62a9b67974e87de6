import GatewayEngine
import Store

/// Policy documents, subscriptions and the subscription-key requirement of servers.
extension ConsoleEffectExecutor {
    func performGovernance(_ effect: ConsoleEffect) throws -> String {
        switch effect {
        case .setServerRequiresSubscription(let name, let required):
            try store.setServerRequiresSubscription(named: name, required)
            return required ? "server '\(name)' now requires a subscription key" : "server '\(name)' no longer requires a subscription key"
        case .deletePolicy(let scope):
            try store.deletePolicy(scope: scope)
            return "deleted the policy document of \(scope)"
        case .setSubscriptionActive(let name, let active):
            try store.updateSubscription(named: name, state: active ? .active : .suspended)
            return active ? "resumed subscription '\(name)'" : "suspended subscription '\(name)': its key is refused until resumed"
        case .deleteSubscription(let name):
            try store.deleteSubscription(named: name)
            return "deleted subscription '\(name)'"
        default:
            return ""
        }
    }
}
