import Foundation
import Store
import Yams

/// Applies and exports the declarative configuration file.
///
/// `apply` reads and checks everything first (YAML shape, every spec, every upstream, every server's API, operations
/// and upstream sources, and the tool names they expose together) and only then writes, so a bad file changes
/// nothing. Entities not named in the file are left alone; a server's upstream sources are replaced by the file's.
/// Nothing about upstreams needs the network: the engine connects and discovers their tools when they are used.
public struct ConfigApplier: Sendable {
    let store: GatewayStore
    /// The environment (for `GATEHOUSE_MASTER_KEY` and `secret: {env: …}` references).
    let environment: [String: String]

    /// An applier over the store; `environment` resolves `GATEHOUSE_MASTER_KEY` and `{env: …}` secret references.
    public init(store: GatewayStore, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.store = store
        self.environment = environment
    }

    /// Parses a configuration file; errors name the line.
    public static func parse(_ text: String, file: String) throws(GatewayError) -> ConfigDocument {
        try refuseUnknownSections(text, file: file)
        let document: ConfigDocument
        do {
            document = try YAMLDecoder().decode(ConfigDocument.self, from: text)
        } catch let error as GatewayError {
            throw GatewayError(error.code, error.message, location: file + (error.location.map { ": \($0)" } ?? ""))
        } catch let DecodingError.keyNotFound(key, context) {
            throw GatewayError(.invalidConfig, "missing key '\(key.stringValue)'", location: file + pathText(context.codingPath))
        } catch let DecodingError.typeMismatch(_, context) {
            throw GatewayError(.invalidConfig, context.debugDescription, location: file + pathText(context.codingPath))
        } catch let DecodingError.dataCorrupted(context) {
            if let located = context.underlyingError as? GatewayError {
                throw GatewayError(located.code, located.message, location: file + (located.location.map { ": \($0)" } ?? ""))
            }
            if let yaml = context.underlyingError as? YamlError {
                throw GatewayError(.invalidConfig, "invalid YAML: \(yaml)", location: file)
            }
            throw GatewayError(.invalidConfig, context.debugDescription, location: file + pathText(context.codingPath))
        } catch let error as YamlError {
            throw GatewayError(.invalidConfig, "\(error)", location: file)
        } catch {
            throw GatewayError(.invalidConfig, "\(error)", location: file)
        }
        if let written = try? YAMLTreeConverter(sourceName: file).convert(text) {
            try refuseUnknownKeys(written: written, decoded: document, file: file)
        }
        return document
    }

    static func pathText(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "" }
        return ": "
            + path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    /// What applying did.
    public struct Summary: Sendable, Equatable {
        /// A key made for a new subscription (shown once).
        public struct CreatedKey: Sendable, Equatable {
            /// The subscription the key opens.
            public var subscription: String
            /// The key itself, shown once.
            public var key: String
        }

        /// The APIs imported or re-imported, by name.
        public var apis: [String] = []
        /// The upstreams added or changed.
        public var upstreams: [String] = []
        /// The servers created or updated.
        public var servers: [String] = []
        /// The policy scopes whose document was set.
        public var policies: [String] = []
        /// The subscriptions created or updated.
        public var subscriptions: [String] = []
        /// The credential providers added or changed.
        public var credentials: [String] = []
        /// Registry entries (`name@version`) and gateway servers whose entry was set.
        public var registry: [String] = []
        /// Keys made for new subscriptions (print them now: they are never shown again).
        public var createdKeys: [CreatedKey] = []
        /// Non-fatal findings (an operation whose output schema could not be honoured, removed operations…).
        public var warnings: [String] = []
    }

    /// Applies a document; relative spec paths are resolved against `baseDirectory`.
    public func apply(_ doc: ConfigDocument, baseDirectory: String, file: String) async throws -> Summary {
        var summary = Summary()
        let importer = APIImportService(store: store)
        var prepared: [APIImportService.Prepared] = []
        var names = Set<String>()
        for (i, api) in (doc.apis ?? []).enumerated() {
            guard names.insert(api.name).inserted else {
                throw GatewayError(.invalidConfig, "API '\(api.name)' is listed twice", location: "\(file): apis[\(i)]")
            }
            do {
                var request = APIImportService.Request(
                    name: api.name, source: api.spec, baseDirectory: baseDirectory, baseURL: api.baseUrl,
                    allowPrivateNetwork: api.allowPrivateNetwork ?? false,
                    options: .init(strict: api.strict ?? false, keepLongNames: api.keepLongNames ?? false))
                request.outputSchemaMode = api.outputSchema ?? .tolerant
                prepared.append(try await importer.prepare(request))
            } catch {
                throw GatewayError(error.code, error.formatted, location: "\(file): apis[\(i)] (\(api.name))")
            }
        }
        // Check servers against the APIs as they will be.
        var serverNames = Set<String>()
        var apiClaims: [[UpstreamRules.Claim]] = []
        for (i, s) in (doc.servers ?? []).enumerated() {
            guard serverNames.insert(s.name).inserted else {
                throw GatewayError(.invalidConfig, "server '\(s.name)' is listed twice", location: "\(file): servers[\(i)]")
            }
            guard let apiName = s.api else {
                if (s.upstreams ?? []).isEmpty {
                    throw GatewayError(.invalidConfig, "server '\(s.name)' needs an api or at least one upstream", location: "\(file): servers[\(i)]")
                }
                if s.operations != nil || s.tools?.isEmpty == false {
                    throw GatewayError(.invalidConfig, "server '\(s.name)': operations and tools need an api", location: "\(file): servers[\(i)]")
                }
                if let stored = try? store.server(named: s.name), let apiId = stored.apiId {
                    let api = (try? store.api(id: apiId))?.name ?? "?"
                    throw GatewayError(
                        .invalidConfig,
                        "server '\(s.name)' exposes API '\(api)'; a server's API cannot be removed by apply: list it, or delete the server first",
                        location: "\(file): servers[\(i)].api")
                }
                apiClaims.append([])
                continue
            }
            let operations: [(key: String, operationId: String?, toolName: String)]
            if let p = prepared.first(where: { $0.request.name == apiName }) {
                operations = p.imported.operations.map { ($0.key, $0.operationId, $0.toolName) }
            } else if let api = try? store.api(named: apiName) {
                operations = try store.operations(apiId: api.id).map { ($0.key, $0.operationId, $0.toolName) }
            } else {
                throw GatewayError(
                    .invalidConfig, "server '\(s.name)' uses API '\(apiName)', which is neither in the file nor in the store",
                    location: "\(file): servers[\(i)].api")
            }
            func matches(_ op: (key: String, operationId: String?, toolName: String), _ wanted: String) -> Bool {
                op.operationId == wanted || op.key == wanted || op.toolName == wanted
            }
            for wanted in (s.operations ?? []) + (s.tools ?? []).map(\.operation) where !operations.contains(where: { matches($0, wanted) }) {
                throw GatewayError(.invalidConfig, "API '\(apiName)' has no operation '\(wanted)'", location: "\(file): servers[\(i)] (\(s.name))")
            }
            var selected = operations
            if let wanted = s.operations {
                selected = []
                for w in wanted {
                    if let op = operations.first(where: { matches($0, w) }), !selected.contains(where: { $0.key == op.key }) { selected.append(op) }
                }
            }
            apiClaims.append(
                UpstreamRules.apiClaims(
                    api: apiName,
                    tools: selected.map { op in
                        let override = (s.tools ?? []).first(where: { matches(op, $0.operation) })
                        return (operation: op.operationId ?? op.key, name: override?.name ?? op.toolName)
                    }))
        }
        let governance = try checkGovernance(doc, file: file, serverNames: serverNames)
        let registry = try checkRegistry(doc, file: file, serverNames: serverNames)
        let credentials = try checkCredentials(doc, file: file, baseDirectory: baseDirectory, environment: environment)
        let connectionNames = Set(credentials.map(\.entry.name)).union((try? store.credentialConnections().map(\.name)) ?? [])
        for (i, api) in (doc.apis ?? []).enumerated() {
            if let c = api.credential, c != "none", !connectionNames.contains(c) {
                throw GatewayError(
                    .invalidConfig, "API '\(api.name)' uses credential '\(c)', which is neither in the file nor in the store",
                    location: "\(file): apis[\(i)]")
            }
        }
        let upstreams = try checkUpstreams(doc, file: file, baseDirectory: baseDirectory, connectionNames: connectionNames)
        try checkServerSources(doc, file: file, upstreams: upstreams, apiClaims: apiClaims)
        // Every write in one transaction: an apply that fails half-way (a constraint, a full disk) leaves the store as
        // it was, and running engines never see half of it.
        let vault: CredentialVault? = try credentials.isEmpty ? nil : CredentialVault.open(store: store, environment: environment, create: true)
        try store.inOneTransaction {
            if let vault { try applyCredentials(credentials, vault: vault, summary: &summary) }
            for p in prepared {
                let outcome = try importer.save(p)
                summary.apis.append(p.request.name)
                summary.warnings += p.warnings.map { "\(p.request.name): \($0)" }
                if !outcome.removed.isEmpty {
                    summary.warnings.append("\(p.request.name): removed operations \(outcome.removed.joined(separator: ", "))")
                }
            }
            for api in doc.apis ?? [] {
                let record = try store.api(named: api.name)
                switch api.credential {
                case nil, "none"?:
                    if record.credential != nil { try store.setAPICredential(named: api.name, connection: nil, origin: nil) }
                case let c?:
                    guard let origin = record.baseUrl.flatMap(credentialOrigin(of:)) else {
                        throw GatewayError(.invalidConfig, "API '\(api.name)' has no backend base URL to bind credential '\(c)' to")
                    }
                    try store.setAPICredential(named: api.name, connection: c, origin: origin)
                }
            }
            try applyUpstreams(upstreams, summary: &summary)
            for s in doc.servers ?? [] {
                try applyServer(s)
                summary.servers.append(s.name)
            }
            try applyGovernance(doc, policies: governance, summary: &summary)
            try applyRegistry(registry, summary: &summary)
        }
        return summary
    }

    func applyServer(_ s: ConfigDocument.Server) throws {
        let basePath = s.basePath ?? s.name
        if (try? store.server(named: s.name)) != nil {
            _ = try store.updateServer(named: s.name, description: s.description ?? "", basePath: basePath, enabled: s.enabled ?? true)
            if let api = s.api { try store.setServerOperations(named: s.name, apiName: api, operations: s.operations) }
        } else if let api = s.api {
            _ = try store.createServer(
                name: s.name, description: s.description ?? "", basePath: basePath, apiName: api, operations: s.operations, enabled: s.enabled ?? true
            )
        } else {
            _ = try store.createServer(name: s.name, description: s.description ?? "", basePath: basePath, enabled: s.enabled ?? true)
        }
        try store.setServerRequiresSubscription(named: s.name, s.requireSubscription ?? false)
        try applyServerSources(s)
        guard let overrides = s.tools, !overrides.isEmpty else { return }
        let server = try store.server(named: s.name)
        let tools = try store.tools(serverId: server.id)
        for o in overrides {
            guard
                let t = tools.first(where: {
                    $0.operation.operationId == o.operation || $0.operation.key == o.operation || $0.operation.toolName == o.operation
                })
            else {
                continue
            }
            _ = try store.updateTool(
                server: s.name, tool: t.tool.name, newName: o.name, description: .some(o.description), enabled: o.enabled ?? true)
            if t.tool.outputSchemaMode != o.outputSchema?.rawValue {
                try store.setToolOutputSchemaMode(server: s.name, tool: o.name ?? t.tool.name, o.outputSchema?.rawValue)
            }
        }
    }

    /// The current configuration. With `specDirectory`, each API's document is written there as `<name>.<ext>`
    /// and referenced by a path relative to `relativeTo`; otherwise specs are referenced by their import source.
    public func export(specDirectory: String? = nil, relativeTo: String? = nil, includeSecrets: Bool = false) throws -> ConfigDocument {
        var doc = ConfigDocument(apis: [], servers: [])
        for api in try store.apis() {
            var spec = api.source
            if let dir = specDirectory {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                let trimmed = api.document.trimmingCharacters(in: .whitespacesAndNewlines)
                let ext = trimmed.hasPrefix("{") ? "json" : "yaml"
                let path = "\(dir)/\(api.name).\(ext)"
                try api.document.write(toFile: path, atomically: true, encoding: .utf8)
                spec = relativeTo.map { path.hasPrefix($0 + "/") ? String(path.dropFirst($0.count + 1)) : path } ?? path
            }
            doc.apis!.append(
                .init(
                    name: api.name, spec: spec, baseUrl: api.baseUrlOverridden ? api.baseUrl : nil,
                    allowPrivateNetwork: api.allowPrivateNetwork ? true : nil,
                    credential: api.credential
                ).exporting(api))
        }
        try exportUpstreams(into: &doc, includeSecrets: includeSecrets)
        for server in try store.servers() {
            let api = try server.apiId.flatMap { try store.api(id: $0) }
            let sources = try exportSources(server: server.name)
            guard api != nil || sources != nil else { continue }
            let tools = try api != nil ? store.tools(serverId: server.id) : []
            let operations = server.allOperations || api == nil ? nil : tools.map { $0.operation.operationId ?? $0.operation.key }
            let overrides = tools.compactMap { t -> ConfigDocument.ToolOverride? in
                let renamed = t.tool.name != t.operation.toolName
                guard renamed || t.tool.descriptionOverride != nil || !t.tool.enabled || t.tool.outputSchemaMode != nil else { return nil }
                var override = ConfigDocument.ToolOverride(
                    operation: t.operation.operationId ?? t.operation.key, name: renamed ? t.tool.name : nil, description: t.tool.descriptionOverride,
                    enabled: t.tool.enabled ? nil : false)
                override.outputSchema = t.tool.outputSchemaMode.flatMap(OutputSchemaMode.init(rawValue:))
                return override
            }
            doc.servers!.append(
                .init(
                    name: server.name, basePath: server.basePath, description: server.description.isEmpty ? nil : server.description,
                    enabled: server.enabled ? nil : false, api: api?.name, operations: operations, tools: overrides.isEmpty ? nil : overrides,
                    requireSubscription: server.requireSubscription ? true : nil, upstreams: sources))
        }
        try exportGovernance(into: &doc)
        let vault = try? CredentialVault.open(store: store, environment: environment, create: false)
        try exportCredentials(into: &doc, includeSecrets: includeSecrets, vault: vault)
        try exportRegistry(into: &doc)
        return doc
    }

    /// Renders a document as YAML.
    public static func render(_ doc: ConfigDocument) throws -> String {
        try YAMLEncoder().encode(doc)
    }
}
