import GRDB

/// The columns of one table's row, without the `id` SQLite assigns: what a caller creates (`APIRecord.New`,
/// `UpstreamRecord.New`, …) and what a ``Stored`` row carries.
public protocol StoredFields: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {}

/// A row that exists: the id SQLite assigned and its fields. Every record the store returns is one, so an id is never
/// optional once there is one; the fields read and write as the record's own properties (`record.name`).
///
/// `APIRecord`, `ServerRecord`, `UpstreamRecord`, … are `Stored<…Fields>`; their `New` is the fields type, which is
/// what the store's create functions take.
@dynamicMemberLookup
public struct Stored<Fields: StoredFields>: Sendable, Equatable, Identifiable {
    /// The row's id (its `INTEGER PRIMARY KEY`).
    public let id: Int64
    /// Everything else.
    public var fields: Fields

    /// A stored row (the store makes these; tests build fixtures with them).
    public init(id: Int64, _ fields: Fields) {
        self.id = id
        self.fields = fields
    }

    /// A field, by its name (`record.name`).
    public subscript<T>(dynamicMember keyPath: KeyPath<Fields, T>) -> T { fields[keyPath: keyPath] }

    /// A field that may change (`record.enabled = false`, then ``GatewayStore`` writes it back).
    public subscript<T>(dynamicMember keyPath: WritableKeyPath<Fields, T>) -> T {
        get { fields[keyPath: keyPath] }
        set { fields[keyPath: keyPath] = newValue }
    }
}

extension Stored {
    /// The fields a new row is created from (`APIRecord.New` is `APIFields`).
    public typealias New = Fields
}

extension Stored: TableRecord, FetchableRecord, PersistableRecord {
    /// The fields' table.
    public static var databaseTableName: String { Fields.databaseTableName }

    /// Reads the id and the fields from one row.
    public init(row: Row) throws {
        id = row["id"]
        fields = try Fields(row: row)
    }

    /// Writes the fields and the id (an update finds the row by it).
    public func encode(to container: inout PersistenceContainer) throws {
        try fields.encode(to: &container)
        container["id"] = id
    }
}

extension StoredFields {
    /// Inserts the fields as a new row and returns it as stored, with the id SQLite assigned.
    func insertStored(_ db: Database) throws -> Stored<Self> {
        try insertAndFetch(db, as: Stored<Self>.self)
    }
}
