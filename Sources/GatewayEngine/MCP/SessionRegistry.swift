import Foundation

/// Every live MCP session. Sessions are looked up by ID *and* base path: a session created on one server is
/// unknown (404) on every other. Sessions are capped per client address, per principal and in total (see
/// ``SessionLimits``); unused and idle sessions expire; a full table evicts rather than refuses.
final class SessionRegistry: Sendable {
    let limits: SessionLimits
    private let sessions = LockedBox<[String: MCPSession]>([:])
    private let lastSweep = LockedBox<ContinuousClock.Instant?>(nil)
    /// Told each refusal and eviction (`gatehouse_session_limit_total{reason}`): the reason and how many.
    private let onLimit: @Sendable (String, Int) -> Void
    /// The time sessions are judged by (tests move it forward).
    private let now: @Sendable () -> ContinuousClock.Instant

    var idleTimeout: Duration { limits.idleTimeout }

    init(
        limits: SessionLimits, onLimit: @escaping @Sendable (String, Int) -> Void = { _, _ in },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.limits = limits
        self.now = now
        self.onLimit = onLimit
    }

    convenience init(idleTimeout: Duration, maxSessions: Int) {
        var l = SessionLimits()
        l.idleTimeout = idleTimeout
        l.maxSessions = maxSessions
        self.init(limits: l)
    }

    private func count(_ reason: String, by n: Int = 1) {
        if n > 0 { onLimit(reason, n) }
    }

    /// Whether `session` has expired at `now`.
    private func expired(_ session: MCPSession, now: ContinuousClock.Instant) -> Bool {
        guard !session.hasStream else { return false }
        let idle = session.idle(since: now)
        return idle > limits.idleTimeout || (!session.used && idle > limits.unusedTimeout)
    }

    /// Registers a session, or says why not: its address or principal is at its cap. A full table first drops
    /// expired sessions, then evicts the oldest idle session of the server holding the most.
    func admit(_ session: MCPSession) -> SessionRefusalReason? {
        let now = self.now()
        if lastSweep.withLock({ $0.map { now - $0 > .seconds(1) } ?? true }) || count >= limits.maxSessions { sweep() }
        let (refusal, evicted) = sessions.withLock { s -> (SessionRefusalReason?, MCPSession?) in
            var byClient = 0
            var byPrincipal = 0
            for other in s.values {
                if other.client == session.client { byClient += 1 }
                if !session.principal.isEmpty && other.principal == session.principal { byPrincipal += 1 }
            }
            if byClient >= limits.perClientAddress {
                return (
                    SessionRefusalReason(
                        code: "client_address", message: "too many sessions from this address (\(limits.perClientAddress)); end one first"), nil
                )
            }
            if !session.principal.isEmpty, byPrincipal >= limits.perPrincipal {
                return (
                    SessionRefusalReason(code: "principal", message: "too many sessions for this principal (\(limits.perPrincipal)); end one first"),
                    nil
                )
            }
            var evicted: MCPSession?
            if s.count >= limits.maxSessions, let victim = Self.victim(in: s, now: now) {
                evicted = s.removeValue(forKey: victim.id)
            }
            guard s.count < limits.maxSessions else {
                return (SessionRefusalReason(code: "table_full", message: "too many sessions with open streams; try again later"), nil)
            }
            s[session.id] = session
            return (nil, evicted)
        }
        if let refusal { count(refusal.code) }
        if let evicted {
            evicted.close()
            count("evicted_full")
        }
        return refusal
    }

    /// The oldest idle session (no open stream) of the server holding the most sessions.
    private static func victim(in s: [String: MCPSession], now: ContinuousClock.Instant) -> MCPSession? {
        var perServer: [String: Int] = [:]
        for session in s.values where !session.hasStream { perServer[session.basePath, default: 0] += 1 }
        guard let busiest = perServer.max(by: { $0.value < $1.value })?.key else { return nil }
        return s.values.filter { $0.basePath == busiest && !$0.hasStream }.max { $0.idle(since: now) < $1.idle(since: now) }
    }

    /// Registers a session; false when refused.
    func add(_ session: MCPSession) -> Bool { admit(session) == nil }

    /// The session with that ID on that base path, touched and marked used; nil when unknown, expired or bound elsewhere.
    func lookup(_ id: String, basePath: String) -> MCPSession? {
        let now = self.now()
        guard let session = sessions.withLock({ $0[id] }), session.basePath == basePath else { return nil }
        if expired(session, now: now) {
            remove(id)
            return nil
        }
        session.touch()
        session.markUsed()
        return session
    }

    /// Removes and closes a session.
    @discardableResult
    func remove(_ id: String) -> MCPSession? {
        let s = sessions.withLock { $0.removeValue(forKey: id) }
        s?.close()
        return s
    }

    /// Removes expired sessions.
    func sweep() {
        let now = self.now()
        lastSweep.withLock { $0 = now }
        let expired = sessions.withLock { s in
            let ids = s.values.filter { self.expired($0, now: now) }.map(\.id)
            return ids.compactMap { s.removeValue(forKey: $0) }
        }
        count("expired_unused", by: expired.filter { !$0.used }.count)
        expired.forEach { $0.close() }
    }

    /// Closes every session (at shutdown).
    func closeAll() {
        let all = sessions.withLock { s in
            defer { s = [:] }
            return Array(s.values)
        }
        all.forEach { $0.close() }
    }

    var count: Int { sessions.withLock { $0.count } }

    /// The live sessions on these base paths.
    func sessions(basePaths: Set<String>) -> [MCPSession] {
        sessions.withLock { s in s.values.filter { basePaths.contains($0.basePath) } }
    }
}
