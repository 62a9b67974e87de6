import Foundation
import Store

/// The registry as admins see it (`gatehouse registry list|show`, the console's Registry screen): every entry the API
/// serves, plus pending imports and tombstones, with health, its history and traffic. Plain values.
public struct RegistryListing: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var name: String
        public var version: String
        public var kind: RegistryEntry.Kind
        public var title: String?
        public var description: String
        public var lifecycle: RegistryEntryRecord.Lifecycle
        public var status: RegistryStatus
        public var statusMessage: String?
        /// `approved`, `pending` (a new import), `change pending` (an imported change of an approved entry).
        public var approval: String
        public var isLatest: Bool
        public var health: RegistryHealthRecord.State
        public var healthDetail: String?
        public var checkedAt: Date?
        public var latencyMs: Double?
        public var toolCount: Int?
        public var toolNames: [String]
        /// The Streamable HTTP (else first) remote URL.
        public var url: String?
        public var transports: [String]
        /// `registryType identifier` of each package (run locally, never by the registry).
        public var packages: [String]
        public var owner: String?
        public var tags: [String]
        /// The gateway server (gateway entries).
        public var server: String?
        /// The upstreams of a gateway server and their health.
        public var upstreams: [RegistryEntry.UpstreamHealth]
        public var allowPrivateNetwork: Bool
        /// The `server.json` clients get, pretty-printed (for a pending import: the one waiting).
        public var document: String
        /// The imported `server.json` waiting for approval, pretty-printed.
        public var pendingDocument: String?
        /// The last probes, newest first.
        public var history: [RegistryHealthEventRecord]
        /// Traffic over the last hour (gateway entries).
        public var live: LiveFigures?
        public var publishedAt: Date
        public var updatedAt: Date

        public var awaitsApproval: Bool { approval != "approved" }
    }

    public var rows: [Row]
    public var namespace: String
    public var problems: [String]

    public static let empty = RegistryListing(rows: [], namespace: "", problems: [])

    /// The rows of a catalog and the pending entries of its snapshot.
    static func build(
        _ c: RegistryCatalog, snapshot: RegistrySnapshot, histories: [String: [RegistryHealthEventRecord]], origin: String, namespace: String,
        live: (RegistryEntry) -> LiveFigures?
    ) -> RegistryListing {
        var rows: [Row] = []
        let records = Dictionary(snapshot.entries.map { ("\($0.name)\n\($0.version)", $0) }, uniquingKeysWith: { a, _ in a })
        for e in c.entries {
            let record = records["\(e.name)\n\(e.version)"]
            let approval = record?.pendingDocument != nil && record?.deletedAt == nil ? "change pending" : "approved"
            let figures = live(e)
            rows.append(
                row(
                    e, approval: approval, document: JSONValue.object(e.rendered(origin: origin, live: figures)), pending: record?.pendingDocument,
                    history: e.healthTarget.flatMap { histories[$0] } ?? [], live: figures))
        }
        for r in snapshot.entries where r.approval == .pending && r.deletedAt == nil {
            guard case .object(let doc)? = try? JSONParser(maxDepth: 64).parse(r.document) else { continue }
            let e = RegistryEntry(
                kind: .external, name: r.name, version: r.version, server: doc, status: r.status, statusMessage: r.statusMessage,
                lifecycle: r.lifecycle,
                owner: r.owner, tags: r.tagList, publishedAt: r.publishedAt, updatedAt: r.updatedAt, statusChangedAt: r.statusChangedAt)
            rows.append(row(e, approval: "pending", document: .object(doc), pending: nil, history: [], live: nil))
        }
        rows.sort { ($0.name, $0.version) < ($1.name, $1.version) }
        return RegistryListing(rows: rows, namespace: namespace, problems: c.problems)
    }

    static func row(
        _ e: RegistryEntry, approval: String, document: JSONValue, pending: String?, history: [RegistryHealthEventRecord], live: LiveFigures?
    ) -> Row {
        let packages = (e.server["packages"]?.arrayValue ?? []).map { p in
            [p["registryType"]?.stringValue, p["identifier"]?.stringValue].compactMap { $0 }.joined(separator: " ")
        }
        let pendingPretty = pending.flatMap { try? JSONParser(maxDepth: 64).parse($0) }.map { pretty($0) }
        let remotes = document["remotes"]?.arrayValue ?? []
        let url = (remotes.first { $0["type"]?.stringValue == "streamable-http" } ?? remotes.first)?["url"]?.stringValue
        return Row(
            name: e.name, version: e.version, kind: e.kind, title: e.title, description: e.description, lifecycle: e.lifecycle, status: e.status,
            statusMessage: e.statusMessage, approval: approval, isLatest: e.isLatest, health: e.healthState, healthDetail: e.health?.detail,
            checkedAt: e.health?.checkedAt ?? e.upstreams.compactMap(\.health?.checkedAt).max(), latencyMs: e.health?.latencyMs,
            toolCount: e.kind == .gateway ? e.toolNames.count : e.health?.toolCount, toolNames: e.toolNames,
            url: url, transports: RegistryService.transports(of: e), packages: packages, owner: e.owner, tags: e.tags, server: e.gatewayServer,
            upstreams: e.upstreams, allowPrivateNetwork: e.allowPrivateNetwork, document: pretty(document), pendingDocument: pendingPretty,
            history: history, live: live, publishedAt: e.publishedAt, updatedAt: e.updatedAt)
    }

    /// JSON with two-space indentation, keys in their stored order.
    public static func pretty(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let object) where !object.isEmpty:
            return "{\n"
                + object.map { inner + JSONValue.string($0.key).jsonString + ": " + pretty($0.value, indent: inner) }.joined(separator: ",\n")
                + "\n" + indent + "}"
        default:
            return value.jsonString
        }
    }
}

extension RegistryListing.Row {
    /// The row as JSON for scripts (`--json`): the entry's facts, health, history and traffic; the `server.json` too
    /// with `document: true`.
    public func json(document: Bool = false) -> JSONValue {
        var o: JSONObject = ["name": .string(name), "version": .string(version), "kind": .string(kind.rawValue)]
        if let title { o["title"] = .string(title) }
        o["description"] = .string(description)
        o["lifecycle"] = .string(lifecycle.rawValue)
        o["status"] = .string(status.rawValue)
        if let m = statusMessage { o["statusMessage"] = .string(m) }
        o["approval"] = .string(approval)
        o["isLatest"] = .bool(isLatest)
        if let server { o["server"] = .string(server) }
        if let url { o["url"] = .string(url) }
        o["transports"] = .array(transports.map { .string($0) })
        if !packages.isEmpty { o["packages"] = .array(packages.map { .string($0) }) }
        if let owner { o["owner"] = .string(owner) }
        if !tags.isEmpty { o["tags"] = .array(tags.map { .string($0) }) }
        var h: JSONObject = ["state": .string(health.rawValue)]
        if let d = healthDetail { h["detail"] = .string(d) }
        if let c = checkedAt { h["checkedAt"] = .string(RegistryTime.string(c)) }
        if let l = latencyMs { h["latencyMs"] = .double((l * 10).rounded() / 10) }
        if !upstreams.isEmpty {
            h["upstreams"] = .array(
                upstreams.map { .object(["name": .string($0.upstream), "state": .string(($0.health?.state ?? .unknown).rawValue)]) })
        }
        if !history.isEmpty { h["history"] = .array(history.map(RegistryService.historyJSON)) }
        o["health"] = .object(h)
        if let toolCount { o["toolCount"] = .int(Int64(toolCount)) }
        if !toolNames.isEmpty { o["tools"] = .array(toolNames.map { .string($0) }) }
        if let live { o["live"] = .object(live.json) }
        if allowPrivateNetwork { o["allowPrivateNetwork"] = true }
        o["publishedAt"] = .string(RegistryTime.string(publishedAt))
        o["updatedAt"] = .string(RegistryTime.string(updatedAt))
        if document, let d = try? JSONParser(maxDepth: 64).parse(self.document) { o["serverJson"] = d }
        if document, let p = pendingDocument, let d = try? JSONParser(maxDepth: 64).parse(p) { o["pendingServerJson"] = d }
        return .object(o)
    }
}
