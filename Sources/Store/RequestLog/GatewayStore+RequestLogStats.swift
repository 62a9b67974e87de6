import Foundation
import GRDB

/// What `gatehouse logs stats --by` groups records by.
public enum RequestLogGrouping: String, Sendable, CaseIterable {
    /// The tool (the method for calls that are not tool calls).
    case tool
    case server
    /// The client's name (its address when it sent none).
    case client
    /// Who called (`-` for anonymous calls).
    case principal
    /// The JSON-RPC error code (`-` for answers that were not errors), or the HTTP status for refusals.
    case code
    /// Each policy that decided on the record (`rate-limit-by-key@server:pets`), from its decisions: a record counts in
    /// every policy it went through, and as refused only in the one that refused it; `(no policy)` for records no
    /// policy saw.
    case policy

    var sql: String {
        switch self {
        case .tool: "COALESCE(tool, method)"
        case .server: "server"
        case .client: "COALESCE(clientName, client)"
        case .principal: "COALESCE(principal, '-')"
        case .code: "COALESCE(CAST(rpcCode AS TEXT), CASE WHEN outcome = 'rejected' THEN 'http ' || status ELSE '-' END)"
        case .policy: "decisions"
        }
    }

    /// The groups a record belongs to, each with whether that group refused it: one group for most groupings; for
    /// ``policy``, one per policy in `decisions` (`kind@scope text` lines; a policy that noted several decisions
    /// counts once).
    func groups(_ value: String?, rejected: Bool) -> [(group: String, refused: Bool)] {
        guard self == .policy else { return [(value ?? "-", rejected)] }
        var out: [(group: String, refused: Bool)] = []
        for line in (value ?? "").split(separator: "\n") {
            let space = line.firstIndex(of: " ") ?? line.endIndex
            let name = String(line[..<space])
            // `subscription NAME accepted` is the key check, not a policy statement.
            guard name.contains("@") else { continue }
            let refused = rejected && line[space...].trimmingCharacters(in: .whitespaces).hasPrefix("refused")
            if let i = out.firstIndex(where: { $0.group == name }) {
                out[i].refused = out[i].refused || refused
            } else {
                out.append((name, refused))
            }
        }
        return out.isEmpty ? [("(no policy)", false)] : out
    }
}

/// One group (and time bucket) of ``GatewayStore/requestLogStats(_:by:every:now:)``.
public struct RequestLogStats: Sendable, Equatable {
    /// The group's value.
    public var group: String
    /// The start of the time bucket, when grouped by time.
    public var bucket: Date?
    /// Records in the group.
    public var calls: Int
    /// Records whose outcome is not `ok`.
    public var errors: Int
    /// Records refused before the method ran (policies, sessions, headers); grouped by policy, those this policy refused.
    public var rejected: Int
    /// Errors that were the server side's (timeouts, 5xx, refused connections, internal errors).
    public var serverErrors: Int = 0
    /// Errors that were the clients' (invalid arguments, unknown tools, a 4xx the backend chose), refusals excluded.
    public var clientErrors: Int { Swift.max(0, errors - serverErrors - rejected - refusedElsewhere) }
    /// Grouped by policy: records this policy let through that a later one refused (neither its refusals nor client
    /// mistakes). Zero for every other grouping.
    public var refusedElsewhere: Int = 0
    /// Latency percentiles (nearest rank), in microseconds.
    public var p50: Int64
    public var p95: Int64
    public var p99: Int64
    /// The slowest record.
    public var max: Int64

    /// How many records fell in each latency bucket: `latencyBuckets[i]` counts those at most
    /// ``latencyBounds``[i] and above the bound before it; the last entry counts those above every bound.
    public var latencyBuckets: [Int] = []

    /// The upper bounds of ``latencyBuckets``, in microseconds: a 1-2-5 series from 250 µs to 60 s, fine enough at the
    /// low end to tell a gateway's own cost from its backend's.
    public static let latencyBounds: [Int64] = [
        250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000,
        30_000_000, 60_000_000,
    ]

    /// Counts sorted latencies into ``latencyBounds`` (one pass).
    static func buckets(_ sorted: [Int64]) -> [Int] {
        var out = [Int](repeating: 0, count: latencyBounds.count + 1)
        var b = 0
        for latency in sorted {
            while b < latencyBounds.count, latency > latencyBounds[b] { b += 1 }
            out[b] += 1
        }
        return out
    }

    /// `errors / calls`.
    public var errorRate: Double { calls == 0 ? 0 : Double(errors) / Double(calls) }
}

extension GatewayStore {
    /// Counts, error rate and latency percentiles of the records that match `filter`, per group and (with `every`
    /// seconds) per time bucket; groups by most calls first, buckets in time order.
    public func requestLogStats(
        _ filter: RequestLogFilter, by grouping: RequestLogGrouping, every: Int64? = nil, now: Date = Date()
    ) throws(StoreError) -> [RequestLogStats] {
        let (condition, arguments) = filter.sql(now: now)
        // The time column is read (and parsed) only when bucketing; columns by position, the cheapest read.
        let sql =
            "SELECT \(grouping.sql), latencyMicros, outcome, serverFailure\(every == nil ? "" : ", time") FROM requestLog WHERE \(condition)"
        struct Key: Hashable {
            var group: String
            var bucket: Int64?
        }
        struct Acc {
            var latencies: [Int64] = []
            var errors = 0
            var serverErrors = 0
            var rejected = 0
            var refusedElsewhere = 0
        }
        let groups = try read { db -> [Key: Acc] in
            var out: [Key: Acc] = [:]
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                let bucket = every.map { e -> Int64 in
                    let time: Date = row[4]
                    return Int64(time.timeIntervalSince1970.rounded(.down)) / e * e
                }
                let outcome: String = row[2]
                let latency: Int64 = row[1]
                for (group, refused) in grouping.groups(row[0], rejected: outcome == "rejected") {
                    let key = Key(group: group, bucket: bucket)
                    out[key, default: Acc()].latencies.append(latency)
                    if outcome != "ok" {
                        out[key, default: Acc()].errors += 1
                        if (row[3] as Bool?) == true { out[key, default: Acc()].serverErrors += 1 }
                        if refused {
                            out[key, default: Acc()].rejected += 1
                        } else if outcome == "rejected" {
                            out[key, default: Acc()].refusedElsewhere += 1
                        }
                    }
                }
            }
            return out
        }
        var totals: [String: Int] = [:]
        for (k, a) in groups { totals[k.group, default: 0] += a.latencies.count }
        return groups.map { key, acc in
            let sorted = acc.latencies.sorted()
            func rank(_ p: Double) -> Int64 { sorted[Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
            return RequestLogStats(
                group: key.group, bucket: key.bucket.map { Date(timeIntervalSince1970: Double($0)) }, calls: sorted.count, errors: acc.errors,
                rejected: acc.rejected, serverErrors: acc.serverErrors, refusedElsewhere: acc.refusedElsewhere, p50: rank(0.5), p95: rank(0.95),
                p99: rank(0.99), max: sorted.last ?? 0, latencyBuckets: RequestLogStats.buckets(sorted))
        }.sorted { a, b in
            let (ta, tb) = (totals[a.group] ?? 0, totals[b.group] ?? 0)
            if ta != tb { return ta > tb }
            if a.group != b.group { return a.group < b.group }
            return (a.bucket ?? .distantPast) < (b.bucket ?? .distantPast)
        }
    }
}
