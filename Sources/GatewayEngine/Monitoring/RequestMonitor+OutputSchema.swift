import Foundation
import Prometheus

extension RequestMonitor {
    static var outputSchemaMismatch: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "output_schema_mismatch", unitName: "total",
            helpText: "Answers that did not validate against the tool's declared output schema")
    }

    /// Counts an answer that did not validate against its tool's declared output schema (and was returned as an
    /// error): `gatehouse_output_schema_mismatch_total{server,tool}`, and the per-tool count the console shows.
    func recordOutputSchemaMismatch(server: String, tool: String) {
        registry.makeCounter(descriptor: Self.outputSchemaMismatch, labels: [("server", server), ("tool", tool)])
            .increment()
        outputSchemaMismatchCounts.withLock { $0[server + "\u{0}" + tool, default: 0] += 1 }
    }

    /// How many answers of a tool did not match its output schema since the process started.
    public func outputSchemaMismatches(server: String, tool: String) -> Int {
        outputSchemaMismatchCounts.withLock { $0[server + "\u{0}" + tool] ?? 0 }
    }
}
