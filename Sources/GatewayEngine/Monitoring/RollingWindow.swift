/// Per-second buckets over the last 60 seconds: counts, errors and a latency histogram. A value type; the
/// monitor guards it with its lock.
struct RollingWindow: Sendable {
    struct Bucket: Sendable {
        var second: Int64 = -1
        var count = 0
        var errors = 0
        var serverErrors = 0
        var latency = LatencyHistogram()
    }

    static let seconds = 60
    var buckets = Array(repeating: Bucket(), count: RollingWindow.seconds)
    var total = 0

    mutating func add(second: Int64, latencyMicros: Int64, isError: Bool, isServerFailure: Bool = false) {
        let i = Int(second % Int64(Self.seconds))
        if buckets[i].second != second { buckets[i] = Bucket(second: second) }
        buckets[i].count += 1
        if isError { buckets[i].errors += 1 }
        if isServerFailure { buckets[i].serverErrors += 1 }
        buckets[i].latency.record(microseconds: latencyMicros)
        total += 1
    }

    /// Stats over the `window` seconds before `now` (the current, partial second excluded from the rate).
    func stats(now: Int64, window: Int = 10) -> TrafficStats {
        var count = 0
        var errors = 0
        var serverErrors = 0
        var hist = LatencyHistogram()
        var history: [Int] = []
        for back in stride(from: Self.seconds - 1, through: 0, by: -1) {
            let s = now - Int64(back)
            let b = buckets[Int(((s % Int64(Self.seconds)) + Int64(Self.seconds)) % Int64(Self.seconds))]
            let c = b.second == s ? b.count : 0
            history.append(c)
            if back >= 1 && back <= window && b.second == s {
                count += b.count
                errors += b.errors
                serverErrors += b.serverErrors
                hist.merge(b.latency)
            }
        }
        return TrafficStats(
            requestsPerSecond: Double(count) / Double(window), errorRate: count > 0 ? Double(errors) / Double(count) : 0,
            p50: hist.percentile(0.50), p95: hist.percentile(0.95), p99: hist.percentile(0.99), requests: count,
            totalRequests: total, history: history, serverErrors: serverErrors)
    }
}
