import Foundation
import Store

/// What the registry lists at one configuration and health revision: every gateway server (its `server.json`
/// generated, versioned by fingerprint) and every approved external entry, with tombstones, sorted by name and
/// version. A pure value, built by ``build(gateway:registry:namespace:now:)``.
struct RegistryCatalog: Sendable {
    var entries: [RegistryEntry] = []
    /// Why something was left out (a name collision, an unreadable document).
    var problems: [String] = []
    /// What to record as published (new versions and tombstones of gateway entries).
    var publish: [RegistryPublishedRecord] = []
    var configRevision: Int64 = -1
    var healthRevision: Int64 = -1
    /// Index of the entries by name (positions in ``entries``).
    private(set) var byName: [String: [Int]] = [:]

    /// Builds the catalog. Gateway documents carry ``GatewayServerJSON/originPlaceholder`` as their origin (replaced
    /// when rendered for a request).
    static func build(gateway facts: [GatewayServerFacts], registry: RegistrySnapshot, namespace: String, now: Date = .storeNow) -> RegistryCatalog {
        var c = RegistryCatalog(configRevision: registry.configRevision, healthRevision: registry.healthRevision)
        var gatewayNames = Set<String>()
        let origin = GatewayServerJSON.originPlaceholder
        for f in facts {
            let name = "\(namespace)/\(f.name)"
            gatewayNames.insert(name)
            let o = registry.gateway[f.name]
            let status = RegistryStatus(lifecycle: o?.lifecycle ?? .production)
            var pinned = GatewayServerJSON.document(f, name: name, override: o, version: o?.version ?? "", origin: origin)
            pinned["statusMessage"] = o?.statusMessage.map { .string($0) }
            let fingerprint = GatewayServerJSON.fingerprint(pinned)
            let prev = registry.published[name]
            let version: String
            let dates: (published: Date, updated: Date, statusChanged: Date)
            if let prev, prev.fingerprint == fingerprint, prev.deletedAt == nil {
                version = prev.version
                dates = (prev.publishedAt, prev.updatedAt, prev.statusChangedAt)
            } else {
                version = o?.version ?? "1.0.\(max(0, registry.configRevision))"
                let statusChanged = prev == nil || prev?.deletedAt != nil || prev?.status != status ? now : prev!.statusChangedAt
                dates = (prev?.publishedAt ?? now, now, statusChanged)
            }
            let doc = GatewayServerJSON.document(f, name: name, override: o, version: version, origin: origin)
            if prev?.fingerprint != fingerprint || prev?.deletedAt != nil || prev?.version != version {
                c.publish.append(
                    RegistryPublishedRecord(
                        name: name, server: f.name, version: version, fingerprint: fingerprint, status: status,
                        document: JSONValue.object(doc).jsonString,
                        publishedAt: dates.published, updatedAt: dates.updated, statusChangedAt: dates.statusChanged))
            }
            var e = RegistryEntry(
                kind: .gateway, name: name, version: version, server: doc, status: status, statusMessage: o?.statusMessage,
                lifecycle: o?.lifecycle ?? .production, owner: o?.owner, tags: o?.tagList ?? [], publishedAt: dates.published,
                updatedAt: dates.updated,
                statusChangedAt: dates.statusChanged, gatewayServer: f.name, basePath: f.basePath)
            e.upstreams = f.upstreams.map { .init(upstream: $0, health: registry.health[RegistryProbeTarget.upstream($0).key]) }
            c.entries.append(e)
        }
        // Servers that are gone or disabled stay listed as deleted, for clients that sync.
        for prev in registry.published.values where !gatewayNames.contains(prev.name) {
            var tomb = prev
            if prev.deletedAt == nil {
                tomb.deletedAt = now
                tomb.updatedAt = now
                tomb.statusChangedAt = now
                tomb.status = .deleted
                c.publish.append(tomb)
            }
            guard case .object(let doc)? = try? JSONParser(maxDepth: 64).parse(prev.document) else { continue }
            c.entries.append(
                RegistryEntry(
                    kind: .gateway, name: prev.name, version: prev.version, server: doc, status: .deleted, statusMessage: nil, lifecycle: .retired,
                    owner: nil, tags: [], publishedAt: tomb.publishedAt, updatedAt: tomb.updatedAt, statusChangedAt: tomb.statusChangedAt,
                    gatewayServer: prev.server))
        }
        for r in registry.entries where r.approval == .approved {
            guard !gatewayNames.contains(r.name) else {
                if r.deletedAt == nil {
                    c.problems.append("registry entry '\(r.name)' has the name of a gateway server; the gateway server is listed instead")
                }
                continue
            }
            guard case .object(let doc)? = try? JSONParser(maxDepth: 64).parse(r.document) else {
                c.problems.append("registry entry '\(r.name)' version \(r.version) has an unreadable server.json; it is not listed")
                continue
            }
            var e = RegistryEntry(
                kind: .external, name: r.name, version: r.version, server: doc, status: r.status, statusMessage: r.statusMessage,
                lifecycle: r.lifecycle,
                owner: r.owner, tags: r.tagList, publishedAt: r.publishedAt, updatedAt: r.updatedAt, statusChangedAt: r.statusChangedAt)
            e.allowPrivateNetwork = r.allowPrivateNetwork
            e.healthTarget = RegistryProbeTarget.external(r.name).key
            e.health = registry.health[RegistryProbeTarget.external(r.name).key]
            c.entries.append(e)
        }
        c.entries.sort { ($0.name, $0.version) < ($1.name, $1.version) }
        c.index()
        return c
    }

    /// Marks the latest version of each name and rebuilds the name index.
    private mutating func index() {
        byName = [:]
        for (i, e) in entries.enumerated() { byName[e.name, default: []].append(i) }
        for indices in byName.values {
            let live = indices.filter { entries[$0].status != .deleted }
            let pool = live.isEmpty ? indices : live
            let latest = pool.max { a, b in
                RegistryVersionOrder.precedes(entries[a].version, entries[a].publishedAt, entries[b].version, entries[b].publishedAt)
            }
            if let latest { entries[latest].isLatest = true }
        }
    }

    /// The versions of a name, newest first.
    func versions(of name: String) -> [RegistryEntry] {
        (byName[name] ?? []).map { entries[$0] }.sorted { a, b in RegistryVersionOrder.precedes(b.version, b.publishedAt, a.version, a.publishedAt) }
    }

    /// One version of a name (`latest` for the latest).
    func entry(_ name: String, version: String) -> RegistryEntry? {
        let all = (byName[name] ?? []).map { entries[$0] }
        if version == "latest" { return all.first(where: \.isLatest) }
        return all.first { $0.version == version }
    }

    /// The entry an admin means by a name: the latest version of a registry name, or the gateway entry of a server
    /// name.
    func lookup(_ nameOrServer: String) -> RegistryEntry? {
        if let e = entry(nameOrServer, version: "latest") { return e }
        return entries.first { $0.kind == .gateway && $0.gatewayServer == nameOrServer && $0.status != .deleted }
    }
}

/// What a probe's health is recorded under.
enum RegistryProbeTarget: Sendable, Hashable {
    case external(String)
    case upstream(String)

    var key: String {
        switch self {
        case .external(let name): "external:\(name)"
        case .upstream(let name): "upstream:\(name)"
        }
    }

    init?(key: String) {
        if key.hasPrefix("external:") {
            self = .external(String(key.dropFirst(9)))
        } else if key.hasPrefix("upstream:") {
            self = .upstream(String(key.dropFirst(9)))
        } else {
            return nil
        }
    }
}
