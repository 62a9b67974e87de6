import Foundation
import Logging
import Store

/// Admin actions on the registry, for the CLI, the console and `gatehouse apply`: register external servers (from
/// flags or a `server.json`), change, deprecate, remove and approve them, set what a gateway server's entry says,
/// import another registry's list, probe now. Every `server.json` is checked against the schema first (the error
/// names the JSON pointer and the rule), and a name taken by a gateway server is refused.
public struct RegistryAdmin: Sendable {
    let store: GatewayStore
    let logger: Logger

    public init(store: GatewayStore, logger: Logger = Logger(label: "gatehouse.registry")) {
        self.store = store
        self.logger = logger
    }

    /// A server described by flags (`gatehouse registry add NAME --url URL …`).
    public struct Spec: Sendable, Equatable {
        public var name: String
        public var url: String
        /// `streamable` (default) or `sse`.
        public var transport: String
        public var description: String?
        public var title: String?
        public var version: String?
        public var websiteURL: String?

        public init(
            name: String, url: String, transport: String = "streamable", description: String? = nil, title: String? = nil, version: String? = nil,
            websiteURL: String? = nil
        ) {
            self.name = name
            self.url = url
            self.transport = transport
            self.description = description
            self.title = title
            self.version = version
            self.websiteURL = websiteURL
        }
    }

    /// What the admin says about an entry besides its `server.json`.
    public struct Attributes: Sendable, Equatable {
        public var lifecycle: RegistryEntryRecord.Lifecycle
        public var owner: String?
        public var tags: [String]
        public var statusMessage: String?
        public var allowPrivateNetwork: Bool
        public var approval: RegistryEntryRecord.Approval
        public var origin: String

        public init(
            lifecycle: RegistryEntryRecord.Lifecycle = .production, owner: String? = nil, tags: [String] = [], statusMessage: String? = nil,
            allowPrivateNetwork: Bool = false, approval: RegistryEntryRecord.Approval = .approved, origin: String = "cli"
        ) {
            self.lifecycle = lifecycle
            self.owner = owner
            self.tags = tags
            self.statusMessage = statusMessage
            self.allowPrivateNetwork = allowPrivateNetwork
            self.approval = approval
            self.origin = origin
        }
    }

    /// The `server.json` of a server described by flags.
    public static func document(for spec: Spec) throws(GatewayError) -> JSONObject {
        let type: String
        switch spec.transport {
        case "streamable", "streamable-http": type = "streamable-http"
        case "sse": type = "sse"
        default: throw GatewayError(.invalidArgument, "--transport must be streamable or sse, got '\(spec.transport.prefix(40))'")
        }
        if let problem = UpstreamRules.urlProblem(spec.url) { throw GatewayError(.invalidArgument, "--url: \(problem)") }
        var doc: JSONObject = ["$schema": .string(ServerJSONValidator.schemaURL), "name": .string(spec.name)]
        if let title = spec.title { doc["title"] = .string(title) }
        doc["description"] = .string(spec.description ?? "MCP server \(spec.name)")
        doc["version"] = .string(spec.version ?? "1.0.0")
        if let w = spec.websiteURL { doc["websiteUrl"] = .string(w) }
        doc["remotes"] = .array([.object(["type": .string(type), "url": .string(spec.url)])])
        return doc
    }

    /// Parses and checks a `server.json` text.
    public static func parseServerJSON(_ text: String, source: String) throws(GatewayError) -> JSONObject {
        let value: JSONValue
        do { value = try JSONParser(maxDepth: 64).parse(text) } catch {
            throw GatewayError(.invalidArgument, "\(source) is not valid JSON: \(error)")
        }
        try ServerJSONValidator().check(value, source: source)
        guard case .object(let o) = value else { throw GatewayError(.invalidArgument, "\(source) must be a JSON object") }
        return o
    }

    /// The namespace gateway entries are published under: the one the engine last published with, else the default.
    public func namespaceInUse() -> String {
        let published = (try? store.registrySnapshot().published.values.filter { $0.deletedAt == nil }) ?? []
        if let newest = published.max(by: { $0.updatedAt < $1.updatedAt }), let slash = newest.name.firstIndex(of: "/") {
            return String(newest.name[..<slash])
        }
        return RegistryConfiguration.namespace(publicURL: nil)
    }

    /// The gateway server a registry name stands for (`io.example.gw/pets` or just `pets`), if any.
    public func gatewayServer(for name: String) -> String? {
        guard let servers = try? store.servers().map(\.name) else { return nil }
        if servers.contains(name) { return name }
        let published = (try? store.registrySnapshot().published) ?? [:]
        if let p = published[name], p.deletedAt == nil, servers.contains(p.server) { return p.server }
        let ns = namespaceInUse() + "/"
        if name.hasPrefix(ns), servers.contains(String(name.dropFirst(ns.count))) { return String(name.dropFirst(ns.count)) }
        return nil
    }

    /// Registers an external server. Refused when the document breaks the schema, when its name is a gateway
    /// server's, or when that name and version exist.
    @discardableResult
    public func add(_ document: JSONObject, _ a: Attributes) throws -> RegistryEntryRecord {
        try ServerJSONValidator().check(.object(document))
        let name = document["name"]?.stringValue ?? ""
        let version = document["version"]?.stringValue ?? ""
        if let server = gatewayServer(for: name) {
            throw GatewayError(.conflict, "'\(name)' is the registry name of gateway server '\(server)'; choose another name")
        }
        try Self.checkAttributes(a)
        let record = RegistryEntryRecord.New(
            name: name, version: version, document: JSONValue.object(document).jsonString, lifecycle: a.lifecycle, owner: a.owner, tags: a.tags,
            statusMessage: a.statusMessage, approval: a.approval, origin: a.origin, allowPrivateNetwork: a.allowPrivateNetwork)
        return try store.addRegistryEntry(record)
    }

    static func checkAttributes(_ a: Attributes) throws(GatewayError) {
        if let m = a.statusMessage, m.count > 500 { throw GatewayError(.invalidArgument, "the status message is \(m.count) characters; at most 500") }
        for t in a.tags where t.isEmpty || t.count > 64 || t.contains(where: \.isNewline) {
            throw GatewayError(.invalidArgument, "tag '\(t.prefix(40))' must be 1–64 characters on one line")
        }
        if let o = a.owner, o.isEmpty || o.count > 200 { throw GatewayError(.invalidArgument, "owner must be 1–200 characters") }
    }

    /// The version an admin means: the one given, else the latest live one.
    public func resolveVersion(_ name: String, _ version: String?) throws -> String {
        let live = try store.registryEntries(named: name).filter { $0.deletedAt == nil }
        if let version {
            guard live.contains(where: { $0.version == version }) else {
                throw GatewayError(.notFound, "no registry entry '\(name)' version \(version)")
            }
            return version
        }
        guard let latest = live.max(by: { RegistryVersionOrder.precedes($0.version, $0.publishedAt, $1.version, $1.publishedAt) }) else {
            throw GatewayError(
                .notFound,
                "no registry entry '\(name)'\(gatewayServer(for: name) == nil ? "" : " (gateway entries change with `gatehouse registry set`)")")
        }
        return latest.version
    }

    /// Replaces an external entry's `server.json` (same name and version) and its attributes.
    @discardableResult
    public func update(name: String, version: String?, document: JSONObject?, _ change: @escaping @Sendable (inout Attributes) -> Void) throws
        -> RegistryEntryRecord
    {
        let v = try resolveVersion(name, version)
        if let document {
            try ServerJSONValidator().check(.object(document))
            guard document["name"]?.stringValue == name, document["version"]?.stringValue == v else {
                throw GatewayError(
                    .invalidArgument,
                    "the server.json names \(document["name"]?.stringValue ?? "?") \(document["version"]?.stringValue ?? "?"), not \(name) \(v)")
            }
        }
        let text = document.map { JSONValue.object($0).jsonString }
        return try store.updateRegistryEntry(name: name, version: v) { (r: inout RegistryEntryRecord) throws(StoreError) in
            var a = Attributes(
                lifecycle: r.lifecycle, owner: r.owner, tags: r.tagList, statusMessage: r.statusMessage, allowPrivateNetwork: r.allowPrivateNetwork,
                approval: r.approval, origin: r.origin)
            change(&a)
            do throws(GatewayError) { try Self.checkAttributes(a) } catch { throw StoreError(.invalid, error.message) }
            if let text { r.document = text }
            r.lifecycle = a.lifecycle
            r.owner = a.owner
            r.tagList = a.tags
            r.statusMessage = a.statusMessage
            r.allowPrivateNetwork = a.allowPrivateNetwork
        }
    }

    /// Changes what a gateway server's entry says (version, title, description, lifecycle, owner, tags, message).
    @discardableResult
    public func updateGateway(server: String, _ change: @escaping @Sendable (inout RegistryGatewayRecord) -> Void) throws -> RegistryGatewayRecord {
        try store.setRegistryGateway(server: server) { (r: inout RegistryGatewayRecord) throws(StoreError) in
            change(&r)
            if let v = r.version, let problem = ServerJSONValidator.versionProblem(v) { throw StoreError(.invalid, "version '\(v)': \(problem)") }
            if let t = r.title, !(1...100).contains(t.count) { throw StoreError(.invalid, "title: 1–100 characters") }
            if let d = r.description, !(1...100).contains(d.count) {
                throw StoreError(.invalid, "description: 1–100 characters (server.json's limit)")
            }
            if let m = r.statusMessage, m.count > 500 { throw StoreError(.invalid, "the status message is \(m.count) characters; at most 500") }
        }
    }

    /// Deprecates an entry (external: the version given or the latest; gateway: its server's entry).
    public func deprecate(_ name: String, version: String?, message: String?) throws -> String {
        if let server = gatewayServer(for: name) {
            try updateGateway(server: server) {
                $0.lifecycle = .deprecated
                $0.statusMessage = message
            }
            return "gateway server '\(server)'"
        }
        let r = try update(name: name, version: version, document: nil) {
            $0.lifecycle = .deprecated
            $0.statusMessage = message
        }
        return "\(r.name) \(r.version)"
    }
}
