import Foundation
import GRDB

/// A tool with the operation it calls, as listed for a server.
public struct ToolWithOperation: Sendable, Equatable {
    public var tool: ToolRecord
    public var operation: OperationRecord
    public var apiName: String
}

extension GatewayStore {
    /// Creates a server exposing operations of an API.
    /// - Parameters:
    ///   - operationKeys: operation keys (`GET /pets`), `operationId`s or default tool names; nil exposes every operation.
    public func createServer(
        name: String, description: String = "", basePath: String, apiName: String, operations selection: [String]?, enabled: Bool = true
    ) throws(StoreError) -> ServerRecord {
        try Self.validateName(name)
        let basePath = try Self.normaliseBasePath(basePath)
        let api = try api(named: apiName)
        return try write { db in
            if try ServerRecord.filter(Column("name") == name).fetchCount(db) > 0 {
                throw StoreError(.conflict, "a server named '\(name)' already exists")
            }
            if let other = try ServerRecord.filter(Column("basePath") == basePath).fetchOne(db) {
                throw StoreError(.conflict, "base path '/\(basePath)' is already used by server '\(other.name)'")
            }
            let ops = try OperationRecord.filter(Column("apiId") == api.id).order(Column("position")).fetchAll(db)
            let chosen = try Self.select(ops, by: selection, apiName: apiName)
            let server = try ServerRecord.New(
                name: name, description: description, basePath: basePath, enabled: enabled, apiId: api.id, allOperations: selection == nil
            ).insertStored(db)
            try Self.appendTools(db, serverId: server.id, operationIds: chosen.map { $0.id })
            return server
        }
    }

    /// Picks operations by key, operationId or tool name; an unknown name is an error that lists what exists.
    static func select(_ ops: [OperationRecord], by selection: [String]?, apiName: String) throws -> [OperationRecord] {
        guard let selection else { return ops }
        var chosen: [OperationRecord] = []
        for wanted in selection {
            let w = wanted.trimmingCharacters(in: .whitespaces)
            guard let op = ops.first(where: { $0.operationId == w || $0.key == w || $0.toolName == w }) else {
                let names = ops.prefix(20).map { $0.operationId ?? $0.key }.joined(separator: ", ")
                throw StoreError(.notFound, "API '\(apiName)' has no operation '\(w)' (operations: \(names)\(ops.count > 20 ? ", …" : ""))")
            }
            if !chosen.contains(where: { $0.id == op.id }) { chosen.append(op) }
        }
        return chosen
    }

    /// Replaces the operations a server exposes (nil = all), keeping renamed tools' names and overrides.
    public func setServerOperations(named name: String, apiName: String, operations selection: [String]?) throws(StoreError) {
        let server = try server(named: name)
        let api = try api(named: apiName)
        try write { db in
            let ops = try OperationRecord.filter(Column("apiId") == api.id).order(Column("position")).fetchAll(db)
            let chosen = try Self.select(ops, by: selection, apiName: apiName)
            let chosenIds = Set(chosen.map { $0.id })
            let existing = try ToolRecord.filter(Column("serverId") == server.id).fetchAll(db)
            for tool in existing where !chosenIds.contains(tool.operationId) { _ = try tool.delete(db) }
            let have = Set(existing.map(\.operationId))
            try Self.appendTools(db, serverId: server.id, operationIds: chosen.map { $0.id }.filter { !have.contains($0) })
            var updated = server
            updated.apiId = api.id
            updated.allOperations = selection == nil
            updated.updatedAt = Date()
            try updated.update(db)
        }
    }

    /// Every server, by name.
    public func servers() throws(StoreError) -> [ServerRecord] {
        try read { db in try ServerRecord.order(Column("name")).fetchAll(db) }
    }

    /// The server of that name.
    public func server(named name: String) throws(StoreError) -> ServerRecord {
        let found = try read { db in try ServerRecord.filter(Column("name") == name).fetchOne(db) }
        guard let found else { throw StoreError(.notFound, "no server named '\(name)'") }
        return found
    }

    /// A server's tools with their operations, in order.
    public func tools(serverId: Int64) throws(StoreError) -> [ToolWithOperation] {
        try read { db in try Self.fetchTools(db, serverIds: [serverId])[serverId] ?? [] }
    }

    static func fetchTools(_ db: Database, serverIds: [Int64]?) throws -> [Int64: [ToolWithOperation]] {
        let tools = try (serverIds.map { ToolRecord.filter($0.contains(Column("serverId"))) } ?? ToolRecord.all())
            .order(Column("serverId"), Column("position")).fetchAll(db)
        let opIds = Set(tools.map(\.operationId))
        let ops = try OperationRecord.filter(opIds.contains(Column("id"))).fetchAll(db)
        let opsById = Dictionary(uniqueKeysWithValues: ops.map { ($0.id, $0) })
        let apiNames = Dictionary(uniqueKeysWithValues: try APIRecord.fetchAll(db).map { ($0.id, $0.name) })
        var out: [Int64: [ToolWithOperation]] = [:]
        for t in tools {
            guard let op = opsById[t.operationId] else { continue }
            out[t.serverId, default: []].append(ToolWithOperation(tool: t, operation: op, apiName: apiNames[op.apiId] ?? "?"))
        }
        return out
    }

    /// Deletes a server and its tools.
    public func deleteServer(named name: String) throws(StoreError) {
        let server = try server(named: name)
        try write { db in _ = try ServerRecord.deleteOne(db, key: server.id) }
    }

    /// Updates a server's description, base path or enabled flag.
    public func updateServer(named name: String, newName: String? = nil, description: String? = nil, basePath: String? = nil, enabled: Bool? = nil)
        throws(StoreError) -> ServerRecord
    {
        var server = try server(named: name)
        if let newName {
            try Self.validateName(newName)
            server.name = newName
        }
        if let description { server.description = description }
        if let basePath { server.basePath = try Self.normaliseBasePath(basePath) }
        if let enabled { server.enabled = enabled }
        server.updatedAt = Date()
        let updated = server
        try write { db in
            if let other = try ServerRecord.filter(Column("basePath") == updated.basePath && Column("id") != updated.id).fetchOne(db) {
                throw StoreError(.conflict, "base path '/\(updated.basePath)' is already used by server '\(other.name)'")
            }
            try updated.update(db)
        }
        return updated
    }

    /// Renames a tool, overrides its description (empty string clears), or enables/disables it.
    public func updateTool(
        server serverName: String, tool toolName: String, newName: String? = nil, description: String?? = nil, enabled: Bool? = nil
    ) throws(StoreError) -> ToolRecord {
        let server = try server(named: serverName)
        return try write { db in
            guard var tool = try ToolRecord.filter(Column("serverId") == server.id && Column("name") == toolName).fetchOne(db) else {
                throw StoreError(.notFound, "server '\(serverName)' has no tool '\(toolName)'")
            }
            if let newName {
                guard newName.range(of: "^[A-Za-z0-9_.-]{1,128}$", options: .regularExpression) != nil else {
                    throw StoreError(.invalid, "tool name '\(newName)' must be 1–128 characters of A–Z a–z 0–9 _ . -")
                }
                if newName != toolName, try ToolRecord.filter(Column("serverId") == server.id && Column("name") == newName).fetchCount(db) > 0 {
                    throw StoreError(.conflict, "server '\(serverName)' already has a tool named '\(newName)'")
                }
                tool.name = newName
            }
            if let description { tool.descriptionOverride = description.flatMap { $0.isEmpty ? nil : $0 } }
            if let enabled { tool.enabled = enabled }
            try tool.update(db)
            return tool
        }
    }

    /// Names of servers and upstreams are 1–64 characters of letters, digits, `_`, `-` and `.`, starting with a letter
    /// or digit (the console checks a form with it before submitting).
    public static func validateName(_ name: String) throws(StoreError) {
        guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", options: .regularExpression) != nil else {
            throw StoreError(.invalid, "name '\(name)' must be 1–64 characters of letters, digits, '_', '-', '.', starting with a letter or digit")
        }
    }

    /// Base paths are one or more segments of `[A-Za-z0-9_.-]`, without leading or trailing slashes, and may not
    /// end in a reserved segment.
    static func normaliseBasePath(_ path: String) throws(StoreError) -> String {
        let trimmed = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, trimmed.count <= 200,
            segments.allSatisfy({ $0.range(of: "^[A-Za-z0-9_.-]+$", options: .regularExpression) != nil && $0 != "." && $0 != ".." })
        else {
            throw StoreError(.invalid, "base path '\(path)' must be segments of letters, digits, '_', '-', '.' separated by '/'")
        }
        if let last = segments.last, ["mcp", "sse", "messages", "metrics", "healthz", ".well-known"].contains(String(last)) {
            throw StoreError(.invalid, "base path '\(path)' may not end in the reserved segment '\(last)'")
        }
        // The registry's own paths: its MCP server at /registry/mcp and its API under /v0 and /v0.1.
        if trimmed == "registry" || ["v0", "v0.1"].contains(String(segments[0])) {
            throw StoreError(.invalid, "base path '\(path)' is reserved for the registry (/registry/mcp, /v0/…, /v0.1/…)")
        }
        return trimmed
    }
}
