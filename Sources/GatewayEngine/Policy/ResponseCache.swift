import Foundation
import Synchronization

/// A bounded in-memory cache of MCP results (`tools/list` pages and GET-backed tool results), least recently
/// used first out. Keys are built by the policy engine and always name the principal unless an entry is public.
final class ResponseCache: Sendable {
    struct Entry {
        var value: JSONValue
        var expires: ContinuousClock.Instant
        var bytes: Int
        var lastUse: UInt64
    }

    struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var tick: UInt64 = 0
    }

    /// Most entries held. Default 1 000.
    let maxEntries: Int
    /// Most result bytes held. Default 16 MiB.
    let maxBytes: Int
    private let state = Mutex(State())

    init(maxEntries: Int = 1_000, maxBytes: Int = 16 * 1024 * 1024) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    /// The live entry for a key.
    func lookup(_ key: String, now: ContinuousClock.Instant = .now) -> JSONValue? {
        state.withLock { s in
            guard var e = s.entries[key] else { return nil }
            guard e.expires > now else {
                s.entries[key] = nil
                s.bytes -= e.bytes
                return nil
            }
            s.tick += 1
            e.lastUse = s.tick
            s.entries[key] = e
            return e.value
        }
    }

    /// Stores a value for `ttl`, evicting the least recently used entries to stay within bounds.
    func store(_ key: String, _ value: JSONValue, ttl: Duration, now: ContinuousClock.Instant = .now) {
        let size = value.jsonString.utf8.count + key.utf8.count
        guard size <= maxBytes / 4 else { return }
        state.withLock { s in
            if let old = s.entries[key] { s.bytes -= old.bytes }
            s.tick += 1
            s.entries[key] = Entry(value: value, expires: now + ttl, bytes: size, lastUse: s.tick)
            s.bytes += size
            while s.entries.count > maxEntries || s.bytes > maxBytes {
                guard let victim = s.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { break }
                s.entries[victim.key] = nil
                s.bytes -= victim.value.bytes
            }
        }
    }

    /// Drops every entry (configuration reloads).
    func removeAll() {
        state.withLock { $0 = State() }
    }

    /// The number of entries held.
    var count: Int { state.withLock { $0.entries.count } }
}
