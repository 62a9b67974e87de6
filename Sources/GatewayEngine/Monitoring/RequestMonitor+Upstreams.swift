import Prometheus

extension RequestMonitor {
    static var upstreamFailures: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "upstream_failures", unitName: "total", helpText: "Upstream calls that failed, by reason")
    }
    static var upstreamCircuitOpen: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "upstream_circuit_open", unitName: "", helpText: "1 while an upstream's circuit breaker is open")
    }
    static var upstreamProcessExits: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "upstream_process_exits", unitName: "total", helpText: "Stdio upstream children that ended unasked")
    }

    /// Counts an upstream call that got no answer, by reason (`gatehouse_upstream_failures_total{upstream,reason}`:
    /// `timeout`, `unavailable`, `protocol_error`, `too_large`, `circuit_open`, `rate_limited`, `refused`,
    /// `cancelled`, …). Answered calls are in `gatehouse_requests_total` with the server and tool.
    func upstreamCall(_ upstream: String, outcome: String) {
        registry.makeCounter(descriptor: Self.upstreamFailures, labels: [("upstream", upstream), ("reason", outcome)]).increment()
    }

    /// Records a circuit opening or closing (`gatehouse_upstream_circuit_open{upstream}` 1/0) with an event.
    func upstreamCircuit(_ upstream: String, open: Bool, reason: String) {
        registry.makeGauge(descriptor: Self.upstreamCircuitOpen, labels: [("upstream", upstream)]).set(to: open ? 1.0 : 0.0)
        event(
            open ? .warning : .info,
            open ? "upstream '\(upstream)': circuit open after repeated failures (\(reason))" : "upstream '\(upstream)': circuit closed again")
    }

    /// Counts a stdio upstream's child ending unasked (`gatehouse_upstream_process_exits_total{upstream}`).
    func upstreamProcessExited(_ upstream: String, reason: String) {
        registry.makeCounter(descriptor: Self.upstreamProcessExits, labels: [("upstream", upstream)]).increment()
        event(.warning, "upstream '\(upstream)': \(reason); it restarts on next use")
    }
}
