import Synchronization

/// A gateway-wide bound on the bytes of backend answers held in memory at once: every REST answer is buffered whole
/// (to validate and map it), so without a bound 32 concurrent 9 MiB answers cost 572 MB. A call whose answer would
/// take the total past ``limit`` fails at once with a clear error instead.
final class BufferBudget: Sendable {
    /// The most bytes held at once. Default 256 MiB.
    let limit: Int
    private let used = Atomic<Int>(0)
    /// Called when the budget refuses an answer (the `/metrics` counter).
    private let onRefusal: @Sendable () -> Void

    init(limit: Int = 256 * 1024 * 1024, onRefusal: @escaping @Sendable () -> Void = {}) {
        self.limit = limit
        self.onRefusal = onRefusal
    }

    /// Bytes held now.
    var inUse: Int { used.load(ordering: .relaxed) }

    /// Takes `bytes` from the budget; false (and nothing taken) when that would pass the limit.
    func reserve(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limit else {
                onRefusal()
                return false
            }
            let (done, now) = used.weakCompareExchange(expected: current, desired: current + bytes, ordering: .relaxed)
            if done { return true }
            current = now
        }
    }

    /// Gives `bytes` back.
    func release(_ bytes: Int) {
        if bytes > 0 { used.subtract(bytes, ordering: .relaxed) }
    }
}
