import Foundation
import Store

/// Rules for upstream settings and server tool names, shared by the CLI and `apply`.
public enum UpstreamRules {
    /// Whether a static header name looks like it carries a secret: `Authorization`, `Proxy-Authorization`, `Cookie`,
    /// or a name containing `key`, `token` or `secret`. Static headers are stored in clear; secrets belong in a
    /// credential (sealed).
    static func isSecretHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        return ["authorization", "proxy-authorization", "cookie"].contains(n) || ["key", "token", "secret"].contains { n.contains($0) }
    }

    /// Why a static header cannot be stored, or nil. `credentialHint` says how to attach a credential instead.
    public static func headerProblem(name: String, value: String, credentialHint: String) -> String? {
        guard name.range(of: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$", options: .regularExpression) != nil else {
            return "'\(name.prefix(40))' is not a valid header name"
        }
        if ["host", "content-length", "transfer-encoding", "connection", "mcp-session-id", "mcp-protocol-version"].contains(name.lowercased()) {
            return "header '\(name)' is set by the gateway itself"
        }
        if isSecretHeader(name) {
            return
                "header '\(name)' looks like a secret, and static headers are stored in clear; put it in a credential (sealed) and attach it with \(credentialHint)"
        }
        if value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
            return "the value of header '\(name)' contains a control character"
        }
        return nil
    }

    /// Why an environment variable name cannot be used, or nil.
    public static func environmentNameProblem(_ name: String) -> String? {
        if name.isEmpty || name.contains("=") || name.contains("\0") {
            return "environment name '\(name.prefix(40))' is invalid (empty, or with '=' or NUL)"
        }
        return nil
    }

    /// Why a timeout pair is unusable, or nil.
    public static func timeoutProblem(timeout: Double?, maxTimeout: Double?) -> (field: String, message: String)? {
        if let t = timeout, !(t > 0 && t <= 3600) { return ("timeout", "must be more than 0 and at most 3600 seconds") }
        if let m = maxTimeout, !(m > 0 && m <= 86_400) { return ("maxTimeout", "must be more than 0 and at most 86400 seconds") }
        if let t = timeout, let m = maxTimeout, t > m {
            return ("timeout", "\(String(format: "%g", t)) s exceeds the max timeout (\(String(format: "%g", m)) s)")
        }
        return nil
    }

    /// Why an HTTP upstream URL is unusable, or nil.
    public static func urlProblem(_ url: String) -> String? {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = c.host, !host.isEmpty
        else { return "'\(url.prefix(200))' is not an absolute http or https URL" }
        if c.user != nil || c.password != nil { return "the URL may not carry a user or password; attach a credential instead" }
        return nil
    }

    /// Why an upstream tool prefix is unusable, or nil.
    public static func prefixProblem(_ prefix: String) -> String? {
        prefix.range(of: "^[A-Za-z0-9_.-]{1,64}$", options: .regularExpression) == nil
            ? "prefix '\(prefix.prefix(40))' must be 1–64 characters of A–Z a–z 0–9 _ . -" : nil
    }

    /// Why an exposed tool name is unusable, or nil.
    public static func toolNameProblem(_ name: String) -> String? {
        name.range(of: "^[A-Za-z0-9_.-]{1,128}$", options: .regularExpression) == nil
            ? "tool name '\(name.prefix(40))' must be 1–128 characters of A–Z a–z 0–9 _ . -" : nil
    }

    /// A name a server's source would expose, and which source claims it.
    public struct Claim: Sendable, Equatable {
        /// The name clients see.
        public var name: String
        /// The source, for messages: `API 'petstore' (operation 'listPets')`, `upstream 'fast' (tool 'echo')`.
        public var source: String
        /// Which source: the API name or the upstream name, so a source never collides with itself as a whole.
        var sourceKey: String

        /// A claim of `name` by `source` (for messages) and `sourceKey` (the API or upstream name).
        public init(name: String, source: String, sourceKey: String) {
            self.name = name
            self.source = source
            self.sourceKey = sourceKey
        }
    }

    /// The names an API source exposes.
    public static func apiClaims(api: String, tools: [(operation: String, name: String)]) -> [Claim] {
        tools.map { Claim(name: $0.name, source: "API '\(api)' (operation '\($0.operation)')", sourceKey: "api:\(api)") }
    }

    /// The names an upstream source exposes: its selection (or every recorded tool still listed), renamed and prefixed.
    public static func upstreamClaims(_ spec: ServerUpstreamSpec, recorded: [UpstreamToolRecord]) -> [Claim] {
        let names = spec.tools ?? recorded.filter { $0.status != .removed }.map(\.name)
        let link = ServerUpstreamRecord.New(serverId: 0, upstreamId: 0, prefix: spec.prefix, renames: spec.renames)
        return names.map {
            Claim(name: link.exposedName(of: $0), source: "upstream '\(spec.upstream)' (tool '\($0)')", sourceKey: "upstream:\(spec.upstream)")
        }
    }

    /// The first name claimed twice, or nil.
    public static func firstCollision(_ claims: [Claim]) -> (first: Claim, second: Claim)? {
        var seen: [String: Claim] = [:]
        for c in claims {
            if let other = seen[c.name] { return (other, c) }
            seen[c.name] = c
        }
        return nil
    }

    /// The message for a collision; `hint` says how to resolve it (`--prefix UP=P`, `prefix:`…).
    public static func collisionMessage(_ collision: (first: Claim, second: Claim), hint: String) -> String {
        "tool name '\(collision.first.name)' is exposed by both \(collision.first.source) and \(collision.second.source); \(hint)"
    }

    /// A source as the spec it was stored from.
    public static func spec(of source: ServerUpstreamSource) -> ServerUpstreamSpec {
        ServerUpstreamSpec(
            upstream: source.upstreamName, prefix: source.link.prefix, tools: source.link.toolSelection, renames: source.link.renameMap,
            descriptions: source.link.descriptionMap)
    }

    /// Replaces a server's upstream sources with `specs`, in that order, in one transaction. Links already equal
    /// and in place are not touched (so an unchanged file bumps no revision).
    static func replaceSources(store: GatewayStore, server: String, with specs: [ServerUpstreamSpec]) throws(StoreError) {
        try store.setServerUpstreams(server: server, specs)
    }

    /// Replaces one source in place (the order is kept).
    public static func replaceSource(store: GatewayStore, server: String, with spec: ServerUpstreamSpec) throws(StoreError) {
        var specs = try store.serverUpstreams(server: server).map(spec(of:))
        if let i = specs.firstIndex(where: { $0.upstream == spec.upstream }) { specs[i] = spec } else { specs.append(spec) }
        try replaceSources(store: store, server: server, with: specs)
    }

}

extension ConfigApplier {
    /// An `upstreams:` entry checked and ready to store.
    struct PreparedUpstream {
        var entry: ConfigDocument.Upstream
        /// The record to store (environment values marked `stored: true` are filled in from the stored upstream).
        var record: UpstreamRecord.New
        /// Environment names whose stored values are kept.
        var keptEnvironment: Set<String>
    }

    /// Checks every `upstreams:` entry before anything is written. Nothing here touches the network: the engine
    /// connects (through the SSRF guard) and discovers tools when the upstream is first used.
    func checkUpstreams(_ doc: ConfigDocument, file: String, baseDirectory: String, connectionNames: Set<String>) throws -> [PreparedUpstream] {
        var out: [PreparedUpstream] = []
        var names = Set<String>()
        for (i, u) in (doc.upstreams ?? []).enumerated() {
            let base = "\(file): upstreams[\(i)]"
            func fail(_ field: String?, _ message: String) -> GatewayError {
                GatewayError(.invalidConfig, message, location: base + (field.map { ".\($0)" } ?? ""))
            }
            guard u.name.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", options: .regularExpression) != nil else {
                throw fail(
                    "name", "'\(u.name.prefix(64))' must be 1–64 characters of letters, digits, '_', '-', '.', starting with a letter or digit")
            }
            guard names.insert(u.name).inserted else { throw fail(nil, "upstream '\(u.name)' is listed twice") }
            let transport: UpstreamRecord.Transport
            switch (u.url, u.command) {
            case (nil, nil): throw fail(nil, "upstream '\(u.name)' needs url (Streamable HTTP or SSE) or command (stdio)")
            case (.some, .some): throw fail(nil, "upstream '\(u.name)' has both url and command; give one")
            case (.some, nil):
                switch u.transport {
                case nil, "streamable"?: transport = .streamable
                case "sse"?: transport = .sse
                case "stdio"?: throw fail("transport", "stdio needs command, not url")
                case let t?: throw fail("transport", "'\(t.prefix(40))': expected streamable, sse or stdio")
                }
            case (nil, .some):
                switch u.transport {
                case nil, "stdio"?: transport = .stdio
                case "streamable"?, "sse"?: throw fail("transport", "\(u.transport!) needs url, not command")
                case let t?: throw fail("transport", "'\(t.prefix(40))': expected streamable, sse or stdio")
                }
            }
            if let p = UpstreamRules.timeoutProblem(timeout: u.timeout, maxTimeout: u.maxTimeout) { throw fail(p.field, p.message) }
            let record: UpstreamRecord.New
            var kept = Set<String>()
            if transport == .stdio {
                if u.headers?.isEmpty == false { throw fail("headers", "headers apply to HTTP upstreams only") }
                if let c = u.credential, c != "none" { throw fail("credential", "credentials apply to HTTP upstreams only") }
                let argv = u.command ?? []
                guard let first = argv.first, !first.isEmpty else {
                    throw fail("command", "expected the program and its arguments, e.g. [python3, -m, server]")
                }
                if argv.contains(where: { $0.contains("\0") }) { throw fail("command", "an argument contains NUL") }
                var cwd = u.cwd
                if let d = cwd {
                    guard !d.isEmpty, !d.contains("\0") else { throw fail("cwd", "expected a directory path") }
                    if !d.hasPrefix("/") {
                        cwd = URL(fileURLWithPath: d, relativeTo: URL(fileURLWithPath: baseDirectory + "/")).standardizedFileURL.path
                    }
                }
                var command = argv
                if first.contains("/") && !first.hasPrefix("/") {
                    command[0] = URL(fileURLWithPath: first, relativeTo: URL(fileURLWithPath: (cwd ?? baseDirectory) + "/")).standardizedFileURL.path
                }
                var env: [String: String] = [:]
                let stored = try? store.upstream(named: u.name)
                for (k, v) in u.env ?? [:] {
                    if let p = UpstreamRules.environmentNameProblem(k) { throw fail("env", p) }
                    switch v {
                    case .value(let text): env[k] = text
                    case .reference(let ref):
                        let set = [ref.env != nil, ref.file != nil, ref.value != nil, ref.stored == true].filter { $0 }.count
                        guard set == 1 else { throw fail("env.\(k)", "give one of a value, env, file, value or stored: true") }
                        if let name = ref.env {
                            guard let value = environment[name] else { throw fail("env.\(k)", "environment variable \(name) is not set") }
                            env[k] = value
                        } else if let path = ref.file {
                            let full = path.hasPrefix("/") ? path : baseDirectory + "/" + path
                            guard let data = FileManager.default.contents(atPath: full) else { throw fail("env.\(k)", "cannot read \(path)") }
                            var text = String(decoding: data, as: UTF8.self)
                            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                            env[k] = text
                        } else if let value = ref.value {
                            env[k] = value
                        } else {
                            guard let old = stored?.env[k] else {
                                throw fail(
                                    "env.\(k)", "stored: true keeps a stored value, but upstream '\(u.name)' has none for \(k); give the value")
                            }
                            env[k] = old
                            kept.insert(k)
                        }
                    }
                    if env[k]?.contains("\0") == true { throw fail("env.\(k)", "the value contains NUL") }
                }
                record = UpstreamRecord.New(
                    name: u.name, transport: .stdio, argv: command, environment: env, workingDirectory: cwd,
                    allowPrivateNetwork: u.allowPrivateNetwork ?? false,
                    timeoutSeconds: u.timeout, maxTimeoutSeconds: u.maxTimeout)
            } else {
                let url = u.url!
                if let p = UpstreamRules.urlProblem(url) { throw fail("url", p) }
                if u.env?.isEmpty == false { throw fail("env", "env applies to stdio upstreams only") }
                if u.cwd != nil { throw fail("cwd", "cwd applies to stdio upstreams only") }
                for (k, v) in u.headers ?? [:] {
                    if let p = UpstreamRules.headerProblem(name: k, value: v, credentialHint: "credential: CONNECTION") {
                        throw fail("headers.\(k.prefix(40))", p)
                    }
                }
                var credential: String?
                var origin: String?
                if let c = u.credential, c != "none" {
                    guard connectionNames.contains(c) else {
                        throw fail("credential", "upstream '\(u.name)' uses credential '\(c)', which is neither in the file nor in the store")
                    }
                    credential = c
                    origin = credentialOrigin(of: url)
                }
                record = UpstreamRecord.New(
                    name: u.name, transport: transport, url: url, headers: u.headers, allowPrivateNetwork: u.allowPrivateNetwork ?? false,
                    credential: credential,
                    credentialOrigin: origin, timeoutSeconds: u.timeout, maxTimeoutSeconds: u.maxTimeout)
            }
            out.append(PreparedUpstream(entry: u, record: record, keptEnvironment: kept))
        }
        return out
    }

    /// Checks every server's `upstreams:` against the upstreams as they will be, and the names all of a server's
    /// sources expose together. `apiClaims[i]` are the names server `i`'s API tools will have.
    func checkServerSources(_ doc: ConfigDocument, file: String, upstreams: [PreparedUpstream], apiClaims: [[UpstreamRules.Claim]]) throws {
        let inFile = Set(upstreams.map(\.record.name))
        for (i, s) in (doc.servers ?? []).enumerated() {
            var claims = apiClaims[i]
            var seen = Set<String>()
            for (j, src) in (s.upstreams ?? []).enumerated() {
                let base = "\(file): servers[\(i)].upstreams[\(j)]"
                func fail(_ field: String?, _ message: String) -> GatewayError {
                    GatewayError(.invalidConfig, message, location: base + (field.map { ".\($0)" } ?? ""))
                }
                guard seen.insert(src.upstream).inserted else {
                    throw fail("upstream", "upstream '\(src.upstream)' is listed twice in server '\(s.name)'")
                }
                let stored = try? store.upstream(named: src.upstream)
                guard inFile.contains(src.upstream) || stored != nil else {
                    throw fail("upstream", "server '\(s.name)' uses upstream '\(src.upstream)', which is neither in the file nor in the store")
                }
                if let p = src.prefix, let problem = UpstreamRules.prefixProblem(p) { throw fail("prefix", problem) }
                if let tools = src.tools {
                    if tools.isEmpty { throw fail("tools", "an empty list exposes nothing; omit tools to expose every tool") }
                    if let dup = Dictionary(grouping: tools, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                        throw fail("tools", "tool '\(dup)' is listed twice")
                    }
                }
                for (remote, exposed) in (src.rename ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if let p = UpstreamRules.toolNameProblem(exposed) { throw fail("rename.\(remote)", p) }
                    if let tools = src.tools, !tools.contains(remote) {
                        throw fail("rename.\(remote)", "'\(remote)' is not among this source's tools")
                    }
                }
                for remote in (src.descriptions ?? [:]).keys.sorted() {
                    if let tools = src.tools, !tools.contains(remote) {
                        throw fail("descriptions.\(remote)", "'\(remote)' is not among this source's tools")
                    }
                }
                let recorded = stored != nil ? ((try? store.upstreamTools(upstream: src.upstream)) ?? []) : []
                claims += UpstreamRules.upstreamClaims(Self.spec(src), recorded: recorded)
            }
            if let collision = UpstreamRules.firstCollision(claims) {
                throw GatewayError(
                    .invalidConfig, UpstreamRules.collisionMessage(collision, hint: "set a prefix or a rename on an upstream source"),
                    location: "\(file): servers[\(i)] (\(s.name))")
            }
        }
    }

    static func spec(_ src: ConfigDocument.ServerUpstream) -> ServerUpstreamSpec {
        ServerUpstreamSpec(
            upstream: src.upstream, prefix: src.prefix.flatMap { $0.isEmpty ? nil : $0 }, tools: src.tools, renames: src.rename ?? [:],
            descriptions: src.descriptions ?? [:])
    }

    /// Writes checked upstreams: new ones are added, existing ones replaced in place (their recorded tools and the
    /// servers using them are kept).
    func applyUpstreams(_ prepared: [PreparedUpstream], summary: inout Summary) throws {
        for p in prepared {
            if (try? store.upstream(named: p.record.name)) != nil {
                let wanted = p.record
                let kept = p.keptEnvironment
                _ = try store.updateUpstream(named: wanted.name) { r in
                    let old = r.env
                    let createdAt = r.createdAt
                    r.fields = wanted
                    r.createdAt = createdAt
                    // A value kept is the one stored now, read inside the transaction.
                    var env = r.env
                    for k in kept { env[k] = old[k] }
                    r.env = env
                }
            } else {
                _ = try store.addUpstream(p.record)
            }
            summary.upstreams.append(p.record.name)
        }
    }

    /// Replaces a server's upstream sources with the file's.
    func applyServerSources(_ s: ConfigDocument.Server) throws {
        try UpstreamRules.replaceSources(store: store, server: s.name, with: (s.upstreams ?? []).map(Self.spec))
    }

    /// The stored upstreams; environment values as `stored: true` unless `includeSecrets` or they only refer to
    /// credential connections.
    func exportUpstreams(into doc: inout ConfigDocument, includeSecrets: Bool) throws {
        var out: [ConfigDocument.Upstream] = []
        for u in try store.upstreams() {
            let timeouts = (u.timeoutSeconds, u.maxTimeoutSeconds)
            if u.transport == .stdio {
                // A value that refers to a credential connection holds no secret: it is exported as written.
                let env = u.env.mapValues {
                    includeSecrets || UpstreamRecord.isCredentialReference($0)
                        ? ConfigDocument.EnvironmentValue.value($0) : .reference(.init(stored: true))
                }
                out.append(
                    .init(
                        name: u.name, allowPrivateNetwork: u.allowPrivateNetwork ? true : nil, timeout: timeouts.0, maxTimeout: timeouts.1,
                        command: u.argv,
                        env: env.isEmpty ? nil : env, cwd: u.workingDirectory))
            } else {
                let headers = u.headerFields
                out.append(
                    .init(
                        name: u.name, url: u.url, transport: u.transport == .sse ? "sse" : nil,
                        allowPrivateNetwork: u.allowPrivateNetwork ? true : nil,
                        headers: headers.isEmpty ? nil : headers, credential: u.credential, timeout: timeouts.0, maxTimeout: timeouts.1))
            }
        }
        doc.upstreams = out.isEmpty ? nil : out
    }

    /// A server's upstream sources, for export.
    func exportSources(server: String) throws -> [ConfigDocument.ServerUpstream]? {
        let sources = try store.serverUpstreams(server: server)
        guard !sources.isEmpty else { return nil }
        return sources.map { s in
            let renames = s.link.renameMap
            let descriptions = s.link.descriptionMap
            return .init(
                upstream: s.upstreamName, prefix: s.link.prefix, tools: s.link.toolSelection, rename: renames.isEmpty ? nil : renames,
                descriptions: descriptions.isEmpty ? nil : descriptions)
        }
    }
}
