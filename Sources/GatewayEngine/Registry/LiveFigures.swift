import Foundation
import Store

/// A gateway server's traffic over the last hour, as its registry entry publishes it.
public struct LiveFigures: Sendable, Equatable {
    public var requests: Int
    public var errors: Int
    /// The 95th-percentile latency (bucket bound), nil without requests.
    public var p95: Duration?
    /// The last `tools/call` answered without error (since the engine started, or from the request log).
    public var lastSuccessAt: Date?

    public init(requests: Int = 0, errors: Int = 0, p95: Duration? = nil, lastSuccessAt: Date? = nil) {
        self.requests = requests
        self.errors = errors
        self.p95 = p95
        self.lastSuccessAt = lastSuccessAt
    }

    /// Errors over requests (0 without requests).
    public var errorRate: Double { requests > 0 ? Double(errors) / Double(requests) : 0 }

    /// Figures from the request log (what the CLI reads).
    public init(_ f: RequestLogFigures) {
        self.init(requests: f.requests, errors: f.errors, p95: f.p95Micros.map { .microseconds($0) }, lastSuccessAt: f.lastSuccessAt)
    }

    var json: JSONObject {
        var o: JSONObject = ["window": "1h", "requests": .int(Int64(requests)), "errorRate": .double((errorRate * 10_000).rounded() / 10_000)]
        if let p95 { o["p95Ms"] = .double((p95.milliseconds * 10).rounded() / 10) }
        if let t = lastSuccessAt { o["lastSuccessAt"] = .string(RegistryTime.string(t)) }
        return o
    }
}

/// Per-server traffic in one-minute buckets over the last hour, fed by the request monitor for every record (one
/// short lock), read by the registry. Values only; no I/O.
public final class LiveFigureWindows: Sendable {
    struct Minute: Sendable {
        var minute: Int64 = -1
        var count = 0
        var errors = 0
        var latency = LatencyHistogram()
    }

    struct Server: Sendable {
        var minutes = Array(repeating: Minute(), count: 60)
        var lastSuccess: Date?
    }

    private let state = LockedBox<[String: Server]>([:])

    public init() {}

    /// Adds one request.
    func add(_ r: RequestRecord) {
        let minute = Int64(r.time.timeIntervalSince1970) / 60
        let micros = r.latency.microseconds
        let success = r.method == "tools/call" && r.outcome == .ok
        state.withLock { servers in
            // In place: a copy out of the dictionary and back would copy the 60 minutes' histograms on every request.
            Self.add(r, to: &servers[r.server, default: Server()], minute: minute, micros: micros, success: success)
        }
    }

    private static func add(_ r: RequestRecord, to s: inout Server, minute: Int64, micros: Int64, success: Bool) {
        let i = Int(minute % 60)
        if s.minutes[i].minute != minute { s.minutes[i] = Minute(minute: minute) }
        s.minutes[i].count += 1
        if r.isError { s.minutes[i].errors += 1 }
        s.minutes[i].latency.record(microseconds: micros)
        if success { s.lastSuccess = max(s.lastSuccess ?? r.time, r.time) }
    }

    /// Every server's figures over the 60 minutes up to `now` (servers that never had a request are absent).
    public func all(now: Date = Date()) -> [String: LiveFigures] {
        let names = state.withLock { Array($0.keys) }
        var out: [String: LiveFigures] = [:]
        for name in names { out[name] = figures(server: name, now: now) }
        return out
    }

    /// A server's figures over the 60 minutes up to `now` (nil when it never had a request).
    public func figures(server: String, now: Date = Date()) -> LiveFigures? {
        let current = Int64(now.timeIntervalSince1970) / 60
        return state.withLock { servers -> LiveFigures? in
            guard let s = servers[server] else { return nil }
            var f = LiveFigures(lastSuccessAt: s.lastSuccess)
            var hist = LatencyHistogram()
            for m in s.minutes where m.minute > current - 60 && m.minute <= current {
                f.requests += m.count
                f.errors += m.errors
                hist.merge(m.latency)
            }
            f.p95 = hist.percentile(0.95)
            return f
        }
    }
}
