import Foundation

/// The clocks policies read: monotonic nanoseconds for rate-limit windows (immune to wall-clock jumps) and wall
/// time for quota windows (which are persisted and aligned to calendar time). Injectable for tests.
struct PolicyClock: Sendable {
    var monotonicNanos: @Sendable () -> UInt64
    var wall: @Sendable () -> Date

    init(monotonicNanos: @escaping @Sendable () -> UInt64, wall: @escaping @Sendable () -> Date) {
        self.monotonicNanos = monotonicNanos
        self.wall = wall
    }

    /// The system clocks.
    static let system: PolicyClock = {
        let origin = ContinuousClock.now
        return PolicyClock(
            monotonicNanos: {
                let c = (ContinuousClock.now - origin).components
                // Start well above zero so that windows never reach below the origin.
                return UInt64(c.seconds) &* 1_000_000_000 &+ UInt64(c.attoseconds / 1_000_000_000) &+ 1_000_000_000_000_000
            },
            wall: { Date() })
    }()
}
