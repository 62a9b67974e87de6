import Foundation
import GRDB

/// Everything the registry serves, read in one transaction.
public struct RegistrySnapshot: Sendable {
    /// Every external entry: approved, pending and tombstones.
    public var entries: [RegistryEntryRecord]
    /// Gateway overrides by server name.
    public var gateway: [String: RegistryGatewayRecord]
    /// What the engine published, by registry name.
    public var published: [String: RegistryPublishedRecord]
    /// The last probe of each target.
    public var health: [String: RegistryHealthRecord]
    public var settings: RegistrySettingsRecord
    public var configRevision: Int64
    public var healthRevision: Int64
}

/// What an import changed.
public struct RegistryImportOutcome: Sendable, Equatable {
    /// New entries, pending approval (`name@version`).
    public var added: [String] = []
    /// Approved entries whose imported `server.json` differs: the change waits for approval.
    public var changed: [String] = []
    /// Entries the source marks deleted, removed here.
    public var removed: [String] = []
    /// Entries the source lists as they already are.
    public var unchanged: [String] = []

    public init() {}
}

/// One entry of an import: the `server.json`, and how the source lists it.
public struct RegistryImportItem: Sendable, Equatable {
    public var name: String
    public var version: String
    public var document: String
    /// `active`, `deprecated` or `deleted` in the source.
    public var status: RegistryStatus
    public var statusMessage: String?

    public init(name: String, version: String, document: String, status: RegistryStatus, statusMessage: String? = nil) {
        self.name = name
        self.version = version
        self.document = document
        self.status = status
        self.statusMessage = statusMessage
    }
}

extension GatewayStore {
    /// How many probes of each target the health history keeps.
    public static let healthHistoryLimit = 50

    /// The registry's state in one read.
    public func registrySnapshot() throws(StoreError) -> RegistrySnapshot {
        try read { db in
            let servers = Dictionary(try ServerRecord.fetchAll(db).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            var gateway: [String: RegistryGatewayRecord] = [:]
            for g in try RegistryGatewayRecord.fetchAll(db) { if let name = servers[g.serverId] { gateway[name] = g } }
            return RegistrySnapshot(
                entries: try RegistryEntryRecord.order(Column("name"), Column("id")).fetchAll(db), gateway: gateway,
                published: Dictionary(try RegistryPublishedRecord.fetchAll(db).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }),
                health: Dictionary(try RegistryHealthRecord.fetchAll(db).map { ($0.target, $0) }, uniquingKeysWith: { a, _ in a }),
                settings: try RegistrySettingsRecord.fetchOne(db) ?? RegistrySettingsRecord(),
                configRevision: try Self.meta(db, "configRevision"), healthRevision: try Self.meta(db, "registryHealthRevision"))
        }
    }

    /// The configuration and health revisions (one cheap read: what tells a cache to re-read the snapshot).
    public func registryRevisions() throws(StoreError) -> (config: Int64, health: Int64) {
        try read { db in (try Self.meta(db, "configRevision"), try Self.meta(db, "registryHealthRevision")) }
    }

    static func meta(_ db: Database, _ key: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) ?? 0
    }

    // MARK: External entries

    /// The versions of an entry, tombstones included, oldest first.
    public func registryEntries(named name: String) throws(StoreError) -> [RegistryEntryRecord] {
        try read { db in try RegistryEntryRecord.filter(Column("name") == name).order(Column("id")).fetchAll(db) }
    }

    /// Adds an entry (a version of a name). A live entry of the same name and version is a conflict; a tombstone of
    /// it is revived with the new document.
    @discardableResult
    public func addRegistryEntry(_ record: RegistryEntryRecord.New) throws(StoreError) -> RegistryEntryRecord {
        try write { db in
            if let existing = try RegistryEntryRecord.filter(Column("name") == record.name && Column("version") == record.version).fetchOne(db) {
                guard existing.deletedAt != nil else {
                    throw StoreError(
                        .conflict,
                        "registry entry '\(record.name)' version \(record.version) already exists (change it with `gatehouse registry set`)")
                }
                var revived = RegistryEntryRecord(id: existing.id, record)
                revived.publishedAt = existing.publishedAt
                try revived.update(db)
                return revived
            }
            return try record.insertStored(db)
        }
    }

    /// Changes one version of an entry in a transaction; the name and version cannot change.
    @discardableResult
    public func updateRegistryEntry(
        name: String, version: String, _ change: @Sendable (inout RegistryEntryRecord) throws(StoreError) -> Void
    ) throws(StoreError) -> RegistryEntryRecord {
        try write { db in
            guard
                var r = try RegistryEntryRecord.filter(Column("name") == name && Column("version") == version && Column("deletedAt") == nil).fetchOne(
                    db)
            else { throw StoreError(.notFound, "no registry entry '\(name)' version \(version)") }
            let before = r
            try change(&r)
            r.name = name
            r.version = version
            guard r != before else { return r }
            let now = Date.storeNow
            r.updatedAt = now
            if r.status != before.status || r.statusMessage != before.statusMessage { r.statusChangedAt = now }
            try r.update(db)
            return r
        }
    }

    /// Removes an entry (every version, or one): tombstones stay for registry clients that sync, unless `purge`.
    /// Returns the `name@version` removed.
    @discardableResult
    public func removeRegistryEntry(name: String, version: String? = nil, purge: Bool = false) throws(StoreError) -> [String] {
        try write { db in
            var request = RegistryEntryRecord.filter(Column("name") == name)
            if let version { request = request.filter(Column("version") == version) }
            let rows = try request.fetchAll(db)
            let live = rows.filter { $0.deletedAt == nil }
            guard !(purge ? rows : live).isEmpty else {
                throw StoreError(.notFound, "no registry entry '\(name)'\(version.map { " version \($0)" } ?? "")")
            }
            if purge {
                try request.deleteAll(db)
                return rows.map { "\($0.name)@\($0.version)" }
            }
            let now = Date.storeNow
            for var r in live {
                r.deletedAt = now
                r.pendingDocument = nil
                r.updatedAt = now
                r.statusChangedAt = now
                try r.update(db)
            }
            return live.map { "\($0.name)@\($0.version)" }
        }
    }

    /// Approves pending entries and pending imported changes: of one name, or all (`name` nil). Returns what was
    /// approved (`name@version`).
    @discardableResult
    public func approveRegistryEntries(name: String?) throws(StoreError) -> [String] {
        try write { db in
            var request = RegistryEntryRecord.filter(Column("deletedAt") == nil)
            if let name { request = request.filter(Column("name") == name) }
            let rows = try request.fetchAll(db).filter(\.awaitsApproval)
            if let name, rows.isEmpty {
                guard try RegistryEntryRecord.filter(Column("name") == name && Column("deletedAt") == nil).fetchCount(db) > 0 else {
                    throw StoreError(.notFound, "no registry entry '\(name)'")
                }
            }
            let now = Date.storeNow
            for var r in rows {
                if let pending = r.pendingDocument { r.document = pending }
                r.pendingDocument = nil
                r.approval = .approved
                r.updatedAt = now
                try r.update(db)
            }
            return rows.map { "\($0.name)@\($0.version)" }
        }
    }

    /// Applies an import in one transaction: new entries land pending, changed approved ones keep their served
    /// document and wait for approval of the new one, entries the source marks deleted are removed (tombstoned).
    public func importRegistryEntries(_ items: [RegistryImportItem], origin: String) throws(StoreError) -> RegistryImportOutcome {
        try write { db in
            var outcome = RegistryImportOutcome()
            let now = Date.storeNow
            for item in items {
                let label = "\(item.name)@\(item.version)"
                let existing = try RegistryEntryRecord.filter(Column("name") == item.name && Column("version") == item.version).fetchOne(db)
                if item.status == .deleted {
                    guard var r = existing, r.deletedAt == nil else { continue }
                    r.deletedAt = now
                    r.pendingDocument = nil
                    r.updatedAt = now
                    r.statusChangedAt = now
                    try r.update(db)
                    outcome.removed.append(label)
                    continue
                }
                let lifecycle: RegistryEntryFields.Lifecycle = item.status == .deprecated ? .deprecated : .production
                guard var r = existing, r.deletedAt == nil else {
                    var fresh = RegistryEntryRecord.New(
                        name: item.name, version: item.version, document: item.document, lifecycle: lifecycle, statusMessage: item.statusMessage,
                        approval: .pending, origin: origin, publishedAt: now, updatedAt: now, statusChangedAt: now)
                    if let old = existing {
                        fresh.publishedAt = old.publishedAt
                        try RegistryEntryRecord(id: old.id, fresh).update(db)
                    } else {
                        _ = try fresh.insertStored(db)
                    }
                    outcome.added.append(label)
                    continue
                }
                let before = r
                if r.approval == .pending {
                    r.document = item.document
                } else if item.document != r.document {
                    r.pendingDocument = item.document
                } else {
                    r.pendingDocument = nil
                }
                if item.status == .deprecated, r.lifecycle != .deprecated && r.lifecycle != .retired {
                    r.lifecycle = .deprecated
                    r.statusMessage = item.statusMessage
                    r.statusChangedAt = now
                }
                if r == before {
                    outcome.unchanged.append(label)
                } else {
                    r.updatedAt = now
                    try r.update(db)
                    if r.pendingDocument != nil && before.pendingDocument != r.pendingDocument {
                        outcome.changed.append(label)
                    } else {
                        outcome.unchanged.append(label)
                    }
                }
            }
            return outcome
        }
    }

    // MARK: Gateway entries

    /// The overrides of a gateway server's entry (nil when it has none).
    public func registryGateway(server: String) throws(StoreError) -> RegistryGatewayRecord? {
        try read { db in
            guard let s = try ServerRecord.filter(Column("name") == server).fetchOne(db) else {
                throw StoreError(.notFound, "no server named '\(server)'")
            }
            return try RegistryGatewayRecord.filter(Column("serverId") == s.id).fetchOne(db)
        }
    }

    /// Changes a gateway server's registry overrides; a row back at the defaults is deleted.
    @discardableResult
    public func setRegistryGateway(server: String, _ change: @Sendable (inout RegistryGatewayRecord) throws(StoreError) -> Void) throws(StoreError)
        -> RegistryGatewayRecord
    {
        try write { db in
            guard let s = try ServerRecord.filter(Column("name") == server).fetchOne(db) else {
                throw StoreError(.notFound, "no server named '\(server)'")
            }
            let existing = try RegistryGatewayRecord.filter(Column("serverId") == s.id).fetchOne(db)
            var r = existing ?? RegistryGatewayRecord(serverId: s.id)
            try change(&r)
            r.serverId = s.id
            if r.isDefault {
                if existing != nil { try RegistryGatewayRecord.filter(Column("serverId") == s.id).deleteAll(db) }
                return r
            }
            guard r != existing else { return r }
            r.updatedAt = Date.storeNow
            if existing != nil { try RegistryGatewayRecord.filter(Column("serverId") == s.id).deleteAll(db) }
            try r.insert(db) // one row per server, found by serverId (the record has no id to update by)
            return r
        }
    }

    /// Records what the engine publishes for gateway servers (upserts; rows not named are left alone).
    public func recordPublished(_ rows: [RegistryPublishedRecord]) throws(StoreError) {
        guard !rows.isEmpty else { return }
        try write { db in for r in rows { try r.save(db) } }
    }

    // MARK: Access

    /// Who may read the registry.
    public func registrySettings() throws(StoreError) -> RegistrySettingsRecord {
        try read { db in try RegistrySettingsRecord.fetchOne(db) ?? RegistrySettingsRecord() }
    }

    /// Changes who may read the registry.
    @discardableResult
    public func setRegistrySettings(_ change: @Sendable (inout RegistrySettingsRecord) -> Void) throws(StoreError) -> RegistrySettingsRecord {
        try write { db in
            let existing = try RegistrySettingsRecord.fetchOne(db)
            var r = existing ?? RegistrySettingsRecord()
            change(&r)
            r.id = 1
            if r != existing { try r.save(db) }
            return r
        }
    }
}

extension GatewayStore {
    /// Creates or replaces one version of an entry as `apply` declares it (a tombstone is revived). Time stamps move
    /// only when something changed. Returns whether it did.
    @discardableResult
    public func upsertRegistryEntry(_ record: RegistryEntryRecord.New) throws(StoreError) -> Bool {
        try write { db in
            guard var r = try RegistryEntryRecord.filter(Column("name") == record.name && Column("version") == record.version).fetchOne(db) else {
                _ = try record.insertStored(db)
                return true
            }
            let before = r
            r.document = record.document
            r.pendingDocument = record.pendingDocument
            r.lifecycle = record.lifecycle
            r.owner = record.owner
            r.tags = record.tags
            r.statusMessage = record.statusMessage
            r.approval = record.approval
            r.allowPrivateNetwork = record.allowPrivateNetwork
            r.deletedAt = nil
            guard r != before else { return false }
            let now = Date.storeNow
            r.updatedAt = now
            if r.status != before.status || r.statusMessage != before.statusMessage { r.statusChangedAt = now }
            try r.update(db)
            return true
        }
    }
}
