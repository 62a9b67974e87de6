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
    /// The private copy a read-only store reads when the database cannot be read in place (removed with the store).
    let snapshotDirectory: String?

    /// Opens (creating if needed) the database at `configuration.path` and runs pending migrations.
    public init(configuration: StoreConfiguration, logger: Logger = Logger(label: "gatehouse.store")) throws(StoreError) {
        self.configuration = configuration
        self.logger = logger
        try StoreConfiguration.refuseURL(configuration.path)
        var path = configuration.path
        var snapshot: String?
        if configuration.readOnly, let copy = try Self.snapshotIfNeeded(path) {
            path = copy + "/" + URL(fileURLWithPath: configuration.path).lastPathComponent
            snapshot = copy
        }
        snapshotDirectory = snapshot
        do {
            if !configuration.readOnly { try Self.prepareFile(path) }
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

    deinit {
        if let snapshotDirectory { try? FileManager.default.removeItem(atPath: snapshotDirectory) }
    }

    /// SQLite reads a WAL-mode database only where it can keep its `-wal` and `-shm` files beside it. A database in a
    /// directory the user cannot write (a read-only file system, another user's directory) with no writer active
    /// (no `-wal` file) is copied into a private temporary directory, which is returned; nil when it can be read in
    /// place.
    static func snapshotIfNeeded(_ path: String) throws(StoreError) -> String? {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(.unavailable, "no database at \(path)") }
        guard access(dir, W_OK) != 0, !FileManager.default.fileExists(atPath: path + "-wal") else { return nil }
        let copy = NSTemporaryDirectory() + "gatehouse-readonly-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.copyItem(atPath: path, toPath: copy + "/" + URL(fileURLWithPath: path).lastPathComponent)
        } catch {
            try? FileManager.default.removeItem(atPath: copy)
            throw StoreError(.unavailable, "cannot read database \(path) read-only: \(error.localizedDescription)")
        }
        return copy
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
