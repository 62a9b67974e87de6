import Foundation
import GRDB

/// An upstream MCP server the gateway relays to: over Streamable HTTP, legacy HTTP+SSE, or a stdio child process.
public struct UpstreamFields: StoredFields {
    public static let databaseTableName = "upstream"

    /// How the gateway reaches the upstream.
    public enum Transport: String, Codable, Sendable, CaseIterable {
        /// Streamable HTTP (2025-03-26 and later) at `url`.
        case streamable
        /// The legacy HTTP+SSE transport (2024-11-05); `url` is the SSE endpoint.
        case sse
        /// A child process speaking newline-delimited JSON-RPC on stdin/stdout.
        case stdio
    }

    /// Unique name chosen by the admin.
    public var name: String
    public var transport: Transport
    /// The endpoint URL (HTTP transports).
    public var url: String?
    /// The argument vector, as JSON (stdio). Never passed through a shell.
    public var command: String?
    /// Extra environment variables for the child, as a JSON object (stdio).
    public var environment: String?
    /// The child's working directory (stdio).
    public var workingDirectory: String?
    /// Static request headers as a JSON object (HTTP transports). Never secrets: credentials go through `credential`.
    public var headers: String?
    /// Whether the upstream may be on loopback or a private network.
    public var allowPrivateNetwork: Bool
    /// A credential connection injected into every upstream HTTP request.
    public var credential: String?
    /// The origin the credential was attached for; it is never sent elsewhere.
    public var credentialOrigin: String?
    /// Seconds a call may stay silent (progress resets it); nil = the engine default.
    public var timeoutSeconds: Double?
    /// Seconds a call may take at most, progress or not; nil = the engine default.
    public var maxTimeoutSeconds: Double?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, transport: Transport, url: String? = nil, argv: [String]? = nil, environment: [String: String]? = nil,
        workingDirectory: String? = nil, headers: [String: String]? = nil, allowPrivateNetwork: Bool = false, credential: String? = nil,
        credentialOrigin: String? = nil, timeoutSeconds: Double? = nil, maxTimeoutSeconds: Double? = nil, createdAt: Date = Date(),
        updatedAt: Date = Date()
    ) {
        self.name = name
        self.transport = transport
        self.url = url
        self.command = argv.map(Self.encode)
        self.environment = environment.flatMap { $0.isEmpty ? nil : Self.encode($0) }
        self.workingDirectory = workingDirectory
        self.headers = headers.flatMap { $0.isEmpty ? nil : Self.encode($0) }
        self.allowPrivateNetwork = allowPrivateNetwork
        self.credential = credential
        self.credentialOrigin = credentialOrigin
        self.timeoutSeconds = timeoutSeconds
        self.maxTimeoutSeconds = maxTimeoutSeconds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The stdio argument vector (empty for HTTP upstreams).
    public var argv: [String] {
        get { command.flatMap { Self.decode($0) } ?? [] }
        set { command = newValue.isEmpty ? nil : Self.encode(newValue) }
    }

    /// The stdio child's extra environment.
    public var env: [String: String] {
        get { environment.flatMap { Self.decode($0) } ?? [:] }
        set { environment = newValue.isEmpty ? nil : Self.encode(newValue) }
    }

    /// The static HTTP headers.
    public var headerFields: [String: String] {
        get { headers.flatMap { Self.decode($0) } ?? [:] }
        set { headers = newValue.isEmpty ? nil : Self.encode(newValue) }
    }

    /// The connection names referenced as `{{credential:NAME}}` in a value (stdio environments take secrets this
    /// way, so they stay sealed in the credential store).
    public static func credentialReferences(in value: String) -> [String] {
        var names: [String] = []
        var rest = value[...]
        while let start = rest.range(of: "{{credential:"), let end = rest[start.upperBound...].range(of: "}}") {
            names.append(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return names
    }

    /// Whether a value is nothing but `{{credential:NAME}}` references (it then holds no secret and may be shown).
    public static func isCredentialReference(_ value: String) -> Bool {
        let names = credentialReferences(in: value)
        guard !names.isEmpty else { return false }
        var rest = value
        for name in names { rest = rest.replacingOccurrences(of: "{{credential:\(name)}}", with: "") }
        return rest.isEmpty
    }

    /// Every connection the upstream uses: its HTTP credential and the references in its environment.
    public var referencedConnections: [String] {
        var names = credential.map { [$0] } ?? []
        for value in env.values { names += Self.credentialReferences(in: value) }
        return names
    }

    /// Where the upstream is, for lists: the URL or the command line.
    public var location: String {
        transport == .stdio ? argv.joined(separator: " ") : (url ?? "")
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }

    static func decode<T: Decodable>(_ text: String) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}

/// An upstream as stored: its id and its fields (``UpstreamFields``).
public typealias UpstreamRecord = Stored<UpstreamFields>

extension Stored where Fields == UpstreamFields {
    /// How the gateway reaches the upstream.
    public typealias Transport = UpstreamFields.Transport

    /// See ``UpstreamFields/credentialReferences(in:)``.
    public static func credentialReferences(in value: String) -> [String] { UpstreamFields.credentialReferences(in: value) }

    /// See ``UpstreamFields/isCredentialReference(_:)``.
    public static func isCredentialReference(_ value: String) -> Bool { UpstreamFields.isCredentialReference(value) }
}

/// One tool an upstream lists, as the gateway last saw it and as an admin approved it (tool pinning).
///
/// The first definition seen is approved (trust on first use) unless its text is flagged. A later definition with another fingerprint is held
/// back (`pending`) until an admin approves it; a tool the upstream stops listing is `removed`.
public struct UpstreamToolFields: StoredFields {
    public static let databaseTableName = "upstreamTool"

    public enum Status: String, Codable, Sendable {
        /// The current definition is the approved one: the tool is served.
        case approved
        /// The definition changed since approval: the tool is held back.
        case pending
        /// The upstream no longer lists the tool.
        case removed
    }

    public var upstreamId: Int64
    /// The tool's name at the upstream.
    public var name: String
    public var status: Status
    /// SHA-256 (hex) of the approved definition; nil before any approval.
    public var approvedFingerprint: String?
    /// The approved definition (the upstream's `tools/list` entry, JSON).
    public var approvedDefinition: String?
    /// SHA-256 (hex) of the definition last seen.
    public var currentFingerprint: String
    /// The definition last seen (JSON).
    public var currentDefinition: String
    /// Why the current definition is suspicious (control, zero-width, bidi or tag characters…), one per line.
    public var flags: String?
    public var firstSeen: Date
    public var updatedAt: Date

    public init(
        upstreamId: Int64, name: String, status: Status, approvedFingerprint: String?, approvedDefinition: String?,
        currentFingerprint: String, currentDefinition: String, flags: String?, firstSeen: Date = Date(), updatedAt: Date = Date()
    ) {
        self.upstreamId = upstreamId
        self.name = name
        self.status = status
        self.approvedFingerprint = approvedFingerprint
        self.approvedDefinition = approvedDefinition
        self.currentFingerprint = currentFingerprint
        self.currentDefinition = currentDefinition
        self.flags = flags
        self.firstSeen = firstSeen
        self.updatedAt = updatedAt
    }
}

/// An upstream tool as stored: its id and its fields (``UpstreamToolFields``).
public typealias UpstreamToolRecord = Stored<UpstreamToolFields>

extension Stored where Fields == UpstreamToolFields {
    /// Approved, pending an administrator's approval, or removed upstream.
    public typealias Status = UpstreamToolFields.Status
}

/// An upstream as one source of a server's tools: which of its tools, and under which names.
public struct ServerUpstreamFields: StoredFields {
    public static let databaseTableName = "serverUpstream"
    public var serverId: Int64
    public var upstreamId: Int64
    /// Prepended to every tool and prompt name of the upstream (unless renamed).
    public var prefix: String?
    /// The upstream tool names exposed, as a JSON array; nil exposes every tool.
    public var tools: String?
    /// Exposed names by upstream tool name, as a JSON object (the prefix does not apply to them).
    public var renames: String?
    /// Description overrides by upstream tool name, as a JSON object.
    public var descriptions: String?
    public var position: Int

    public init(
        serverId: Int64, upstreamId: Int64, prefix: String? = nil, tools: [String]? = nil, renames: [String: String] = [:],
        descriptions: [String: String] = [:], position: Int = 0
    ) {
        self.serverId = serverId
        self.upstreamId = upstreamId
        self.prefix = prefix.flatMap { $0.isEmpty ? nil : $0 }
        self.tools = tools.map(UpstreamFields.encode)
        self.renames = renames.isEmpty ? nil : UpstreamFields.encode(renames)
        self.descriptions = descriptions.isEmpty ? nil : UpstreamFields.encode(descriptions)
        self.position = position
    }

    /// The selected upstream tool names; nil = every tool.
    public var toolSelection: [String]? {
        get { tools.flatMap { UpstreamFields.decode($0) } }
        set { tools = newValue.map(UpstreamFields.encode) }
    }

    /// Exposed names by upstream tool name.
    public var renameMap: [String: String] {
        get { renames.flatMap { UpstreamFields.decode($0) } ?? [:] }
        set { renames = newValue.isEmpty ? nil : UpstreamFields.encode(newValue) }
    }

    /// Description overrides by upstream tool name.
    public var descriptionMap: [String: String] {
        get { descriptions.flatMap { UpstreamFields.decode($0) } ?? [:] }
        set { descriptions = newValue.isEmpty ? nil : UpstreamFields.encode(newValue) }
    }

    /// The name clients see for an upstream tool.
    public func exposedName(of remote: String) -> String {
        renameMap[remote] ?? ((prefix ?? "") + remote)
    }
}

/// A server's upstream source as stored: its id and its fields (``ServerUpstreamFields``).
public typealias ServerUpstreamRecord = Stored<ServerUpstreamFields>

extension Stored where Fields == ServerUpstreamFields {

    /// See ``ServerUpstreamFields/exposedName(of:)``.
    public func exposedName(of remote: String) -> String { fields.exposedName(of: remote) }
}
