/// A fixed-size log-scale latency histogram (microsecond resolution, 1 µs to ~100 s), cheap to merge and to
/// read percentiles from.
struct LatencyHistogram: Sendable, Equatable {
    /// Bucket upper bounds in microseconds: 4 buckets per power of two.
    static let bounds: [Int64] = {
        var out: [Int64] = []
        var base: Double = 1
        while base < 200_000_000 {
            for step in 0..<4 { out.append(Int64((base * pow2(Double(step) / 4)).rounded(.up))) }
            base *= 2
        }
        return out
    }()

    static func pow2(_ x: Double) -> Double {
        var r = 1.0
        var e = x
        // exp2 without Foundation: x is in [0, 1).
        let ln2 = 0.6931471805599453
        var term = 1.0
        for n in 1..<12 {
            term *= e * ln2 / Double(n)
            r += term
        }
        e = 0
        return r + e
    }

    var counts: [UInt32] = Array(repeating: 0, count: LatencyHistogram.bounds.count + 1)
    /// The number of samples.
    private(set) var total: Int = 0

    init() {}

    /// Adds one sample.
    mutating func record(microseconds: Int64) {
        var lo = 0
        var hi = Self.bounds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Self.bounds[mid] < microseconds { lo = mid + 1 } else { hi = mid }
        }
        counts[lo] &+= 1
        total += 1
    }

    /// Adds another histogram's samples.
    mutating func merge(_ other: LatencyHistogram) {
        for i in counts.indices { counts[i] &+= other.counts[i] }
        total += other.total
    }

    /// The latency below which `fraction` of the samples fall (bucket upper bound), or nil without samples.
    func percentile(_ fraction: Double) -> Duration? {
        guard total > 0 else { return nil }
        let target = max(1, Int((Double(total) * fraction).rounded(.up)))
        var seen = 0
        for (i, c) in counts.enumerated() {
            seen += Int(c)
            if seen >= target {
                let us = i < Self.bounds.count ? Self.bounds[i] : Self.bounds.last! * 2
                return .microseconds(us)
            }
        }
        return nil
    }
}
