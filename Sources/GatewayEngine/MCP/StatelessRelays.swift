/// The relay state behind requests of the stateless revision (2026-07-28) to servers with upstreams. Those
/// requests have no session, but an HTTP upstream of the handshake era needs one: requests of one principal to one
/// server share a relay (and so its upstream sessions, opened on first use) kept while it is used, so a modern
/// client does not pay an upstream `initialize` per call. At most ``limit`` relays; the least recently used one is
/// closed first, and one unused for ``idleLifetime`` is closed when relays are next looked up.
final class StatelessRelays: Sendable {
    /// Most relays kept. Default 1,024.
    let limit: Int
    /// How long an unused relay is kept. Default 5 minutes.
    let idleLifetime: Duration

    private struct Entry {
        var session: MCPSession
        var lastUsed: ContinuousClock.Instant
    }
    private let state = LockedBox<[String: Entry]>([:])
    /// Where the notifications an upstream sends a relay go (server base path, principal, message): to listeners.
    let onNotification: @Sendable (String, String, JSONValue) -> Void

    init(
        limit: Int = 1024, idleLifetime: Duration = .seconds(300),
        onNotification: @escaping @Sendable (String, String, JSONValue) -> Void = { _, _, _ in }
    ) {
        self.limit = limit
        self.idleLifetime = idleLifetime
        self.onNotification = onNotification
    }

    /// The relay holder (a session that is never registered, has no stream and declares no client capabilities,
    /// so upstreams never ask it anything) for this principal on this server.
    /// `capabilities` are those of the client's that upstreams may ask through the gateway (sampling,
    /// elicitation, roots: bridged as multi round-trip requests); requests declaring different ones use different
    /// relays, so each upstream session declares what its callers can answer.
    func session(
        basePath: String, principal: String, client: String, capabilities: JSONObject = [:], now: ContinuousClock.Instant = .now
    ) -> MCPSession {
        let key = basePath + "\u{0}" + principal + "\u{0}" + capabilities.keys.sorted().joined(separator: ",")
        let (session, closed) = state.withLock { entries -> (MCPSession, [MCPSession]) in
            var closed: [MCPSession] = []
            if let hit = entries[key] {
                entries[key]?.lastUsed = now
                return (hit.session, closed)
            }
            for (k, e) in entries where now - e.lastUsed > idleLifetime {
                closed.append(e.session)
                entries[k] = nil
            }
            if entries.count >= limit, let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                closed.append(oldest.value.session)
                entries[oldest.key] = nil
            }
            let fresh = MCPSession(
                basePath: basePath, transport: .streamable, client: client, protocolVersion: MCPProtocol.modernVersions[0], principal: principal)
            if !capabilities.isEmpty { fresh.relay.clientCapabilities = capabilities }
            let forward = onNotification
            fresh.unstreamed.withLock { $0 = { message in forward(basePath, principal, message) } }
            entries[key] = Entry(session: fresh, lastUsed: now)
            return (fresh, closed)
        }
        for s in closed { s.close() }
        return session
    }

    /// Closes the relays of servers no longer served (or all of them).
    func close(except basePaths: Set<String>? = nil) {
        let closed = state.withLock { entries -> [MCPSession] in
            let gone = entries.filter { entry in basePaths.map { !$0.contains(entry.value.session.basePath) } ?? true }
            for k in gone.keys { entries[k] = nil }
            return gone.values.map(\.session)
        }
        for s in closed { s.close() }
    }

    var count: Int { state.withLock { $0.count } }
}
