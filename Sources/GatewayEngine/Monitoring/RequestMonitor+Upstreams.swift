import Prometheus

extension RequestMonitor {
    /// Counts an upstream call that got no answer, by reason (`gatehouse_upstream_failures_total{upstream,reason}`:
    /// `timeout`, `unavailable`, `protocol_error`, `too_large`, `circuit_open`, `rate_limited`, `refused`,
    /// `cancelled`, …). Answered calls are in `gatehouse_requests_total` with the server and tool.
    func upstreamCall(_ upstream: String, outcome: String) {
        registry.makeCounter(name: "gatehouse_upstream_failures_total", labels: [("upstream", upstream), ("reason", outcome)]).increment()
    }

    /// Records a circuit opening or closing (`gatehouse_upstream_circuit_open{upstream}` 1/0) with an event.
    func upstreamCircuit(_ upstream: String, open: Bool, reason: String) {
        registry.makeGauge(name: "gatehouse_upstream_circuit_open", labels: [("upstream", upstream)]).set(to: open ? 1.0 : 0.0)
        event(open ? .warning : .info, open ? "upstream '\(upstream)': circuit open after repeated failures (\(reason))" : "upstream '\(upstream)': circuit closed again")
    }

    /// Counts a stdio upstream's child ending unasked (`gatehouse_upstream_process_exits_total{upstream}`).
    func upstreamProcessExited(_ upstream: String, reason: String) {
        registry.makeCounter(name: "gatehouse_upstream_process_exits_total", labels: [("upstream", upstream)]).increment()
        event(.warning, "upstream '\(upstream)': \(reason); it restarts on next use")
    }
}
