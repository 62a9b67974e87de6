import Store

/// Answers "which policies apply to this tool, in which order" from stored documents, for the CLI and console.
public struct PolicyInspector: Sendable {
    /// One policy as it runs for a request.
    public struct Step: Sendable, Equatable {
        /// `inbound` or `outbound`.
        public var section: String
        /// The scope the policy comes from.
        public var scope: String
        /// The policy name (`rate-limit-by-key`, …).
        public var policy: String
    }

    let documents: [PolicyScope: PolicyDocument]
    /// Scopes whose stored document does not parse, with the reason.
    public let problems: [String: String]

    /// Parses every stored document; unreadable ones are listed in ``problems``.
    public init(_ records: [PolicyRecord]) {
        var docs: [PolicyScope: PolicyDocument] = [:]
        var problems: [String: String] = [:]
        for r in records {
            do {
                docs[try PolicyScope(parsing: r.scope)] = try PolicyDocument.parse(yaml: r.document, source: r.scope)
            } catch {
                problems[r.scope] = error.description
            }
        }
        documents = docs
        self.problems = problems
    }

    /// The policies a call to `tool` on `server` runs, in execution order: inbound global → server → tool, then
    /// outbound tool → server → global. With `tool` nil, the server-level requests (`initialize`, `tools/list`).
    public func steps(server: String, tool: String?) -> [Step] {
        var scopes: [PolicyScope] = [.global, .server(server)]
        if let tool { scopes.append(.tool(server: server, tool: tool)) }
        var out: [Step] = []
        for scope in scopes {
            for p in documents[scope]?.inbound ?? [] { out.append(Step(section: "inbound", scope: scope.description, policy: p.kindName)) }
        }
        for scope in scopes.reversed() {
            for p in documents[scope]?.outbound ?? [] { out.append(Step(section: "outbound", scope: scope.description, policy: p.kindName)) }
        }
        return out
    }
}
