import Crypto
import Foundation
import Synchronization

/// Principals of tokens whose signature and claims were verified, keyed by the SHA-256 of the token (the token
/// itself is not kept), each until min(`exp`, 5 min after verification). Bounded: when full, the oldest entry goes.
final class VerifiedTokenCache: Sendable {
    static let lifetime: TimeInterval = 300

    private struct Entry {
        var principal: JWTPrincipal
        var until: Date
    }

    private struct State {
        var entries: [SHA256.Digest: Entry] = [:]
        /// Insertion order, used as a ring once `capacity` keys have been inserted.
        var order: [SHA256.Digest] = []
        var next = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The number of entries held (expired ones included until they are looked up or evicted).
    var count: Int { state.withLock { $0.entries.count } }

    /// The principal cached for `key`, if its entry has not run out at `now`.
    func principal(for key: SHA256.Digest, at now: Date) -> JWTPrincipal? {
        state.withLock { s in
            guard let entry = s.entries[key] else { return nil }
            guard now < entry.until else {
                s.entries[key] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Remembers a verified principal; `expiresAt` is the token's `exp`.
    func insert(_ principal: JWTPrincipal, for key: SHA256.Digest, at now: Date) {
        var until = now.addingTimeInterval(Self.lifetime)
        if let exp = principal.expiresAt, exp < until { until = exp }
        guard until > now else { return }
        state.withLock { s in
            if s.entries[key] != nil {
                s.entries[key] = Entry(principal: principal, until: until)
                return
            }
            if s.order.count < capacity {
                s.order.append(key)
            } else {
                s.entries[s.order[s.next]] = nil
                s.order[s.next] = key
                s.next = (s.next + 1) % capacity
            }
            s.entries[key] = Entry(principal: principal, until: until)
        }
    }
}
