import Foundation
import Testing

@testable import GatewayEngine

@Suite("Rate limiter")
struct RateLimiterTests {
    let second: UInt64 = 1_000_000_000

    @Test("N calls pass, N+1 is refused with a Retry-After that suffices (R1)")
    func retryAfterSuffices() {
        let limiter = RateLimiter()
        var now: UInt64 = 1_000 * second
        for i in 0..<5 {
            let d = limiter.acquire("k", limit: 5, period: 30 * second, now: now + UInt64(i) * second)
            #expect(d.allowed && d.remaining == 4 - i)
        }
        now += 4 * second
        let refused = limiter.acquire("k", limit: 5, period: 30 * second, now: now)
        #expect(!refused.allowed && refused.retryAfter == 26, "the first call leaves the window 26 s later")
        #expect(!limiter.acquire("k", limit: 5, period: 30 * second, now: now + UInt64(refused.retryAfter - 1) * second).allowed)
        #expect(limiter.acquire("k", limit: 5, period: 30 * second, now: now + UInt64(refused.retryAfter) * second).allowed)
    }

    @Test("sliding window: N at t=59 and N at t=61 of a 60 s window are refused (R3)")
    func slidingBoundary() {
        let limiter = RateLimiter()
        let base: UInt64 = 500 * second
        for _ in 0..<3 { #expect(limiter.acquire("k", limit: 3, period: 60 * second, now: base + 59 * second).allowed) }
        for _ in 0..<3 { #expect(!limiter.acquire("k", limit: 3, period: 60 * second, now: base + 61 * second).allowed) }
        #expect(limiter.acquire("k", limit: 3, period: 60 * second, now: base + 120 * second).allowed)
    }

    @Test("2N concurrent acquisitions with limit N: exactly N pass (R2)")
    func concurrentExactness() async {
        let limiter = RateLimiter()
        let now: UInt64 = 10_000 * second
        let passed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<400 { group.addTask { limiter.acquire("k", limit: 200, period: 60 * second, now: now).allowed } }
            var n = 0
            for await ok in group where ok { n += 1 }
            return n
        }
        #expect(passed == 200)
    }

    @Test("keys are isolated, and a released call frees its slot (R4, R5)")
    func isolationAndRelease() throws {
        let limiter = RateLimiter()
        let now: UInt64 = 100 * second
        #expect(limiter.acquire("a", limit: 1, period: 10 * second, now: now).allowed)
        #expect(!limiter.acquire("a", limit: 1, period: 10 * second, now: now).allowed)
        #expect(limiter.acquire("b", limit: 1, period: 10 * second, now: now).allowed)
        let c = limiter.acquire("c", limit: 1, period: 10 * second, now: now)
        limiter.release("c", stamp: try #require(c.stamp))
        #expect(limiter.acquire("c", limit: 1, period: 10 * second, now: now).allowed)
    }

    @Test("a full table admits new keys uncounted and says so")
    func fullTable() {
        let limiter = RateLimiter(maxKeys: 2)
        let now: UInt64 = 100 * second
        #expect(limiter.acquire("a", limit: 1, period: 10 * second, now: now).allowed)
        #expect(limiter.acquire("b", limit: 1, period: 10 * second, now: now).allowed)
        #expect(limiter.acquire("c", limit: 1, period: 10 * second, now: now).allowed)
        #expect(limiter.overflowCount == 1)
        // Once the old keys' windows pass, their room is reclaimed.
        #expect(limiter.acquire("d", limit: 1, period: 10 * second, now: now + 11 * second).allowed)
        #expect(limiter.overflowCount == 1 && limiter.keyCount == 1)
    }

    @Test("the response cache expires entries and evicts the least recently used")
    func responseCache() {
        let cache = ResponseCache(maxEntries: 2)
        let t0 = ContinuousClock.now
        cache.store("a", .string("A"), ttl: .seconds(10), now: t0)
        cache.store("b", .string("B"), ttl: .seconds(10), now: t0)
        #expect(cache.lookup("a", now: t0) == .string("A"))
        cache.store("c", .string("C"), ttl: .seconds(10), now: t0)
        #expect(cache.lookup("b", now: t0) == nil, "b was least recently used")
        #expect(cache.lookup("a", now: t0 + .seconds(11)) == nil, "expired")
        #expect(cache.count == 1)
    }
}
