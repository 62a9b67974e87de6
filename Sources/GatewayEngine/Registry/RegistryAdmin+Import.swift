import Foundation
import Store

/// `gatehouse registry import FILE|URL`: another registry's list response (`{servers: [{server, _meta}], metadata}`),
/// from a file or an http(s) URL (SSRF-checked, no redirects, size-capped; `metadata.nextCursor` is followed).
/// Entries land pending until approved; entries the source marks `deleted` remove ours.
extension RegistryAdmin {
    public struct ImportOptions: Sendable {
        public var baseDirectory: String?
        /// Let the URL be on loopback or a private network.
        public var allowPrivateNetwork = false
        /// The largest page accepted. Default 10 MiB.
        public var maxBytes = 10 * 1024 * 1024
        /// Pages read at most when following `nextCursor`. Default 50.
        public var maxPages = 50
        /// Skip entries whose `server.json` breaks the schema (listed as warnings) instead of refusing the import.
        public var skipInvalid = false

        public init() {}
    }

    /// What an import did, with the entries skipped.
    public struct ImportReport: Sendable, Equatable {
        public var outcome: RegistryImportOutcome
        public var skipped: [String]
        public var pages: Int
        public var source: String
    }

    public func importList(_ source: String, options: ImportOptions = ImportOptions()) async throws -> ImportReport {
        var fetcher = SpecFetcher()
        fetcher.maxBytes = options.maxBytes
        var items: [RegistryImportItem] = []
        var skipped: [String] = []
        var pages = 0
        var url = source
        var seenCursors = Set<String>()
        while true {
            let (data, _, resolved) = try await fetcher.fetch(
                url, baseDirectory: options.baseDirectory, allowPrivateNetwork: options.allowPrivateNetwork)
            pages += 1
            let page = try Self.parseList(data, source: resolved, skipInvalid: options.skipInvalid)
            items += page.items
            skipped += page.skipped
            guard SpecFetcher.isRemote(source), let next = page.nextCursor, !next.isEmpty, pages < options.maxPages, seenCursors.insert(next).inserted
            else { break }
            url = Self.withCursor(source, next)
        }
        for item in items where gatewayServer(for: item.name) != nil {
            throw GatewayError(.conflict, "\(source): '\(item.name)' is the registry name of a gateway server; nothing was imported")
        }
        let outcome = try store.importRegistryEntries(items, origin: "import \(String(source.prefix(200)))")
        return ImportReport(outcome: outcome, skipped: skipped, pages: pages, source: source)
    }

    /// The URL of the next page: `cursor` set (URL-encoded) in the query.
    static func withCursor(_ url: String, _ cursor: String) -> String {
        guard var c = URLComponents(string: url) else { return url }
        var items = (c.queryItems ?? []).filter { $0.name != "cursor" }
        items.append(URLQueryItem(name: "cursor", value: cursor))
        c.percentEncodedQuery = items.map { item in
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            return (item.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? item.name) + "="
                + (item.value?.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
        return c.string ?? url
    }

    /// One page of a list: its items (the latest listing of each name and version wins), the invalid ones skipped,
    /// and the next cursor.
    public static func parseList(_ data: Data, source: String, skipInvalid: Bool) throws(GatewayError) -> (
        items: [RegistryImportItem], skipped: [String], nextCursor: String?
    ) {
        let root: JSONValue
        do { root = try JSONParser(maxDepth: 64).parse(Array(data)) } catch {
            throw GatewayError(.invalidArgument, "\(source) is not valid JSON: \(error)")
        }
        guard case .array(let list)? = root["servers"] else {
            throw GatewayError(.invalidArgument, "\(source): expected a registry list response, {\"servers\": […]}")
        }
        var items: [RegistryImportItem] = []
        var skipped: [String] = []
        var problems: [String] = []
        let validator = ServerJSONValidator()
        for (i, item) in list.enumerated() {
            let pointer = "/servers/\(i)"
            // The MCP Registry's `{server, _meta}`, or a bare server.json as early registries listed them.
            let wrapped = item["server"] != nil
            let server = wrapped ? item["server"]! : item
            let official = item["_meta"]?[RegistryMeta.officialKey]
            let statusText = official?["status"]?.stringValue ?? item["status"]?.stringValue ?? server["status"]?.stringValue ?? "active"
            let status = RegistryStatus(rawValue: statusText.lowercased()) ?? .active
            guard case .object(var doc) = server, let name = doc["name"]?.stringValue, let version = doc["version"]?.stringValue else {
                problems.append("\(pointer)\(wrapped ? "/server" : ""): required: a server.json with a name and a version")
                continue
            }
            if status != .deleted {
                // Registry-managed fields of older schemas are not part of server.json.
                doc["status"] = nil
                let violations = validator.validate(.object(doc))
                if !violations.isEmpty {
                    let text = violations.prefix(3).map {
                        "\(pointer)\(wrapped ? "/server" : "")\($0.pointer == "/" ? "" : $0.pointer): \($0.message)"
                    }
                    if skipInvalid { skipped.append("\(name) \(version): " + text.joined(separator: "; ")) } else { problems += text }
                    continue
                }
            }
            let message = official?["statusMessage"]?.stringValue
            items.removeAll { $0.name == name && $0.version == version }
            items.append(
                RegistryImportItem(name: name, version: version, document: JSONValue.object(doc).jsonString, status: status, statusMessage: message))
        }
        if !problems.isEmpty {
            let more = problems.count > 10 ? " (and \(problems.count - 10) more)" : ""
            throw GatewayError(
                .invalidArgument,
                "\(source): nothing was imported; entries break the server.json schema: \(problems.prefix(10).joined(separator: "; "))\(more) (use --skip-invalid to import the rest)"
            )
        }
        return (items, skipped, root["metadata"]?["nextCursor"]?.stringValue ?? root["metadata"]?["next_cursor"]?.stringValue)
    }
}
