import Foundation
import GRDB

/// An MCP server registered in the gateway's registry that the gateway does not host (issue 18): its `server.json`
/// as given (remotes and packages), with the admin's lifecycle, owner and tags. One row per name and version.
///
/// A removed entry stays as a tombstone (`deletedAt`) so that registry clients syncing with `updated_since` learn of
/// the deletion; registering the same name and version again revives it.
public struct RegistryEntryFields: StoredFields {
    public static let databaseTableName = "registryEntry"

    /// Where the server is in its life (API Center's lifecycle stages).
    public enum Lifecycle: String, Codable, Sendable, CaseIterable {
        case development, testing, production, deprecated, retired
    }

    /// Whether the entry is listed: imports land `pending` until an admin approves them.
    public enum Approval: String, Codable, Sendable, CaseIterable {
        case approved, pending
    }

    /// The reverse-DNS name (`com.example/weather`).
    public var name: String
    public var version: String
    /// The `server.json` document served, as JSON text.
    public var document: String
    /// A changed `server.json` an import brought for an approved entry: served only once approved (the approved one
    /// stays served meanwhile).
    public var pendingDocument: String?
    public var lifecycle: Lifecycle
    public var owner: String?
    /// Tags as a JSON array of strings.
    public var tags: String?
    /// Why the entry is deprecated or retired (≤ 500 characters).
    public var statusMessage: String?
    public var approval: Approval
    /// Where it came from: `cli`, `apply`, `console`, or `import <source>`.
    public var origin: String
    /// Whether health probes may reach its remote on loopback or a private network (the SSRF guard refuses otherwise).
    public var allowPrivateNetwork: Bool
    /// Set when the entry was removed (a tombstone).
    public var deletedAt: Date?
    public var publishedAt: Date
    public var updatedAt: Date
    public var statusChangedAt: Date

    public init(
        name: String, version: String, document: String, lifecycle: Lifecycle = .production, owner: String? = nil,
        tags: [String] = [],
        statusMessage: String? = nil, approval: Approval = .approved, origin: String = "cli", allowPrivateNetwork: Bool = false,
        deletedAt: Date? = nil,
        publishedAt: Date = .storeNow, updatedAt: Date = .storeNow, statusChangedAt: Date = .storeNow
    ) {
        self.allowPrivateNetwork = allowPrivateNetwork
        self.name = name
        self.version = version
        self.document = document
        self.pendingDocument = nil
        self.lifecycle = lifecycle
        self.owner = owner
        self.tags = tags.isEmpty ? nil : UpstreamFields.encode(tags)
        self.statusMessage = statusMessage
        self.approval = approval
        self.origin = origin
        self.deletedAt = deletedAt
        self.publishedAt = publishedAt
        self.updatedAt = updatedAt
        self.statusChangedAt = statusChangedAt
    }

    /// The tags.
    public var tagList: [String] {
        get { tags.flatMap { UpstreamFields.decode($0) } ?? [] }
        set { tags = newValue.isEmpty ? nil : UpstreamFields.encode(newValue) }
    }

    /// Whether an admin's approval is awaited (a new import, or an imported change of an approved entry).
    public var awaitsApproval: Bool { deletedAt == nil && (approval == .pending || pendingDocument != nil) }

    /// The registry status clients see: `deleted` for tombstones and retired entries, `deprecated` for deprecated
    /// ones, else `active`.
    public var status: RegistryStatus {
        if deletedAt != nil { return .deleted }
        return RegistryStatus(lifecycle: lifecycle)
    }
}

/// A registry entry as stored: its id and its fields (``RegistryEntryFields``).
public typealias RegistryEntryRecord = Stored<RegistryEntryFields>

extension Stored where Fields == RegistryEntryFields {
    /// Where the server is in its life.
    public typealias Lifecycle = RegistryEntryFields.Lifecycle
    /// Whether the entry is listed.
    public typealias Approval = RegistryEntryFields.Approval
}

/// The lifecycle status the MCP Registry API publishes (`_meta."io.modelcontextprotocol.registry/official".status`).
public enum RegistryStatus: String, Codable, Sendable, CaseIterable {
    case active, deprecated, deleted

    /// The status of a lifecycle stage: retired is deleted, deprecated is deprecated, the rest are active.
    public init(lifecycle: RegistryEntryFields.Lifecycle) {
        switch lifecycle {
        case .retired: self = .deleted
        case .deprecated: self = .deprecated
        case .development, .testing, .production: self = .active
        }
    }
}

/// What an admin set for a gateway server's registry entry: a version (else one is derived from the configuration
/// revision), a title, a description, lifecycle, owner and tags. Deleted with its server. One row per server, found
/// by `serverId` (the table's own `id` column is never needed, so the type has none).
public struct RegistryGatewayRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "registryGateway"
    public var serverId: Int64
    public var version: String?
    public var title: String?
    public var description: String?
    public var lifecycle: RegistryEntryFields.Lifecycle
    public var owner: String?
    /// Tags as a JSON array.
    public var tags: String?
    public var statusMessage: String?
    public var updatedAt: Date

    public init(
        serverId: Int64, version: String? = nil, title: String? = nil, description: String? = nil,
        lifecycle: RegistryEntryFields.Lifecycle = .production, owner: String? = nil, tags: [String] = [], statusMessage: String? = nil,
        updatedAt: Date = .storeNow
    ) {
        self.serverId = serverId
        self.version = version
        self.title = title
        self.description = description
        self.lifecycle = lifecycle
        self.owner = owner
        self.tags = tags.isEmpty ? nil : UpstreamFields.encode(tags)
        self.statusMessage = statusMessage
        self.updatedAt = updatedAt
    }

    public var tagList: [String] {
        get { tags.flatMap { UpstreamFields.decode($0) } ?? [] }
        set { tags = newValue.isEmpty ? nil : UpstreamFields.encode(newValue) }
    }

    /// Whether nothing differs from the defaults (the row can go).
    public var isDefault: Bool {
        version == nil && title == nil && description == nil && lifecycle == .production && owner == nil && tags == nil && statusMessage == nil
    }
}

/// How the engine last published a gateway server's entry: its name, version and the fingerprint of its
/// `server.json` (without live figures), so that versions and `updatedAt` move only when what clients see changes,
/// across restarts. A server that is deleted or disabled keeps its row as a tombstone. Written by the engine; not
/// configuration (no revision bump).
public struct RegistryPublishedRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "registryPublished"
    /// The registry name (`io.example.gw/pets`).
    public var name: String
    /// The gateway server it describes.
    public var server: String
    public var version: String
    public var fingerprint: String
    /// The status it was published with (`deleted` once the server is gone or disabled).
    public var status: RegistryStatus
    /// The `server.json` published (origin left as a placeholder), so a tombstone can still be listed.
    public var document: String
    public var publishedAt: Date
    public var updatedAt: Date
    public var statusChangedAt: Date
    public var deletedAt: Date?

    public init(
        name: String, server: String, version: String, fingerprint: String, status: RegistryStatus, document: String, publishedAt: Date,
        updatedAt: Date, statusChangedAt: Date, deletedAt: Date? = nil
    ) {
        self.name = name
        self.server = server
        self.version = version
        self.fingerprint = fingerprint
        self.status = status
        self.document = document
        self.publishedAt = publishedAt
        self.updatedAt = updatedAt
        self.statusChangedAt = statusChangedAt
        self.deletedAt = deletedAt
    }
}

/// The last health probe of a target (`external:<name>` or `upstream:<name>`): an MCP `initialize` and
/// `tools/list`. Written by the prober (or `gatehouse registry probe`); not configuration.
public struct RegistryHealthRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "registryHealth"

    /// What the probe found.
    public enum State: String, Codable, Sendable, CaseIterable {
        /// `initialize` and `tools/list` answered.
        case reachable
        /// The server answered 401 or 403.
        case authRequired = "auth-required"
        /// No answer: DNS, connection, TLS, timeout, a 5xx, or an address the SSRF guard refuses.
        case unreachable
        /// An answer that is not MCP (an HTML page, a 404, invalid JSON-RPC).
        case notMCP = "not-mcp"
        /// Never probed (yet), or not probeable (stdio, URL templates).
        case unknown
    }

    public var target: String
    public var state: State
    /// Why, in one line (the error, or the server's name and protocol version).
    public var detail: String?
    public var latencyMs: Double?
    public var toolCount: Int?
    /// SHA-256 of the sorted tool definitions.
    public var fingerprint: String?
    /// The tool names as a JSON array.
    public var tools: String?
    public var checkedAt: Date
    public var lastReachableAt: Date?
    /// When the state last changed.
    public var changedAt: Date

    public init(
        target: String, state: State, detail: String? = nil, latencyMs: Double? = nil, toolCount: Int? = nil, fingerprint: String? = nil,
        tools: [String]? = nil, checkedAt: Date = .storeNow, lastReachableAt: Date? = nil, changedAt: Date = .storeNow
    ) {
        self.target = target
        self.state = state
        self.detail = detail
        self.latencyMs = latencyMs
        self.toolCount = toolCount
        self.fingerprint = fingerprint
        self.tools = tools.map(UpstreamFields.encode)
        self.checkedAt = checkedAt
        self.lastReachableAt = lastReachableAt
        self.changedAt = changedAt
    }

    public var toolNames: [String] { tools.flatMap { UpstreamFields.decode($0) } ?? [] }
}

/// One probe in a target's health history (the last ``GatewayStore/healthHistoryLimit`` are kept). The table's `id`
/// column orders the history; the type has none, since nothing looks an event up by it.
public struct RegistryHealthEventRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "registryHealthEvent"
    public var target: String
    public var time: Date
    public var state: RegistryHealthRecord.State
    public var detail: String?
    public var latencyMs: Double?
    public var toolCount: Int?
    public var fingerprint: String?
    /// What changed with this probe (`state: reachable → unreachable`, `tools changed: 3 → 4`), nil when nothing did.
    public var change: String?

    public init(
        target: String, time: Date, state: RegistryHealthRecord.State, detail: String?, latencyMs: Double?, toolCount: Int?,
        fingerprint: String?, change: String?
    ) {
        self.target = target
        self.time = time
        self.state = state
        self.detail = detail
        self.latencyMs = latencyMs
        self.toolCount = toolCount
        self.fingerprint = fingerprint
        self.change = change
    }
}

/// Who may read the registry. One row.
public struct RegistrySettingsRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "registrySettings"
    public var id: Int64 = 1
    /// Whether unidentified callers may read: nil = only on a loopback bind.
    public var anonymousRead: Bool?
    /// Whether every registry request must carry a valid `Gatehouse-Subscription-Key`.
    public var requireSubscription: Bool

    public init(anonymousRead: Bool? = nil, requireSubscription: Bool = false) {
        self.anonymousRead = anonymousRead
        self.requireSubscription = requireSubscription
    }
}
