import Foundation
import Store

/// The `registry:` section of `apply` and `export`: checked whole before anything is written; entries and gateway
/// servers not named are left alone; the access settings are set as written (omitted: the defaults).
extension ConfigApplier {
    struct PreparedRegistry {
        var settings: RegistrySettingsRecord
        var gateway: [(server: String, apply: @Sendable (inout RegistryGatewayRecord) -> Void)]
        var entries: [RegistryEntryRecord.New]
    }

    func checkRegistry(_ doc: ConfigDocument, file: String, serverNames: Set<String>) throws -> PreparedRegistry? {
        guard let section = doc.registry else { return nil }
        let here = "\(file): registry"
        var prepared = PreparedRegistry(
            settings: RegistrySettingsRecord(anonymousRead: section.anonymousRead, requireSubscription: section.requireSubscription ?? false),
            gateway: [],
            entries: [])
        func lifecycle(_ text: String?, _ location: String) throws(GatewayError) -> RegistryEntryRecord.Lifecycle {
            guard let text else { return .production }
            guard let l = RegistryEntryRecord.Lifecycle(rawValue: text) else {
                throw GatewayError(
                    .invalidConfig, "lifecycle must be one of \(RegistryEntryRecord.Lifecycle.allCases.map(\.rawValue).joined(separator: ", "))",
                    location: location + ".lifecycle")
            }
            return l
        }
        let storeServers = Set((try? store.servers().map(\.name)) ?? [])
        var seenServers = Set<String>()
        for (i, g) in (section.gateway ?? []).enumerated() {
            let at = "\(here).gateway[\(i)]"
            guard serverNames.contains(g.server) || storeServers.contains(g.server) else {
                throw GatewayError(.invalidConfig, "no server named '\(g.server)' in the file or the store", location: at + ".server")
            }
            guard seenServers.insert(g.server).inserted else {
                throw GatewayError(.invalidConfig, "server '\(g.server)' is listed twice", location: at)
            }
            if let v = g.version, let p = ServerJSONValidator.versionProblem(v) { throw GatewayError(.invalidConfig, p, location: at + ".version") }
            for (key, value) in [("title", g.title), ("description", g.description)] {
                if let value, !(1...100).contains(value.count) { throw GatewayError(.invalidConfig, "1–100 characters", location: "\(at).\(key)") }
            }
            if let m = g.statusMessage, m.count > 500 {
                throw GatewayError(.invalidConfig, "at most 500 characters", location: at + ".statusMessage")
            }
            let l = try lifecycle(g.lifecycle, at)
            prepared.gateway.append(
                (
                    g.server,
                    { r in
                        r.version = g.version
                        r.title = g.title
                        r.description = g.description
                        r.lifecycle = l
                        r.owner = g.owner
                        r.tagList = g.tags ?? []
                        r.statusMessage = g.statusMessage
                    }
                ))
        }
        let admin = RegistryAdmin(store: store)
        let namespace = admin.namespaceInUse()
        let gatewayNames = Set(serverNames.union(storeServers).map { "\(namespace)/\($0)" })
        var seen = Set<String>()
        for (i, e) in (section.entries ?? []).enumerated() {
            let at = "\(here).entries[\(i)]"
            let document: JSONObject
            if let server = e.server {
                if e.name != nil || e.url != nil || e.transport != nil || e.description != nil || e.title != nil || e.version != nil {
                    throw GatewayError(.invalidConfig, "give either server (a server.json) or name and url, not both", location: at)
                }
                document = try Self.checkedServerJSON(server, location: at + ".server")
            } else {
                guard let name = e.name, let url = e.url else {
                    throw GatewayError(.invalidConfig, "an entry needs server (a server.json), or name and url", location: at)
                }
                do {
                    document = try RegistryAdmin.document(
                        for: .init(
                            name: name, url: url, transport: e.transport ?? "streamable", description: e.description, title: e.title,
                            version: e.version))
                    try ServerJSONValidator().check(.object(document), source: "the entry")
                } catch { throw GatewayError(.invalidConfig, error.message, location: at) }
            }
            let name = document["name"]?.stringValue ?? ""
            let version = document["version"]?.stringValue ?? ""
            guard seen.insert("\(name)\n\(version)").inserted else {
                throw GatewayError(.invalidConfig, "'\(name)' version \(version) is listed twice", location: at)
            }
            if gatewayNames.contains(name) { throw GatewayError(.invalidConfig, "'\(name)' is the registry name of a gateway server", location: at) }
            var pending: String?
            if let p = e.pendingServer {
                let pd = try Self.checkedServerJSON(p, location: at + ".pendingServer")
                guard pd["name"]?.stringValue == name, pd["version"]?.stringValue == version else {
                    throw GatewayError(.invalidConfig, "the pending server.json must have the same name and version", location: at + ".pendingServer")
                }
                pending = JSONValue.object(pd).jsonString
            }
            let attributes = RegistryAdmin.Attributes(
                lifecycle: try lifecycle(e.lifecycle, at), owner: e.owner, tags: e.tags ?? [], statusMessage: e.statusMessage,
                allowPrivateNetwork: e.allowPrivateNetwork ?? false, approval: e.pending == true ? .pending : .approved, origin: "apply")
            do { try RegistryAdmin.checkAttributes(attributes) } catch { throw GatewayError(.invalidConfig, error.message, location: at) }
            var record = RegistryEntryRecord.New(
                name: name, version: version, document: JSONValue.object(document).jsonString, lifecycle: attributes.lifecycle,
                owner: attributes.owner,
                tags: attributes.tags, statusMessage: attributes.statusMessage, approval: attributes.approval, origin: "apply",
                allowPrivateNetwork: attributes.allowPrivateNetwork)
            record.pendingDocument = pending
            prepared.entries.append(record)
        }
        return prepared
    }

    /// A `server.json` from the file, checked against the schema (the error names the file path and the pointer).
    static func checkedServerJSON(_ value: JSONValue, location: String) throws(GatewayError) -> JSONObject {
        let violations = ServerJSONValidator().validate(value)
        if let first = violations.first {
            let more =
                violations.count > 1
                ? " (and \(violations.count - 1) more: " + violations.dropFirst().prefix(4).map(\.description).joined(separator: "; ") + ")" : ""
            throw GatewayError(.invalidConfig, "breaks the server.json schema: \(first.description)\(more)", location: location)
        }
        guard case .object(let o) = value else { throw GatewayError(.invalidConfig, "expected a server.json object", location: location) }
        return o
    }

    func applyRegistry(_ prepared: PreparedRegistry?, summary: inout Summary) throws {
        guard let prepared else { return }
        let settings = prepared.settings
        try store.setRegistrySettings { $0 = settings }
        for g in prepared.gateway {
            try store.setRegistryGateway(server: g.server) { (r: inout RegistryGatewayRecord) throws(StoreError) in g.apply(&r) }
            summary.registry.append(g.server)
        }
        for e in prepared.entries {
            try store.upsertRegistryEntry(e)
            summary.registry.append("\(e.name)@\(e.version)")
        }
    }

    func exportRegistry(into doc: inout ConfigDocument) throws {
        let snapshot = try store.registrySnapshot()
        var section = ConfigDocument.Registry()
        section.anonymousRead = snapshot.settings.anonymousRead
        section.requireSubscription = snapshot.settings.requireSubscription ? true : nil
        let gateway = snapshot.gateway.sorted { $0.key < $1.key }.map { server, g in
            ConfigDocument.Registry.Gateway(
                server: server, version: g.version, title: g.title, description: g.description,
                lifecycle: g.lifecycle == .production ? nil : g.lifecycle.rawValue,
                owner: g.owner, statusMessage: g.statusMessage, tags: g.tagList.isEmpty ? nil : g.tagList)
        }
        section.gateway = gateway.isEmpty ? nil : gateway
        let entries = snapshot.entries.filter { $0.deletedAt == nil }.sorted { ($0.name, $0.version) < ($1.name, $1.version) }.map { r in
            let parser = JSONParser(maxDepth: 64)
            var e = ConfigDocument.Registry.Entry(server: try? parser.parse(r.document))
            e.pendingServer = r.pendingDocument.flatMap { try? parser.parse($0) }
            e.lifecycle = r.lifecycle == .production ? nil : r.lifecycle.rawValue
            e.owner = r.owner
            e.tags = r.tagList.isEmpty ? nil : r.tagList
            e.statusMessage = r.statusMessage
            e.allowPrivateNetwork = r.allowPrivateNetwork ? true : nil
            e.pending = r.approval == .pending ? true : nil
            return e
        }
        section.entries = entries.isEmpty ? nil : entries
        if section != ConfigDocument.Registry() { doc.registry = section }
    }
}
