import Foundation
import GRDB

/// One tool as an upstream lists it now, for ``GatewayStore/recordUpstreamTools(upstream:seen:)``.
public struct SeenUpstreamTool: Sendable, Equatable {
    public var name: String
    /// SHA-256 (hex) of the canonical definition.
    public var fingerprint: String
    /// The definition (JSON).
    public var definition: String
    /// Suspicious content, one reason per entry.
    public var flags: [String]

    public init(name: String, fingerprint: String, definition: String, flags: [String]) {
        self.name = name
        self.fingerprint = fingerprint
        self.definition = definition
        self.flags = flags
    }
}

/// What one discovery changed in an upstream's recorded tools.
public struct UpstreamToolChange: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// First seen: approved on first use.
        case added
        /// The definition differs from the approved one: held back until approved.
        case changed
        /// The upstream stopped listing it.
        case removed
        /// Listed again with the approved definition (after a removal or a reverted change).
        case restored
        /// First seen with suspicious text (control, zero-width, bidi or tag characters): held back until approved.
        case flagged
    }

    public var tool: String
    public var kind: Kind

    public init(tool: String, kind: Kind) {
        self.tool = tool
        self.kind = kind
    }

    public var description: String { "\(tool): \(kind.rawValue)" }
}

/// An upstream source of a server, with the upstream's name.
public struct ServerUpstreamSource: Sendable, Equatable {
    public var link: ServerUpstreamRecord
    public var upstreamName: String
}

/// How a server uses one upstream, for ``GatewayStore/addServerUpstream(server:_:)``.
public struct ServerUpstreamSpec: Sendable, Equatable {
    public var upstream: String
    public var prefix: String?
    /// Upstream tool names to expose; nil = all.
    public var tools: [String]?
    public var renames: [String: String]
    public var descriptions: [String: String]

    public init(
        upstream: String, prefix: String? = nil, tools: [String]? = nil, renames: [String: String] = [:], descriptions: [String: String] = [:]
    ) {
        self.upstream = upstream
        self.prefix = prefix
        self.tools = tools
        self.renames = renames
        self.descriptions = descriptions
    }
}

extension GatewayStore {
    /// Every upstream, by name.
    public func upstreams() throws(StoreError) -> [UpstreamRecord] {
        try read { db in try UpstreamRecord.order(Column("name")).fetchAll(db) }
    }

    /// The upstream of that name.
    public func upstream(named name: String) throws(StoreError) -> UpstreamRecord {
        let found = try read { db in try UpstreamRecord.filter(Column("name") == name).fetchOne(db) }
        guard let found else { throw StoreError(.notFound, "no upstream named '\(name)'") }
        return found
    }

    /// Adds an upstream. Its name must be new; an HTTP upstream needs a URL and a stdio one a command.
    public func addUpstream(_ record: UpstreamRecord.New) throws(StoreError) -> UpstreamRecord {
        try Self.validateName(record.name)
        try Self.validateUpstream(record)
        return try write { db in
            if try UpstreamRecord.filter(Column("name") == record.name).fetchCount(db) > 0 {
                throw StoreError(.conflict, "an upstream named '\(record.name)' already exists")
            }
            try Self.checkReferences(db, record)
            return try record.insertStored(db)
        }
    }

    /// Changes an upstream in one transaction. The name cannot change.
    public func updateUpstream(named name: String, _ change: @Sendable (inout UpstreamRecord) throws(StoreError) -> Void) throws(StoreError)
        -> UpstreamRecord
    {
        try write { db in
            guard var r = try UpstreamRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "no upstream named '\(name)'")
            }
            try change(&r)
            r.name = name
            try Self.validateUpstream(r.fields)
            try Self.checkReferences(db, r.fields)
            r.updatedAt = Date()
            try r.update(db)
            return r
        }
    }

    /// Deletes an upstream and its recorded tools; refused while a server uses it.
    public func deleteUpstream(named name: String) throws(StoreError) {
        try write { db in
            guard let r = try UpstreamRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "no upstream named '\(name)'")
            }
            let users = try String.fetchAll(
                db, sql: "SELECT s.name FROM serverUpstream su JOIN server s ON s.id = su.serverId WHERE su.upstreamId = ? ORDER BY s.name",
                arguments: [r.id])
            if !users.isEmpty {
                throw StoreError(
                    .conflict,
                    "upstream '\(name)' is used by server\(users.count == 1 ? "" : "s") \(users.map { "'\($0)'" }.joined(separator: ", ")); remove it there first"
                )
            }
            _ = try UpstreamRecord.deleteOne(db, key: r.id)
        }
    }

    /// Every `{{credential:NAME}}` in a stdio environment must name an existing connection.
    static func checkReferences(_ db: Database, _ r: UpstreamRecord.New) throws {
        for (key, value) in r.env {
            for name in UpstreamRecord.credentialReferences(in: value)
            where try CredentialConnectionRecord.filter(Column("name") == name).fetchCount(db) == 0 {
                throw StoreError(
                    .notFound, "upstream '\(r.name)': environment \(key) refers to credential connection '\(name)', which does not exist")
            }
        }
    }

    static func validateUpstream(_ r: UpstreamRecord.New) throws(StoreError) {
        switch r.transport {
        case .streamable, .sse:
            guard let url = r.url, let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = c.host, !host.isEmpty
            else { throw StoreError(.invalid, "upstream '\(r.name)': url must be an absolute http or https URL") }
            guard c.user == nil, c.password == nil else {
                throw StoreError(.invalid, "upstream '\(r.name)': the URL may not carry a user or password; attach a credential instead")
            }
            guard r.command == nil else { throw StoreError(.invalid, "upstream '\(r.name)': an HTTP upstream takes no command") }
        case .stdio:
            guard let first = r.argv.first, !first.isEmpty else {
                throw StoreError(.invalid, "upstream '\(r.name)': a stdio upstream needs a command")
            }
            guard r.url == nil else { throw StoreError(.invalid, "upstream '\(r.name)': a stdio upstream takes no url") }
            guard r.credential == nil, r.headers == nil else {
                throw StoreError(.invalid, "upstream '\(r.name)': headers and credentials apply to HTTP upstreams only")
            }
        }
        for (k, v) in r.headerFields {
            guard k.range(of: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$", options: .regularExpression) != nil,
                !v.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F })
            else { throw StoreError(.invalid, "upstream '\(r.name)': header '\(k.prefix(40))' is not a valid header") }
        }
        for (k, _) in r.env where k.isEmpty || k.contains("=") || k.contains("\0") {
            throw StoreError(.invalid, "upstream '\(r.name)': environment name '\(k.prefix(40))' is invalid")
        }
        if let t = r.timeoutSeconds, !(t > 0 && t <= 3600) {
            throw StoreError(.invalid, "upstream '\(r.name)': timeout must be between 0 and 3600 seconds")
        }
        if let m = r.maxTimeoutSeconds, !(m > 0 && m <= 86_400) {
            throw StoreError(.invalid, "upstream '\(r.name)': max timeout must be between 0 and 86400 seconds")
        }
        if let t = r.timeoutSeconds, let m = r.maxTimeoutSeconds, t > m {
            throw StoreError(.invalid, "upstream '\(r.name)': timeout (\(t) s) exceeds max timeout (\(m) s)")
        }
    }

    /// The tools recorded for an upstream, by name.
    public func upstreamTools(upstream name: String) throws(StoreError) -> [UpstreamToolRecord] {
        let u = try upstream(named: name)
        return try read { db in try UpstreamToolRecord.filter(Column("upstreamId") == u.id).order(Column("name")).fetchAll(db) }
    }

    /// Records what an upstream lists now, in one transaction: new tools are approved on first use, changed ones are
    /// held back until approved, missing ones are marked removed.
    public func recordUpstreamTools(upstream name: String, seen: [SeenUpstreamTool]) throws(StoreError) -> [UpstreamToolChange] {
        try write { db in
            guard let u = try UpstreamRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "no upstream named '\(name)'")
            }
            let existing = try UpstreamToolRecord.filter(Column("upstreamId") == u.id).fetchAll(db)
            var byName = Dictionary(existing.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            var changes: [UpstreamToolChange] = []
            let now = Date()
            for tool in seen {
                let flags = tool.flags.isEmpty ? nil : tool.flags.joined(separator: "\n")
                guard var row = byName.removeValue(forKey: tool.name) else {
                    // Trusted on first use, unless its text hides something (escapes, invisible or bidi characters).
                    let trusted = tool.flags.isEmpty
                    _ = try UpstreamToolRecord.New(
                        upstreamId: u.id, name: tool.name, status: trusted ? .approved : .pending,
                        approvedFingerprint: trusted ? tool.fingerprint : nil,
                        approvedDefinition: trusted ? tool.definition : nil, currentFingerprint: tool.fingerprint, currentDefinition: tool.definition,
                        flags: flags, firstSeen: now, updatedAt: now
                    ).insertStored(db)
                    changes.append(UpstreamToolChange(tool: tool.name, kind: trusted ? .added : .flagged))
                    continue
                }
                let status: UpstreamToolRecord.Status = row.approvedFingerprint == tool.fingerprint ? .approved : .pending
                if row.currentFingerprint == tool.fingerprint && row.status == status && row.flags == flags { continue }
                if status == .pending && row.currentFingerprint != tool.fingerprint {
                    changes.append(UpstreamToolChange(tool: tool.name, kind: .changed))
                } else if status == .approved && row.status != .approved {
                    changes.append(UpstreamToolChange(tool: tool.name, kind: .restored))
                } else if status == .pending && row.status == .removed {
                    changes.append(UpstreamToolChange(tool: tool.name, kind: .changed))
                }
                row.status = status
                row.currentFingerprint = tool.fingerprint
                row.currentDefinition = tool.definition
                row.flags = flags
                row.updatedAt = now
                try row.update(db)
            }
            for var row in byName.values where row.status != .removed {
                row.status = .removed
                row.updatedAt = now
                try row.update(db)
                changes.append(UpstreamToolChange(tool: row.name, kind: .removed))
            }
            return changes.sorted { $0.tool < $1.tool }
        }
    }

    /// Approves the current definition of held-back tools (nil = every held-back tool). Returns the approved names.
    public func approveUpstreamTools(upstream name: String, tools: [String]?) throws(StoreError) -> [String] {
        try write { db in
            guard let u = try UpstreamRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "no upstream named '\(name)'")
            }
            let rows = try UpstreamToolRecord.filter(Column("upstreamId") == u.id).fetchAll(db)
            var approved: [String] = []
            if let tools {
                for t in tools {
                    guard var row = rows.first(where: { $0.name == t }) else {
                        throw StoreError(.notFound, "upstream '\(name)' has no recorded tool '\(t)'")
                    }
                    guard row.status == .pending else {
                        throw StoreError(.invalid, "tool '\(t)' of upstream '\(name)' is \(row.status.rawValue), not waiting for approval")
                    }
                    Self.approve(&row)
                    try row.update(db)
                    approved.append(t)
                }
            } else {
                for var row in rows where row.status == .pending {
                    Self.approve(&row)
                    try row.update(db)
                    approved.append(row.name)
                }
            }
            return approved.sorted()
        }
    }

    private static func approve(_ row: inout UpstreamToolRecord) {
        row.status = .approved
        row.approvedFingerprint = row.currentFingerprint
        row.approvedDefinition = row.currentDefinition
        row.updatedAt = Date()
    }

    /// A server's upstream sources, in order.
    public func serverUpstreams(server name: String) throws(StoreError) -> [ServerUpstreamSource] {
        let server = try server(named: name)
        return try read { db in try Self.fetchSources(db, serverIds: [server.id])[server.id] ?? [] }
    }

    static func fetchSources(_ db: Database, serverIds: [Int64]?) throws -> [Int64: [ServerUpstreamSource]] {
        let links = try (serverIds.map { ServerUpstreamRecord.filter($0.contains(Column("serverId"))) } ?? ServerUpstreamRecord.all())
            .order(Column("serverId"), Column("position")).fetchAll(db)
        let names = Dictionary(uniqueKeysWithValues: try UpstreamRecord.fetchAll(db).map { ($0.id, $0.name) })
        var out: [Int64: [ServerUpstreamSource]] = [:]
        for l in links { out[l.serverId, default: []].append(ServerUpstreamSource(link: l, upstreamName: names[l.upstreamId] ?? "?")) }
        return out
    }

    /// Adds (or replaces, in place) an upstream source of a server.
    public func addServerUpstream(server serverName: String, _ spec: ServerUpstreamSpec) throws(StoreError) {
        try Self.validate(spec)
        let server = try server(named: serverName)
        try write { db in
            let existing = try ServerUpstreamRecord.filter(Column("serverId") == server.id).order(Column("position")).fetchAll(db)
            let upstreamId = try Self.upstreamId(db, spec.upstream)
            // A replaced source keeps its place; a new one goes last.
            let position = existing.first { $0.upstreamId == upstreamId }?.position ?? ((existing.map(\.position).max() ?? -1) + 1)
            try Self.putLink(db, serverId: server.id, upstreamId: upstreamId, spec: spec, position: position)
        }
    }

    /// Makes a server's upstream sources exactly `specs`, in that order, in one transaction. Sources already equal
    /// and in place are not written (an unchanged configuration bumps no revision).
    public func setServerUpstreams(server serverName: String, _ specs: [ServerUpstreamSpec]) throws(StoreError) {
        for spec in specs { try Self.validate(spec) }
        let server = try server(named: serverName)
        try write { db in try Self.setLinks(db, serverId: server.id, specs) }
    }

    /// Creates a server with its API (if any) and upstream sources in one transaction.
    public func createServer(
        name: String, description: String = "", basePath: String, apiName: String?, operations selection: [String]?,
        upstreams specs: [ServerUpstreamSpec], enabled: Bool = true, requireSubscription: Bool = false
    ) throws(StoreError) -> ServerRecord {
        try Self.validateName(name)
        let basePath = try Self.normaliseBasePath(basePath)
        for spec in specs { try Self.validate(spec) }
        let api = try apiName.map { name throws(StoreError) in try self.api(named: name) }
        guard api != nil || !specs.isEmpty else { throw StoreError(.invalid, "server '\(name)' needs an API or at least one upstream") }
        return try write { db in
            if try ServerRecord.filter(Column("name") == name).fetchCount(db) > 0 {
                throw StoreError(.conflict, "a server named '\(name)' already exists")
            }
            if let other = try ServerRecord.filter(Column("basePath") == basePath).fetchOne(db) {
                throw StoreError(.conflict, "base path '/\(basePath)' is already used by server '\(other.name)'")
            }
            let server = try ServerRecord.New(
                name: name, description: description, basePath: basePath, enabled: enabled, apiId: api?.id,
                allOperations: api != nil && selection == nil,
                requireSubscription: requireSubscription
            ).insertStored(db)
            if let api {
                let ops = try OperationRecord.filter(Column("apiId") == api.id).order(Column("position")).fetchAll(db)
                let chosen = try Self.select(ops, by: selection, apiName: api.name)
                try Self.appendTools(db, serverId: server.id, operationIds: chosen.map { $0.id })
            }
            try Self.setLinks(db, serverId: server.id, specs)
            return server
        }
    }

    static func validate(_ spec: ServerUpstreamSpec) throws(StoreError) {
        if let p = spec.prefix, !p.isEmpty, p.range(of: "^[A-Za-z0-9_.-]{1,64}$", options: .regularExpression) == nil {
            throw StoreError(.invalid, "prefix '\(p.prefix(40))' must be 1–64 characters of A–Z a–z 0–9 _ . -")
        }
        for (_, exposed) in spec.renames where exposed.range(of: "^[A-Za-z0-9_.-]{1,128}$", options: .regularExpression) == nil {
            throw StoreError(.invalid, "tool name '\(exposed.prefix(40))' must be 1–128 characters of A–Z a–z 0–9 _ . -")
        }
    }

    static func upstreamId(_ db: Database, _ name: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM upstream WHERE name = ?", arguments: [name]) else {
            throw StoreError(.notFound, "no upstream named '\(name)'")
        }
        return id
    }

    /// Writes one link unless an equal one is already there.
    static func putLink(_ db: Database, serverId: Int64, upstreamId: Int64, spec: ServerUpstreamSpec, position: Int) throws {
        let link = ServerUpstreamRecord.New(
            serverId: serverId, upstreamId: upstreamId, prefix: spec.prefix, tools: spec.tools, renames: spec.renames,
            descriptions: spec.descriptions, position: position)
        if let existing = try ServerUpstreamRecord.filter(Column("serverId") == serverId && Column("upstreamId") == upstreamId).fetchOne(db) {
            if existing.fields == link { return }
            try ServerUpstreamRecord(id: existing.id, link).update(db)
        } else {
            _ = try link.insertStored(db)
        }
    }

    static func setLinks(_ db: Database, serverId: Int64, _ specs: [ServerUpstreamSpec]) throws {
        var ids: [Int64] = []
        for spec in specs {
            let id = try upstreamId(db, spec.upstream)
            guard !ids.contains(id) else { throw StoreError(.invalid, "upstream '\(spec.upstream)' is listed twice") }
            ids.append(id)
        }
        try ServerUpstreamRecord.filter(Column("serverId") == serverId && !ids.contains(Column("upstreamId"))).deleteAll(db)
        for (position, (spec, id)) in zip(specs, ids).enumerated() {
            try putLink(db, serverId: serverId, upstreamId: id, spec: spec, position: position)
        }
    }

    /// Removes an upstream source from a server.
    public func removeServerUpstream(server serverName: String, upstream upstreamName: String) throws(StoreError) {
        let server = try server(named: serverName)
        let upstream = try upstream(named: upstreamName)
        let removed = try write { db in
            try ServerUpstreamRecord.filter(Column("serverId") == server.id && Column("upstreamId") == upstream.id).deleteAll(db)
        }
        if removed == 0 { throw StoreError(.notFound, "server '\(serverName)' does not use upstream '\(upstreamName)'") }
    }

    /// Creates a server with no API source (its tools come from upstreams added with ``addServerUpstream(server:_:)``).
    public func createServer(name: String, description: String = "", basePath: String, enabled: Bool = true) throws(StoreError) -> ServerRecord {
        try Self.validateName(name)
        let basePath = try Self.normaliseBasePath(basePath)
        return try write { db in
            if try ServerRecord.filter(Column("name") == name).fetchCount(db) > 0 {
                throw StoreError(.conflict, "a server named '\(name)' already exists")
            }
            if let other = try ServerRecord.filter(Column("basePath") == basePath).fetchOne(db) {
                throw StoreError(.conflict, "base path '/\(basePath)' is already used by server '\(other.name)'")
            }
            return try ServerRecord.New(name: name, description: description, basePath: basePath, enabled: enabled, apiId: nil, allOperations: false)
                .insertStored(db)
        }
    }
}
