import Foundation
import GRDB
import Logging

/// The gateway's persistent state in one SQLite file: APIs, their operations, MCP servers, tools and the request log.
///
/// WAL mode, foreign keys and `NOT NULL` constraints, one writer (GRDB's `DatabasePool`), every change in a
/// transaction: a crash or `kill -9` at any moment leaves a database that opens and passes `integrity_check`.
/// Every configuration change bumps ``configRevision()``, which running engines poll to pick up changes made by
/// another process.
public final class GatewayStore: Sendable {
    /// The database handle (exposed for tests and tools that need raw access).
    public let dbPool: DatabasePool
    /// The configuration the store was opened with.
    public let configuration: StoreConfiguration
    let logger: Logger

    /// Opens (creating if needed) the database at `configuration.path` and runs pending migrations.
    public init(configuration: StoreConfiguration, logger: Logger = Logger(label: "gatehouse.store")) throws(StoreError) {
        self.configuration = configuration
        self.logger = logger
        let path = configuration.path
        try StoreConfiguration.refuseURL(path)
        do {
            try Self.prepareFile(path)
            var config = Configuration()
            config.foreignKeysEnabled = true
            config.readonly = configuration.readOnly
            config.busyMode = .timeout(configuration.busyTimeout)
            config.label = "gatehouse"
            config.prepareDatabase { db in
                if !db.configuration.readonly {
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                }
            }
            dbPool = try DatabasePool(path: path, configuration: config)
            if !configuration.readOnly {
                try Self.migrator.migrate(dbPool)
            }
            if !configuration.readOnly, configuration.checkOnOpen {
                let check = try dbPool.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }
                guard check == "ok" else {
                    throw StoreError(.unavailable, "database \(path) failed its integrity check: \(check ?? "no answer")")
                }
            }
            // WAL and SHM files are created by SQLite with the database file's mode; tighten them anyway.
            for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                chmod(path + suffix, 0o600)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "cannot open database \(path): \(Self.describe(error))")
        }
    }

    /// Creates the parent directory (0700) and an empty database file with mode 0600 when missing.
    static func prepareFile(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            if fd >= 0 { close(fd) }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError {
            return db.message ?? "\(db.resultCode)"
        }
        return "\(error)"
    }

    /// Runs a write transaction, mapping SQLite errors to ``StoreError``.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        do {
            if let db = ambientDatabase {
                // Inside inOneTransaction: a savepoint, so a write that fails leaves nothing even if its caller goes on.
                var result: T?
                try db.inSavepoint {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
            return try dbPool.write(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.conflict, Self.describe(error))
        } catch {
            throw StoreError(.unavailable, Self.describe(error))
        }
    }

    /// Runs a read, mapping SQLite errors to ``StoreError``.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        do {
            if let db = ambientDatabase { return try body(db) }
            return try dbPool.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, Self.describe(error))
        }
    }

    /// A counter bumped by every configuration change, from any process.
    public func configRevision() throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'configRevision'") ?? 0 }
    }

    /// Runs `PRAGMA integrity_check` and returns its first line (`ok` when healthy).
    public func integrityCheck() throws(StoreError) -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }
}
