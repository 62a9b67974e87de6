/// A per-upstream circuit breaker (a value type; the hub holds one per upstream under a lock).
///
/// Closed: calls pass; `threshold` consecutive failures open it. Open: calls fail fast until the backoff (with
/// ±20% jitter) has passed; then one call passes as a probe (half-open). A successful probe closes it; a failed one
/// opens it again with twice the backoff, up to the maximum. An upstream `429` sets a gate of its own: calls fail
/// fast until its `Retry-After` has passed, without counting as a failure.
struct CircuitBreaker: Sendable {
    enum State: Sendable, Equatable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant, backoff: Duration)
        case halfOpen(backoff: Duration)
    }

    enum Decision: Sendable, Equatable {
        case allow
        case probe
        /// Fail fast; retry after this many seconds.
        case reject(retryAfter: Int, reason: String)
    }

    let threshold: Int
    let baseBackoff: Duration
    let maxBackoff: Duration
    private(set) var state: State = .closed(failures: 0)
    private(set) var rateLimitedUntil: ContinuousClock.Instant?

    init(threshold: Int, baseBackoff: Duration, maxBackoff: Duration) {
        self.threshold = max(1, threshold)
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
    }

    mutating func admit(now: ContinuousClock.Instant) -> Decision {
        if let until = rateLimitedUntil {
            if now < until { return .reject(retryAfter: Self.seconds(until - now), reason: "rate limited by the upstream") }
            rateLimitedUntil = nil
        }
        switch state {
        case .closed: return .allow
        case .halfOpen: return .reject(retryAfter: 1, reason: "circuit half-open: a probe is in flight")
        case .open(let until, let backoff):
            if now < until { return .reject(retryAfter: Self.seconds(until - now), reason: "circuit open after repeated failures") }
            state = .halfOpen(backoff: backoff)
            return .probe
        }
    }

    mutating func record(success: Bool, now: ContinuousClock.Instant, jitter: Double = Double.random(in: 0.8...1.2)) {
        switch (state, success) {
        case (_, true):
            state = .closed(failures: 0)
        case (.closed(let failures), false):
            if failures + 1 >= threshold {
                state = .open(until: now + baseBackoff * jitter, backoff: baseBackoff)
            } else {
                state = .closed(failures: failures + 1)
            }
        case (.halfOpen(let backoff), false), (.open(_, let backoff), false):
            let next = min(backoff * 2, maxBackoff)
            state = .open(until: now + next * jitter, backoff: next)
        }
    }

    /// Honours an upstream's `Retry-After` (capped at 5 minutes).
    mutating func rateLimited(retryAfter: Int?, now: ContinuousClock.Instant) {
        rateLimitedUntil = now + .seconds(min(max(retryAfter ?? 1, 1), 300))
    }

    var isOpen: Bool { if case .closed = state { false } else { true } }

    static func seconds(_ d: Duration) -> Int { max(1, Int((Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18).rounded(.up))) }
}
