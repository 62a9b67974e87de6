import Foundation
import Synchronization

/// Caches OAuth tokens per key and fetches each key's token at most once at a time.
///
/// A cached token is returned until `expiresAt - refreshMargin` (a token without `expiresAt` until
/// ``invalidate(_:)``). When it is missing or due, the first caller starts `fetch` and every caller arriving while it
/// runs waits for the same fetch (single flight) and gets its result or its error. A failed fetch leaves nothing
/// cached, so the next caller tries again. ``invalidate(_:)`` drops the token and detaches a running fetch: its
/// result still reaches its waiters but is not cached.
final class TokenCache: Sendable {
    private struct Flight {
        var id: UInt64
        var task: Task<OAuthTokens, any Error>
    }

    private struct Entry {
        var tokens: OAuthTokens?
        var flight: Flight?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var nextID: UInt64 = 0
        var calls = 0
    }

    private let state = Mutex(State())
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date

    init(refreshMargin: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }) {
        let parts = refreshMargin.components
        self.refreshMargin = TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
        self.now = now
    }

    /// The cached token for `key`, or the result of one shared `fetch`.
    func token(for key: String, fetch: @escaping @Sendable () async throws -> OAuthTokens) async throws -> OAuthTokens {
        let current = now()
        let step: Step = state.withLock { s in
            s.calls &+= 1
            var entry = s.entries[key] ?? Entry()
            if let tokens = entry.tokens, isFresh(tokens, at: current) { return .cached(tokens) }
            if let flight = entry.flight { return .wait(flight.task) }
            let id = s.nextID
            s.nextID &+= 1
            let task = Task<OAuthTokens, any Error> {
                let result: Result<OAuthTokens, any Error>
                do { result = .success(try await fetch()) } catch { result = .failure(error) }
                self.finish(key: key, id: id, result: result)
                return try result.get()
            }
            entry.flight = Flight(id: id, task: task)
            s.entries[key] = entry
            return .wait(task)
        }
        switch step {
        case .cached(let tokens):
            return tokens
        case .wait(let task):
            return try await task.value
        }
    }

    /// Forgets the token for `key` (for instance after the backend refused it); the next caller fetches.
    func invalidate(_ key: String) {
        state.withLock { s in _ = s.entries.removeValue(forKey: key) }
    }

    // MARK: Internals

    private enum Step {
        case cached(OAuthTokens)
        case wait(Task<OAuthTokens, any Error>)
    }

    private func isFresh(_ tokens: OAuthTokens, at date: Date) -> Bool {
        guard let expiresAt = tokens.expiresAt else { return true }
        return date < expiresAt.addingTimeInterval(-refreshMargin)
    }

    /// Stores a successful result (only when the flight is still the key's own) and ends the flight.
    private func finish(key: String, id: UInt64, result: Result<OAuthTokens, any Error>) {
        state.withLock { s in
            guard var entry = s.entries[key], entry.flight?.id == id else { return }
            entry.flight = nil
            if case .success(let tokens) = result { entry.tokens = tokens } else { entry.tokens = nil }
            s.entries[key] = entry
        }
    }

    /// How many `token(for:)` calls have been answered from the cache, joined a fetch or started one. For tests.
    var calls: Int { state.withLock { $0.calls } }
}
