import Foundation
import GatewayEngine

/// What the console knows about upstream MCP servers and the tools they list (tool pinning). Everything that comes
/// from an upstream (tool names, descriptions, definitions, the reasons they were flagged) is untrusted text: views
/// draw it through ``SafeText`` only.
extension ConsoleData {
    /// An upstream MCP server the gateway relays to.
    public struct UpstreamRow: Sendable, Equatable {
        public var name: String
        /// `streamable`, `sse` or `stdio`.
        public var transport: String
        /// The URL (HTTP transports) or the command line (stdio).
        public var location: String
        /// The names of its static HTTP headers (never their values).
        public var headerNames: [String]
        public var allowPrivateNetwork: Bool
        /// The credential connection injected into its HTTP requests, if any.
        public var credential: String?
        /// The servers whose tools it provides, with the prefix each gives its tools.
        public var servers: [UpstreamUse]
        /// Its recorded tools, by name.
        public var tools: [UpstreamToolRow]
        public var updatedAt: Date

        public init(
            name: String, transport: String, location: String, headerNames: [String] = [], allowPrivateNetwork: Bool = false,
            credential: String? = nil,
            servers: [UpstreamUse] = [], tools: [UpstreamToolRow] = [], updatedAt: Date
        ) {
            self.name = name
            self.transport = transport
            self.location = location
            self.headerNames = headerNames
            self.allowPrivateNetwork = allowPrivateNetwork
            self.credential = credential
            self.servers = servers
            self.tools = tools
            self.updatedAt = updatedAt
        }

        public var approvedCount: Int { tools.filter { $0.status == UpstreamToolRow.approved }.count }
        public var pendingCount: Int { tools.filter(\.isPending).count }
        public var removedCount: Int { tools.filter { $0.status == UpstreamToolRow.removed }.count }
        public var flaggedCount: Int { tools.filter { !$0.flags.isEmpty }.count }
        /// The tools held back until an admin approves their current definition.
        public var pendingTools: [UpstreamToolRow] { tools.filter(\.isPending) }
        /// Whether a tool waits for approval or carries suspicious text.
        public var needsReview: Bool { tools.contains { $0.isPending || !$0.flags.isEmpty } }
    }

    /// A server that takes tools from an upstream.
    public struct UpstreamUse: Sendable, Equatable {
        public var server: String
        /// Prepended to the upstream's tool names on that server.
        public var prefix: String?
        /// The upstream tool names the server exposes; nil = all.
        public var tools: [String]?

        public init(server: String, prefix: String? = nil, tools: [String]? = nil) {
            self.server = server
            self.prefix = prefix
            self.tools = tools
        }
    }

    /// One tool an upstream lists, as last seen and as approved.
    public struct UpstreamToolRow: Sendable, Equatable {
        public static let approved = "approved", pending = "pending", removed = "removed"

        /// The tool's name at the upstream (untrusted).
        public var name: String
        /// `approved`, `pending` (held back until approved) or `removed` (no longer listed).
        public var status: String
        /// Why the current definition is suspicious, one reason each (untrusted: they quote the definition's paths).
        public var flags: [String]
        /// The description of the approved definition; nil when the tool was never approved or has none.
        public var approvedDescription: String?
        /// The description of the definition last seen.
        public var currentDescription: String?
        /// The approved definition as pretty JSON; nil before any approval.
        public var approvedDefinition: String?
        /// The definition last seen, as pretty JSON.
        public var currentDefinition: String
        public var approvedFingerprint: String?
        /// What an approval from the console pins: the fingerprint of the definition the console shows.
        public var currentFingerprint: String
        /// The members (`description`, `inputSchema`…) that differ between the approved and the current definition.
        public var changedMembers: [String]
        public var firstSeen: Date
        public var updatedAt: Date

        public init(
            name: String, status: String, flags: [String] = [], approvedDescription: String? = nil, currentDescription: String? = nil,
            approvedDefinition: String? = nil, currentDefinition: String = "{}", approvedFingerprint: String? = nil, currentFingerprint: String = "",
            changedMembers: [String] = [], firstSeen: Date, updatedAt: Date
        ) {
            self.name = name
            self.status = status
            self.flags = flags
            self.approvedDescription = approvedDescription
            self.currentDescription = currentDescription
            self.approvedDefinition = approvedDefinition
            self.currentDefinition = currentDefinition
            self.approvedFingerprint = approvedFingerprint
            self.currentFingerprint = currentFingerprint
            self.changedMembers = changedMembers
            self.firstSeen = firstSeen
            self.updatedAt = updatedAt
        }

        public var isPending: Bool { status == Self.pending }
        /// Whether any definition of it was ever approved (a new tool with suspicious text starts pending without one).
        public var wasApproved: Bool { approvedFingerprint != nil }
    }
}
