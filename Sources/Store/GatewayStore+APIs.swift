import Foundation
import GRDB

/// An operation to store with an API: the engine compiles it; the store keeps it.
public struct NewOperation: Sendable, Equatable {
    public var key: String
    public var operationId: String?
    public var toolName: String
    public var method: String
    public var path: String
    public var summary: String?
    public var definition: String

    public init(key: String, operationId: String?, toolName: String, method: String, path: String, summary: String?, definition: String) {
        self.key = key
        self.operationId = operationId
        self.toolName = toolName
        self.method = method
        self.path = path
        self.summary = summary
        self.definition = definition
    }
}

/// What storing an API changed.
public struct APIImportOutcome: Sendable, Equatable {
    public var api: APIRecord
    /// Whether an API of that name existed and was replaced.
    public var replaced: Bool
    public var added: [String]
    public var removed: [String]
    public var updated: [String]
}

extension GatewayStore {
    /// Stores an API and its operations in one transaction. When the name exists, the document and operations are
    /// replaced: operations keep their identity by key (so servers' tools survive), vanished operations are removed
    /// with their tools, and servers that expose all operations gain the new ones.
    public func saveAPI(_ api: APIRecord.New, operations: [NewOperation]) throws(StoreError) -> APIImportOutcome {
        try write { db in
            let record: APIRecord
            let existing = try APIRecord.filter(Column("name") == api.name).fetchOne(db)
            if let existing {
                var replaced = APIRecord(id: existing.id, api)
                replaced.createdAt = existing.createdAt
                // An output-schema mode set with `api set` survives a re-import that names none.
                if replaced.outputSchemaMode == nil { replaced.outputSchemaMode = existing.outputSchemaMode }
                replaced.updatedAt = Date()
                try replaced.update(db)
                record = replaced
            } else {
                record = try api.insertStored(db)
            }
            let apiId = record.id
            let old = try OperationRecord.filter(Column("apiId") == apiId).fetchAll(db)
            var oldByKey = Dictionary(old.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            var added: [String] = []
            var updated: [String] = []
            var newIds: [Int64] = []
            for (position, op) in operations.enumerated() {
                if var row = oldByKey.removeValue(forKey: op.key) {
                    let changed = row.definition != op.definition || row.position != position
                    row.operationId = op.operationId
                    row.toolName = op.toolName
                    row.method = op.method
                    row.path = op.path
                    row.summary = op.summary
                    row.definition = op.definition
                    row.position = position
                    if changed {
                        try row.update(db)
                        updated.append(op.key)
                    }
                } else {
                    let row = try OperationRecord.New(
                        apiId: apiId, key: op.key, operationId: op.operationId, toolName: op.toolName, method: op.method,
                        path: op.path, summary: op.summary, definition: op.definition, position: position
                    ).insertStored(db)
                    newIds.append(row.id)
                    added.append(op.key)
                }
            }
            let removed = oldByKey.values.map(\.key).sorted()
            for row in oldByKey.values { _ = try row.delete(db) }
            // Servers exposing every operation gain the new ones.
            if !newIds.isEmpty {
                let servers = try ServerRecord.filter(Column("apiId") == apiId && Column("allOperations") == true).fetchAll(db)
                for server in servers {
                    try Self.appendTools(db, serverId: server.id, operationIds: newIds)
                }
            }
            return APIImportOutcome(api: record, replaced: existing != nil, added: added, removed: removed, updated: updated)
        }
    }

    /// Adds tools for operations, naming each after its operation's default tool name, made unique in the server.
    static func appendTools(_ db: Database, serverId: Int64, operationIds: [Int64]) throws {
        var taken = Set(try String.fetchAll(db, sql: "SELECT name FROM tool WHERE serverId = ?", arguments: [serverId]))
        var position = (try Int.fetchOne(db, sql: "SELECT MAX(position) FROM tool WHERE serverId = ?", arguments: [serverId]) ?? -1) + 1
        for opId in operationIds {
            guard let op = try OperationRecord.fetchOne(db, key: opId) else { continue }
            let name = uniqueName(op.toolName, taken: taken)
            taken.insert(name)
            _ = try ToolRecord.New(serverId: serverId, operationId: opId, name: name, position: position).insertStored(db)
            position += 1
        }
    }

    /// `base`, or `base_2`, `base_3`… (kept within 128 characters) so that it is not in `taken`.
    static func uniqueName(_ base: String, taken: Set<String>) -> String {
        if !taken.contains(base) { return base }
        var n = 2
        while true {
            let suffix = "_\(n)"
            let candidate = String(base.prefix(128 - suffix.count)) + suffix
            if !taken.contains(candidate) { return candidate }
            n += 1
        }
    }

    /// Every API, by name.
    public func apis() throws(StoreError) -> [APIRecord] {
        try read { db in try APIRecord.order(Column("name")).fetchAll(db) }
    }

    /// The API of that name.
    public func api(named name: String) throws(StoreError) -> APIRecord {
        let found = try read { db in try APIRecord.filter(Column("name") == name).fetchOne(db) }
        guard let found else { throw StoreError(.notFound, "no API named '\(name)'") }
        return found
    }

    /// The API with that id, if any.
    public func api(id: Int64) throws(StoreError) -> APIRecord? {
        try read { db in try APIRecord.fetchOne(db, key: id) }
    }

    /// The operations of an API, in document order.
    public func operations(apiId: Int64) throws(StoreError) -> [OperationRecord] {
        try read { db in try OperationRecord.filter(Column("apiId") == apiId).order(Column("position")).fetchAll(db) }
    }

    /// Deletes an API. Refused while a server uses it.
    public func deleteAPI(named name: String) throws(StoreError) {
        let api = try api(named: name)
        try write { db in
            let users = try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT s.name FROM server s LEFT JOIN tool t ON t.serverId = s.id
                    LEFT JOIN operation o ON o.id = t.operationId
                    WHERE s.apiId = ? OR o.apiId = ? ORDER BY s.name
                    """, arguments: [api.id, api.id])
            if !users.isEmpty {
                throw StoreError(.conflict, "API '\(name)' is used by server(s) \(users.joined(separator: ", ")); delete them first")
            }
            _ = try APIRecord.deleteOne(db, key: api.id)
        }
    }

    /// Sets how an API's answers are checked against output schemas (`strict`, `tolerant`, `off`; nil = tolerant).
    public func setAPIOutputSchemaMode(named name: String, _ mode: String?) throws(StoreError) {
        var api = try api(named: name)
        api.outputSchemaMode = mode
        api.updatedAt = Date()
        let updated = api
        try write { db in try updated.update(db) }
    }

    /// Sets one tool's output-schema mode (nil inherits the API's).
    public func setToolOutputSchemaMode(server: String, tool: String, _ mode: String?) throws(StoreError) {
        try write { db in
            guard let serverRow = try ServerRecord.filter(Column("name") == server).fetchOne(db) else {
                throw StoreError(.notFound, "no server named '\(server)'")
            }
            guard var row = try ToolRecord.filter(Column("serverId") == serverRow.id && Column("name") == tool).fetchOne(db) else {
                throw StoreError(.notFound, "server '\(server)' has no tool named '\(tool)'")
            }
            row.outputSchemaMode = mode
            try row.update(db)
        }
    }

    /// Changes an API's base URL (nil restores the document's) and private-network permission.
    public func updateAPI(named name: String, baseUrl: String??, documentBaseUrl: String?, allowPrivateNetwork: Bool?) throws(StoreError) -> APIRecord
    {
        var api = try api(named: name)
        if let baseUrl {
            api.baseUrl = baseUrl ?? documentBaseUrl
            api.baseUrlOverridden = baseUrl != nil
        }
        if let allowPrivateNetwork { api.allowPrivateNetwork = allowPrivateNetwork }
        api.updatedAt = Date()
        let updated = api
        try write { db in try updated.update(db) }
        return updated
    }
}
