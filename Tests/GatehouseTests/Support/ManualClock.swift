import Foundation
import Synchronization

@testable import GatewayEngine

/// A clock the test moves by hand: monotonic nanoseconds and wall time advance together.
final class ManualClock: Sendable {
    private let offset = Atomic<Int64>(0)
    let wallStart: Date

    init(wallStart: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.wallStart = wallStart
    }

    /// Moves both clocks forward.
    func advance(seconds: Double) { offset.add(Int64(seconds * 1e9), ordering: .relaxed) }

    /// Moves only the wall clock (as NTP or an admin would), by adjusting the start.
    var policyClock: PolicyClock {
        PolicyClock(
            monotonicNanos: { UInt64(1_000_000_000_000 + self.offset.load(ordering: .relaxed)) },
            wall: { self.wallStart.addingTimeInterval(Double(self.offset.load(ordering: .relaxed)) / 1e9) })
    }
}
