import Foundation

extension ConsoleData {
    /// One policy as it runs for a request (from the engine's `PolicyInspector`).
    public struct PolicyStep: Sendable, Equatable {
        /// `inbound` or `outbound`.
        public var section: String
        /// The scope the policy comes from.
        public var scope: String
        /// The policy's name (`rate-limit-by-key`, `ip-filter`, …).
        public var policy: String
        public init(section: String, scope: String, policy: String) {
            self.section = section
            self.scope = scope
            self.policy = policy
        }
    }

    /// One scope's policy document, with what it holds and, for server and tool scopes, every policy a request there
    /// runs in execution order.
    public struct PolicyRow: Sendable, Equatable {
        /// `global`, `server:<name>` or `tool:<server>/<tool>`.
        public var scope: String
        /// The YAML text as stored.
        public var document: String
        public var updatedAt: Date
        /// The inbound policies' names, in order.
        public var inbound: [String]
        /// The outbound policies' names, in order.
        public var outbound: [String]
        /// Why the document does not parse (the engine cannot apply it); nil when it is valid.
        public var problem: String?
        /// Server scope: what `initialize` and `tools/list` run; tool scope: what a call to the tool runs. Empty for
        /// `global`.
        public var effective: [PolicyStep]

        public init(
            scope: String, document: String, updatedAt: Date, inbound: [String], outbound: [String], problem: String? = nil,
            effective: [PolicyStep] = []
        ) {
            self.scope = scope
            self.document = document
            self.updatedAt = updatedAt
            self.inbound = inbound
            self.outbound = outbound
            self.problem = problem
            self.effective = effective
        }

        /// `global`, `server` or `tool` (what precedes the colon).
        public var kind: String {
            scope == "global" ? "global" : String(scope.prefix { $0 != ":" })
        }

        /// Global first, then servers, then tools, each by scope.
        static func displayOrder(_ a: PolicyRow, _ b: PolicyRow) -> Bool {
            let levels = ["global": 0, "server": 1, "tool": 2]
            let (la, lb) = (levels[a.kind] ?? 3, levels[b.kind] ?? 3)
            return la != lb ? la < lb : a.scope < b.scope
        }
    }

    /// A subscription: a named key holder. The key is never known to the console, only its last four characters.
    public struct SubscriptionRow: Sendable, Equatable {
        public var name: String
        /// The key's last four characters.
        public var keyHint: String
        /// The servers the key opens; nil for every server.
        public var servers: [String]?
        /// False when suspended.
        public var active: Bool
        public var expiresAt: Date?
        public var createdAt: Date

        public init(name: String, keyHint: String, servers: [String]?, active: Bool, expiresAt: Date?, createdAt: Date) {
            self.name = name
            self.keyHint = keyHint
            self.servers = servers
            self.active = active
            self.expiresAt = expiresAt
            self.createdAt = createdAt
        }

        /// Whether the key has expired at `now`.
        public func isExpired(at now: Date) -> Bool { expiresAt.map { $0 <= now } ?? false }
    }
}
