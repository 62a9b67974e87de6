import Foundation
import Store

/// A `GET /v0.1/servers` query, parsed and checked.
struct RegistryQuery: Sendable, Equatable {
    /// Resume after this (name, version).
    var after: (name: String, version: String)?
    /// Items per page: default 30, at most 100 (larger values are capped, as the official registry does).
    var limit = 30
    /// Substring of the name, title or description (case-insensitive).
    var search: String?
    var updatedSince: Date?
    /// `latest`, or one exact version.
    var version: String?
    var includeDeleted = false

    static func == (a: RegistryQuery, b: RegistryQuery) -> Bool {
        a.after?.name == b.after?.name && a.after?.version == b.after?.version && a.limit == b.limit && a.search == b.search
            && a.updatedSince == b.updatedSince && a.version == b.version && a.includeDeleted == b.includeDeleted
    }

    static let maxLimit = 100

    /// Parses the query parameters; the error is the message of a 400.
    static func parse(_ parameters: [(String, String)]) -> Result<RegistryQuery, RegistryRequestError> {
        var q = RegistryQuery()
        for (name, value) in parameters {
            switch name {
            case "cursor":
                guard !value.isEmpty else { continue }
                guard let key = RegistryCursor.decode(value) else { return .failure(.init("Invalid cursor parameter")) }
                q.after = key
            case "limit":
                guard let n = Int(value) else { return .failure(.init("Invalid limit parameter: expected an integer")) }
                guard n > 0 else { return .failure(.init("Limit must be greater than 0")) }
                q.limit = min(n, maxLimit)
            case "search":
                q.search = value.isEmpty ? nil : value
            case "updated_since":
                guard let d = RegistryTime.parse(value) else {
                    return .failure(.init("Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)"))
                }
                q.updatedSince = d
            case "version":
                q.version = value.isEmpty ? nil : value
            case "include_deleted":
                guard let b = Bool(value.lowercased()) else { return .failure(.init("Invalid include_deleted parameter: expected true or false")) }
                q.includeDeleted = b
            default:
                continue // Unknown parameters are ignored, as registries do.
            }
        }
        if q.updatedSince != nil { q.includeDeleted = true }
        return .success(q)
    }
}

/// A refusal of a registry request: a status and the `{"error": …}` message.
struct RegistryRequestError: Error, Sendable, Equatable {
    var status: Int = 400
    var message: String
    init(_ message: String, status: Int = 400) {
        self.message = message
        self.status = status
    }
}

/// Opaque cursors: the last (name, version) of a page, base64url-encoded. Paging is by key, so entries added or
/// removed meanwhile never repeat or skip others.
enum RegistryCursor {
    static func encode(name: String, version: String) -> String {
        Data("v1\n\(name)\n\(version)".utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> (name: String, version: String)? {
        var b64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard cursor.count <= 1024, let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", !parts[1].isEmpty else { return nil }
        return (String(parts[1]), String(parts[2]))
    }
}

extension RegistryCatalog {
    /// One page of the list: the entries after the cursor that match the query and `visible`, and the cursor of the
    /// next page (nil at the end).
    func page(_ q: RegistryQuery, visible: (RegistryEntry) -> Bool) -> (entries: [RegistryEntry], next: String?) {
        let needle = q.search?.lowercased()
        var out: [RegistryEntry] = []
        var start = 0
        if let after = q.after {
            // The first entry sorted after the cursor's key (binary search on the sorted entries).
            var lo = 0
            var hi = entries.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if (entries[mid].name, entries[mid].version) <= (after.name, after.version) { lo = mid + 1 } else { hi = mid }
            }
            start = lo
        }
        var i = start
        while i < entries.count {
            let e = entries[i]
            i += 1
            if !q.includeDeleted && e.status == .deleted { continue }
            if let since = q.updatedSince, RegistryTime.milliseconds(e.updatedAt) < RegistryTime.milliseconds(since) { continue }
            if let v = q.version {
                if v == "latest" { if !e.isLatest { continue } } else if e.version != v { continue }
            }
            if let needle {
                let hay = [e.name, e.title ?? "", e.description].map { $0.lowercased() }
                if !hay.contains(where: { $0.contains(needle) }) { continue }
            }
            guard visible(e) else { continue }
            if out.count == q.limit {
                let last = out[out.count - 1]
                return (out, RegistryCursor.encode(name: last.name, version: last.version))
            }
            out.append(e)
        }
        return (out, nil)
    }
}

extension RegistryEntry {
    /// The `server.json` a client gets: the origin filled in, and Gatehouse's live metadata (health, traffic) added
    /// under ``RegistryMeta/key``.
    func rendered(origin: String, live: LiveFigures?) -> JSONObject {
        var doc = server
        if kind == .gateway, var remotes = doc["remotes"]?.arrayValue {
            for i in remotes.indices {
                if case .object(var r) = remotes[i], let url = r["url"]?.stringValue {
                    r["url"] = .string(url.replacingOccurrences(of: GatewayServerJSON.originPlaceholder, with: origin))
                    remotes[i] = .object(r)
                }
            }
            doc["remotes"] = .array(remotes)
        }
        var meta = doc["_meta"]?.objectValue ?? [:]
        var ours = kind == .gateway ? meta[RegistryMeta.key]?.objectValue ?? [:] : ["kind": "external"]
        if kind == .gateway {
            if case .object(var auth)? = ours["auth"], case .object(var oauth)? = auth["oauth"], let url = oauth["resourceMetadata"]?.stringValue {
                oauth["resourceMetadata"] = .string(url.replacingOccurrences(of: GatewayServerJSON.originPlaceholder, with: origin))
                auth["oauth"] = .object(oauth)
                ours["auth"] = .object(auth)
            }
            if let live { ours["live"] = .object(live.json) }
            if !upstreams.isEmpty {
                ours["upstreams"] = .array(
                    upstreams.map { u in
                        var o: JSONObject = ["name": .string(u.upstream)]
                        o["health"] = .object(RegistryHealthJSON.object(u.health))
                        return .object(o)
                    })
            }
        } else {
            ours["lifecycle"] = .string(lifecycle.rawValue)
            if let owner { ours["owner"] = .string(owner) }
            if !tags.isEmpty { ours["tags"] = .array(tags.map { .string($0) }) }
            ours["health"] = .object(RegistryHealthJSON.object(health))
        }
        ours["status"] = .string(status.rawValue)
        meta[RegistryMeta.key] = .object(ours)
        doc["_meta"] = .object(meta)
        return doc
    }

    /// The list item: `{server, _meta: {"io.modelcontextprotocol.registry/official": {…}}}`.
    func item(origin: String, live: LiveFigures?) -> JSONValue {
        var official: JSONObject = ["status": .string(status.rawValue)]
        if let m = statusMessage, !m.isEmpty { official["statusMessage"] = .string(String(m.prefix(500))) }
        official["statusChangedAt"] = .string(RegistryTime.string(statusChangedAt))
        official["publishedAt"] = .string(RegistryTime.string(publishedAt))
        official["updatedAt"] = .string(RegistryTime.string(updatedAt))
        official["isLatest"] = .bool(isLatest)
        return .object(["server": .object(rendered(origin: origin, live: live)), "_meta": .object([RegistryMeta.officialKey: .object(official)])])
    }
}

/// Health as JSON for `_meta` and the CLI.
enum RegistryHealthJSON {
    static func object(_ h: RegistryHealthRecord?) -> JSONObject {
        guard let h else { return ["state": "unknown"] }
        var o: JSONObject = ["state": .string(h.state.rawValue)]
        if let d = h.detail { o["detail"] = .string(d) }
        if let l = h.latencyMs { o["latencyMs"] = .double((l * 10).rounded() / 10) }
        if let n = h.toolCount { o["toolCount"] = .int(Int64(n)) }
        if let f = h.fingerprint { o["toolsFingerprint"] = .string(f) }
        o["checkedAt"] = .string(RegistryTime.string(h.checkedAt))
        if let r = h.lastReachableAt { o["lastReachableAt"] = .string(RegistryTime.string(r)) }
        o["stateSince"] = .string(RegistryTime.string(h.changedAt))
        return o
    }
}
