/// Where the engine's admin endpoint listens (`docs/ADMIN-API.md`): what the console reads to watch a running engine.
/// Every field has a documented default.
public struct AdminEndpointConfiguration: Sendable {
    /// The Unix socket: owner-only (mode 0600), no token needed. Default nil: ``defaultSocketPath(database:)``, beside
    /// the database, is used by the commands; an empty string turns the socket off.
    public var socketPath: String?
    /// A TCP listener as well, `HOST:PORT` (`--admin-listen`); it requires ``token``. Default nil (none).
    public var tcpHost: String?
    public var tcpPort: Int = 0
    /// The bearer token the TCP listener requires (`Authorization: Bearer …`), read from a file by the commands.
    /// Never logged, never sent back. Default nil.
    public var token: String?
    /// How often the stream sends a snapshot and what is new (clients may ask between 100 ms and 60 s). Default 1 s.
    public var streamInterval: Duration = .seconds(1)
    /// The most records and events a stream's first message may carry. Default 1,000 (the monitor's ring).
    public var backlogLimit: Int = 1_000

    /// An endpoint on `socketPath` only.
    public init(socketPath: String? = nil) { self.socketPath = socketPath }

    /// `<database>-admin.sock`: beside the database, like SQLite's own `-wal` and `-shm` files, so whoever can open
    /// the database finds the engine serving it.
    public static func defaultSocketPath(database: String) -> String { database + "-admin.sock" }

    /// The longest Unix socket path the kernel accepts (`sun_path` holds 108 bytes, one for the terminator).
    public static let maxSocketPathBytes = 107
}
