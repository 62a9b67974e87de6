import Foundation

/// What a running engine says about itself on the admin endpoint: enough for a console to show whom it watches and
/// to ask before stopping it. Holds no secret (the database is a path; its credentials, for PostgreSQL, are not).
public struct EngineStatus: Sendable, Equatable {
    /// Gatehouse's version.
    public var version: String
    /// The engine's process id.
    public var pid: Int32
    /// `serve` (headless) or `console` (embedded in a console).
    public var mode: String
    /// When the engine started.
    public var startedAt: Date
    /// The MCP listener, `http://HOST:PORT` (empty until it is bound).
    public var listen: String
    /// The database file the engine serves.
    public var database: String
    /// Live MCP sessions (handshake-era clients).
    public var sessions: Int
    /// Open `subscriptions/listen` streams (stateless clients that stay connected).
    public var streams: Int

    /// A status.
    public init(
        version: String = GatehouseVersion.current, pid: Int32 = ProcessInfo.processInfo.processIdentifier, mode: String, startedAt: Date,
        listen: String, database: String, sessions: Int = 0, streams: Int = 0
    ) {
        self.version = version
        self.pid = pid
        self.mode = mode
        self.startedAt = startedAt
        self.listen = listen
        self.database = database
        self.sessions = sessions
        self.streams = streams
    }

    /// Clients that quitting the engine would cut off.
    public var connectedClients: Int { sessions + streams }
}

extension MonitorWire {
    public static func encode(_ s: EngineStatus) -> JSONValue {
        .object([
            "engine": "gatehouse", "version": .string(s.version), "pid": .int(Int64(s.pid)), "mode": .string(s.mode),
            "startedAt": .double(s.startedAt.timeIntervalSince1970), "listen": .string(s.listen), "database": .string(s.database),
            "sessions": .int(Int64(s.sessions)), "streams": .int(Int64(s.streams)),
        ])
    }

    public static func status(_ value: JSONValue) throws(DecodingError) -> EngineStatus {
        let o = try object(value, "a status")
        guard o["engine"]?.stringValue == "gatehouse" else { throw DecodingError(message: "a status that is not a Gatehouse engine's") }
        return EngineStatus(
            version: try string(o, "version"), pid: Int32(truncatingIfNeeded: try int(o, "pid")), mode: try string(o, "mode"),
            startedAt: Date(timeIntervalSince1970: try double(o, "startedAt")), listen: try string(o, "listen"), database: try string(o, "database"),
            sessions: Int(try int(o, "sessions")), streams: Int(try int(o, "streams")))
    }
}
