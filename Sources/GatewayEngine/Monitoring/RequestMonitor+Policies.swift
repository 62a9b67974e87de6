import Prometheus

extension RequestMonitor {
    static var policyRejections: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "policy_rejections", unitName: "total", helpText: "Requests refused by a policy")
    }
    static var policyStoreFailures: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "policy_store_failures", unitName: "total",
            helpText: "Policy checks whose counter store failed (the call was refused)")
    }

    /// Counts a request refused by a policy (`gatehouse_policy_rejections_total{policy,scope}`).
    func policyRejected(policy: String, scope: String) {
        registry.makeCounter(descriptor: Self.policyRejections, labels: [("policy", policy), ("scope", scope)]).increment()
    }

    /// Counts a policy whose counter store failed (`gatehouse_policy_store_failures_total{policy}`).
    func policyStoreFailure(policy: String) {
        registry.makeCounter(descriptor: Self.policyStoreFailures, labels: [("policy", policy)]).increment()
        event(.error, "\(policy): counter store unavailable; calls refused (quota fails closed)")
    }
}
