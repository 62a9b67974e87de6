import Foundation
import GRDB

/// Probe results and their history, and request-log figures, for the registry.
extension GatewayStore {
    /// Records a probe: the target's last health and a row of its history (trimmed to ``healthHistoryLimit``).
    public func recordHealth(_ health: RegistryHealthRecord, change: String?) throws(StoreError) {
        try write { db in
            try health.save(db)
            let event = RegistryHealthEventRecord(
                target: health.target, time: health.checkedAt, state: health.state, detail: health.detail, latencyMs: health.latencyMs,
                toolCount: health.toolCount, fingerprint: health.fingerprint, change: change)
            try event.insert(db)
            try db.execute(
                sql: """
                    DELETE FROM registryHealthEvent WHERE target = ? AND id NOT IN
                    (SELECT id FROM registryHealthEvent WHERE target = ? ORDER BY id DESC LIMIT ?)
                    """, arguments: [health.target, health.target, Self.healthHistoryLimit])
        }
    }

    /// The last probe of a target, if any.
    public func registryHealth(target: String) throws(StoreError) -> RegistryHealthRecord? {
        try read { db in try RegistryHealthRecord.fetchOne(db, key: target) }
    }

    /// A target's probes, newest first.
    public func healthHistory(target: String, limit: Int = GatewayStore.healthHistoryLimit) throws(StoreError) -> [RegistryHealthEventRecord] {
        try read { db in
            try RegistryHealthEventRecord.filter(Column("target") == target).order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// The latest probes of every target (at most `limit` each), newest first, by target.
    public func healthHistories(limit: Int = 10) throws(StoreError) -> [String: [RegistryHealthEventRecord]] {
        try read { db in
            let rows = try RegistryHealthEventRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY target ORDER BY id DESC) AS n FROM registryHealthEvent)
                    WHERE n <= ? ORDER BY target, id DESC
                    """, arguments: [limit])
            return Dictionary(grouping: rows, by: \.target)
        }
    }

    /// Forgets the health of targets no longer probed.
    public func forgetHealth(targets: [String]) throws(StoreError) {
        guard !targets.isEmpty else { return }
        try write { db in
            try RegistryHealthRecord.filter(keys: targets).deleteAll(db)
            try RegistryHealthEventRecord.filter(targets.contains(Column("target"))).deleteAll(db)
        }
    }
}

/// Traffic of one server over a window, from the request log (what `gatehouse registry show` reports when no engine
/// runs in the process).
public struct RequestLogFigures: Sendable, Equatable {
    public var requests: Int
    public var errors: Int
    public var p95Micros: Int64?
    /// The last `tools/call` answered without error.
    public var lastSuccessAt: Date?

    public init(requests: Int = 0, errors: Int = 0, p95Micros: Int64? = nil, lastSuccessAt: Date? = nil) {
        self.requests = requests
        self.errors = errors
        self.p95Micros = p95Micros
        self.lastSuccessAt = lastSuccessAt
    }
}

extension GatewayStore {
    /// Requests, errors and the 95th-percentile latency of a server since `since`, and its last successful tool call.
    public func requestLogFigures(server: String, since: Date) throws(StoreError) -> RequestLogFigures {
        try read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT COUNT(*) AS n, SUM(outcome != 'ok') AS e FROM requestLog WHERE server = ? AND time >= ?", arguments: [server, since])
            let n: Int = row?["n"] ?? 0
            var figures = RequestLogFigures(requests: n, errors: row?["e"] ?? 0)
            if n > 0 {
                let offset = max(0, Int((Double(n) * 0.95).rounded(.up)) - 1)
                figures.p95Micros = try Int64.fetchOne(
                    db, sql: "SELECT latencyMicros FROM requestLog WHERE server = ? AND time >= ? ORDER BY latencyMicros LIMIT 1 OFFSET ?",
                    arguments: [server, since, offset])
            }
            figures.lastSuccessAt = try Date.fetchOne(
                db, sql: "SELECT MAX(time) FROM requestLog WHERE server = ? AND method = 'tools/call' AND outcome = 'ok'", arguments: [server])
            return figures
        }
    }
}
