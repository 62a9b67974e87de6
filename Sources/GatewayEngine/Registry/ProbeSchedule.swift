/// When each target is probed next: a value type with no I/O and no clock of its own (the prober passes `now`).
///
/// A new target, or one whose settings changed, is due at once; after a probe the next is `interval` times a
/// random factor in `1 ± jitter` later, so that probes of many targets spread out.
struct ProbeSchedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    struct Slot: Sendable {
        var signature: String
        var next: Instant
        var running = false
    }

    var interval: Duration
    var jitter: Double
    private(set) var slots: [String: Slot] = [:]

    init(interval: Duration, jitter: Double) {
        self.interval = interval
        self.jitter = max(0, min(jitter, 0.9))
    }

    /// Takes the current targets (key → signature): new and changed ones are due now, vanished ones dropped.
    /// Returns the keys dropped.
    @discardableResult
    mutating func update(_ targets: [String: String], now: Instant) -> [String] {
        let dropped = slots.keys.filter { targets[$0] == nil }
        for key in dropped { slots[key] = nil }
        for (key, signature) in targets {
            if var slot = slots[key] {
                guard slot.signature != signature else { continue }
                slot.signature = signature
                slot.next = now
                slots[key] = slot
            } else {
                slots[key] = Slot(signature: signature, next: now)
            }
        }
        return dropped.sorted()
    }

    /// The targets due at `now` (not already running), marked running, in key order.
    mutating func takeDue(now: Instant) -> [String] {
        let due = slots.filter { !$0.value.running && $0.value.next <= now }.map(\.key).sorted()
        for key in due { slots[key]?.running = true }
        return due
    }

    /// Makes every target due now (an explicit "probe now").
    mutating func makeAllDue(now: Instant) {
        for key in slots.keys where !(slots[key]?.running ?? true) { slots[key]?.next = now }
    }

    /// A probe ended: the next one is an interval (jittered by `random`, in 0…1) from `now`. A target whose
    /// signature changed meanwhile stays due.
    mutating func finished(_ key: String, signature: String, now: Instant, random: Double) {
        guard var slot = slots[key] else { return }
        slot.running = false
        if slot.signature == signature {
            let factor = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
            slot.next = now.advanced(by: interval * factor)
        }
        slots[key] = slot
    }

    /// The earliest time a target not running is due, nil when none waits.
    var nextDue: Instant? { slots.values.filter { !$0.running }.map(\.next).min() }
}

/// A signal a task can wait for: ``signal()`` wakes the current waiter, or the next one if none waits (signals do not
/// pile up). Waiting is cancellable.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var next: UInt64 = 0
    }
    private let state = LockedBox(State())

    func signal() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            if s.waiters.isEmpty {
                s.pending = true
                return []
            }
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    func wait() async {
        let id = state.withLock { s -> UInt64 in
            s.next += 1
            return s.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if Task.isCancelled { return true }
                    if s.pending {
                        s.pending = false
                        return true
                    }
                    s.waiters[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { $0.waiters.removeValue(forKey: id) }
            c?.resume()
        }
    }
}
