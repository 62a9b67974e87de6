import Prometheus

extension RequestMonitor {
    /// Counts a request refused by a policy (`gatehouse_policy_rejections_total{policy,scope}`).
    func policyRejected(policy: String, scope: String) {
        registry.makeCounter(name: "gatehouse_policy_rejections_total", labels: [("policy", policy), ("scope", scope)]).increment()
    }

    /// Counts a policy whose counter store failed (`gatehouse_policy_store_failures_total{policy}`).
    func policyStoreFailure(policy: String) {
        registry.makeCounter(name: "gatehouse_policy_store_failures_total", labels: [("policy", policy)]).increment()
        event(.error, "\(policy): counter store unavailable; calls refused (quota fails closed)")
    }
}
