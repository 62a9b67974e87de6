import Foundation
import Synchronization

/// Exact sliding-window counters in memory: a key admits at most `limit` calls in any window of `period`.
///
/// Each key keeps the times of its admitted calls (at most the largest limit used with it), so a check is exact
/// under any concurrency: acquisition is one critical section. Time is monotonic nanoseconds supplied by the
/// caller, so wall-clock jumps neither reset nor extend windows. The table holds at most ``maxKeys`` keys; when it
/// is full of live keys, new keys are admitted uncounted (fail open, reported by ``overflowCount``).
final class RateLimiter: Sendable {
    /// The outcome of one acquisition.
    struct Decision: Sendable, Equatable {
        var allowed: Bool
        /// Calls still allowed in the current window after this one.
        var remaining: Int
        /// Seconds until the next call would be admitted (≥ 1), when refused.
        var retryAfter: Int
        /// Seconds until the oldest counted call leaves the window.
        var reset: Int
        /// The time stamp recorded, to give the call back with ``release(_:stamp:)``.
        var stamp: UInt64?
    }

    struct Log {
        var times: [UInt64] = []
        var head = 0
        var lastUse: UInt64 = 0

        var count: Int { times.count - head }

        mutating func expire(before cutoff: UInt64) {
            while head < times.count, times[head] <= cutoff { head += 1 }
            if head > 64, head * 2 > times.count {
                times.removeFirst(head)
                head = 0
            }
        }
    }

    let maxKeys: Int
    private let logs = Mutex<[String: Log]>([:])
    private let overflow = Atomic<Int>(0)

    init(maxKeys: Int = 100_000) {
        self.maxKeys = maxKeys
    }

    /// Counts one call for `key` unless `limit` calls are already inside the window ending at `now`.
    func acquire(_ key: String, limit: Int, period: UInt64, now: UInt64) -> Decision {
        let result: Decision? = logs.withLock { table in
            if table[key] == nil, table.count >= maxKeys {
                Self.sweep(&table, now: now, period: period)
                if table.count >= maxKeys { return nil }
            }
            // Take the log out of the table so that appending does not copy its array (copy-on-write).
            var log = table.removeValue(forKey: key) ?? Log()
            let cutoff = now >= period ? now - period : 0
            log.expire(before: cutoff)
            log.lastUse = now
            let count = log.count
            if count >= limit {
                // The call fits once enough of the oldest calls leave the window.
                let index = log.head + count - limit
                let freeAt = log.times[index] + period
                let wait = Self.seconds(freeAt > now ? freeAt - now : 1)
                let reset = Self.seconds(log.times[log.head] + period - min(now, log.times[log.head] + period))
                table[key] = log
                return Decision(allowed: false, remaining: 0, retryAfter: max(1, wait), reset: max(1, reset), stamp: nil)
            }
            // Keep stamps ordered even if two callers pass the same `now`.
            let stamp = max(now, (log.times.last ?? 0))
            log.times.append(stamp)
            let oldest = log.times[log.head]
            table[key] = log
            return Decision(
                allowed: true, remaining: limit - count - 1, retryAfter: 0,
                reset: max(1, Self.seconds(oldest + period - min(now, oldest + period))), stamp: stamp)
        }
        if let result { return result }
        overflow.add(1, ordering: .relaxed)
        return Decision(allowed: true, remaining: limit - 1, retryAfter: 0, reset: Self.seconds(period), stamp: nil)
    }

    /// How many calls are inside the window ending at `now` for `key` (already counted ones only).
    func count(_ key: String, period: UInt64, now: UInt64) -> Int {
        logs.withLock { table in
            guard var log = table.removeValue(forKey: key) else { return 0 }
            log.expire(before: now >= period ? now - period : 0)
            table[key] = log
            return log.count
        }
    }

    /// Gives back a call counted at `stamp` (a request refused later, or one an increment condition excludes).
    func release(_ key: String, stamp: UInt64) {
        logs.withLock { table in
            guard var log = table.removeValue(forKey: key) else { return }
            if let i = log.times[log.head...].lastIndex(of: stamp) {
                log.times.remove(at: i)
            }
            table[key] = log
        }
    }

    /// Keys admitted uncounted because the table was full.
    var overflowCount: Int { overflow.load(ordering: .relaxed) }

    /// The number of keys held.
    var keyCount: Int { logs.withLock { $0.count } }

    /// Drops keys with no call inside `period` (the period of the policy that needs room).
    private static func sweep(_ table: inout [String: Log], now: UInt64, period: UInt64) {
        let cutoff = now >= period ? now - period : 0
        table = table.filter { $0.value.times.last.map { $0 > cutoff } ?? false }
    }

    static func seconds(_ nanos: UInt64) -> Int { Int((nanos + 999_999_999) / 1_000_000_000) }
}
