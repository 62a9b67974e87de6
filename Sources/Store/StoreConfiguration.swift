import Foundation

/// How the store opens its SQLite database.
public struct StoreConfiguration: Sendable {
    /// The database file. Created with mode 0600 when missing.
    public var path: String
    /// Request-log rows kept; older rows are deleted as new batches arrive. Default 100,000.
    public var requestLogRetention: Int
    /// Request-log rows older than this many seconds are deleted as new batches arrive; nil keeps them until the
    /// row limit. Default 30 days.
    public var requestLogMaxAge: TimeInterval? = 30 * 86_400
    /// How long a writer waits for a lock held by another process before failing. Default 5 s.
    public var busyTimeout: TimeInterval
    /// Open read-only (no migrations, no writes). Default false.
    public var readOnly: Bool
    /// Run `PRAGMA quick_check` when opening (it reads the whole file: ~0.6 s for a million-record log). Default true;
    /// commands that only read the request log turn it off.
    public var checkOnOpen = true

    /// Creates a configuration.
    public init(path: String, requestLogRetention: Int = 100_000, busyTimeout: TimeInterval = 5, readOnly: Bool = false) {
        self.path = path
        self.requestLogRetention = requestLogRetention
        self.busyTimeout = busyTimeout
        self.readOnly = readOnly
    }

    /// The default database location: `$GATEHOUSE_DB` if set, else `$XDG_DATA_HOME/gatehouse/gatehouse.sqlite`,
    /// else `~/.local/share/gatehouse/gatehouse.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = environment["GATEHOUSE_DB"], !p.isEmpty { return p }
        let dataHome: String
        if let x = environment["XDG_DATA_HOME"], !x.isEmpty {
            dataHome = x
        } else {
            dataHome = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        return dataHome + "/gatehouse/gatehouse.sqlite"
    }
}
