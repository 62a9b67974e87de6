import Foundation

/// Every live MCP session. Sessions are looked up by ID *and* base path: a session created on one server is
/// unknown (404) on every other. Idle sessions expire; the total is capped.
final class SessionRegistry: Sendable {
    let idleTimeout: Duration
    let maxSessions: Int
    private let sessions = LockedBox<[String: MCPSession]>([:])

    init(idleTimeout: Duration, maxSessions: Int) {
        self.idleTimeout = idleTimeout
        self.maxSessions = maxSessions
    }

    /// Registers a session, evicting expired ones first; fails when the cap is reached.
    func add(_ session: MCPSession) -> Bool {
        if sessions.withLock({ $0.count }) >= maxSessions { sweep() }
        return sessions.withLock { s in
            guard s.count < maxSessions else { return false }
            s[session.id] = session
            return true
        }
    }

    /// The session with that ID on that base path, touched; nil when unknown, expired or bound elsewhere.
    func lookup(_ id: String, basePath: String) -> MCPSession? {
        let now = ContinuousClock.now
        guard let session = sessions.withLock({ $0[id] }), session.basePath == basePath else { return nil }
        if session.idle(since: now) > idleTimeout && !session.hasStream {
            remove(id)
            return nil
        }
        session.touch()
        return session
    }

    /// Removes and closes a session.
    @discardableResult
    func remove(_ id: String) -> MCPSession? {
        let s = sessions.withLock { $0.removeValue(forKey: id) }
        s?.close()
        return s
    }

    /// Removes idle sessions.
    func sweep() {
        let now = ContinuousClock.now
        let expired = sessions.withLock { s in
            let ids = s.values.filter { $0.idle(since: now) > idleTimeout && !$0.hasStream }.map(\.id)
            return ids.compactMap { s.removeValue(forKey: $0) }
        }
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
