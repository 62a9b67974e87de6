import Foundation
import Synchronization

/// A `Clock` the test advances by hand: sleepers wake when the time passes their deadline, and the test can wait
/// (without sleeping) until something is asleep on it.
final class TestClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by d: Duration) -> Instant { Instant(offset: offset + d) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [UInt64: (deadline: Instant, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var next: UInt64 = 0
        var sleepWaiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { s -> UInt64 in
            s.next += 1
            return s.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let (resume, waiters) = state.withLock { s -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if deadline <= s.now || Task.isCancelled { return (true, []) }
                    s.sleepers[id] = (deadline, c)
                    defer { s.sleepWaiters = [] }
                    return (false, s.sleepWaiters)
                }
                if resume { c.resume() }
                for w in waiters { w.resume() }
            }
        } onCancel: {
            let c = state.withLock { $0.sleepers.removeValue(forKey: id)?.continuation }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward, waking every sleeper whose deadline has passed.
    func advance(by d: Duration) {
        let due = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.now = s.now.advanced(by: d)
            let ready = s.sleepers.filter { $0.value.deadline <= s.now }
            for key in ready.keys { s.sleepers[key] = nil }
            return ready.values.map(\.continuation)
        }
        for c in due { c.resume() }
    }

    /// Returns once at least one task sleeps on the clock.
    func waitForSleeper() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if !s.sleepers.isEmpty { return true }
                s.sleepWaiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Returns once a task sleeps until exactly `deadline` (a sleeper woken early and put back to sleep is waited
    /// for again). Pair it with a `.timeLimit` trait: a wrong deadline then fails the test instead of passing it.
    func waitForSleeper(until deadline: Instant) async {
        while !state.withLock({ $0.sleepers.values.contains { $0.deadline == deadline } }) {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { s -> Bool in
                    if s.sleepers.values.contains(where: { $0.deadline == deadline }) { return true }
                    s.sleepWaiters.append(c)
                    return false
                }
                if ready { c.resume() }
            }
        }
    }
}
