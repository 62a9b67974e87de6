import Logging
import ServiceLifecycle
import Store

/// Writes request records to the store's request log in batches, off the request path. Runs as a `Service`;
/// on graceful shutdown it flushes what is pending.
struct RequestLogWriter: Service {
    let monitor: RequestMonitor
    let store: GatewayStore
    let interval: Duration
    let logger: Logger

    init(monitor: RequestMonitor, store: GatewayStore, interval: Duration = .milliseconds(500), logger: Logger) {
        self.monitor = monitor
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            flush()
        }
        flush()
    }

    /// Writes everything pending now.
    func flush() {
        let batch = monitor.drainPendingLog()
        guard !batch.isEmpty else { return }
        do {
            try store.appendRequestLogs(batch.map(Self.row))
        } catch {
            logger.warning("request log write failed; \(batch.count) records dropped", metadata: ["error": "\(error)"])
            monitor.event(.warning, "request log write failed: \(error.message)")
        }
    }

    static func row(_ r: RequestRecord) -> RequestLogRecord.New {
        var row = RequestLogRecord.New(
            time: r.time, server: r.server, client: r.client, method: r.method, tool: r.tool, outcome: r.outcome.rawValue,
            status: r.status, backendStatus: r.backendStatus, latencyMicros: r.latency.microseconds, bytesIn: r.bytesIn,
            bytesOut: r.bytesOut, error: r.error, principal: r.principal, decisions: r.decisions.isEmpty ? nil : r.decisions.joined(separator: "\n"))
        row.transport = r.transport
        row.protocolVersion = r.protocolVersion
        row.clientName = r.clientName
        row.clientVersion = r.clientVersion
        row.rpcCode = r.rpcCode
        row.backendMicros = r.backendLatency?.microseconds
        row.cacheHit = r.cacheHit
        row.serverFailure = r.serverFailure
        return row
    }
}
