import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A registry API route (the MCP Registry API's paths, under `/v0.1` and, for older clients, `/v0`).
enum RegistryRoute: Equatable {
    case list
    case versions(name: String)
    case version(name: String, version: String)
    /// `/v0/servers/{name}`: the latest version (removed from v0.1; kept for older clients).
    case legacyServer(name: String)
    /// Optional write endpoints (`/publish`, `…/status`): 501 here.
    case write

    /// Parses a raw (percent-encoded) path; nil when it is not a registry route.
    init?(path: String) {
        let rest: Substring
        if path.hasPrefix("/v0.1/") {
            rest = path.dropFirst(6)
        } else if path.hasPrefix("/v0/") {
            rest = path.dropFirst(4)
        } else {
            return nil
        }
        let legacy = path.hasPrefix("/v0/")
        if rest == "publish" {
            self = .write
            return
        }
        guard rest == "servers" || rest.hasPrefix("servers/") else { return nil }
        if rest == "servers" {
            self = .list
            return
        }
        var tail = String(rest.dropFirst("servers/".count))
        if tail.hasSuffix("/status") {
            self = .write
            return
        }
        if tail.hasSuffix("/versions") {
            tail.removeLast("/versions".count)
            guard let name = Self.decode(tail) else { return nil }
            self = .versions(name: name)
            return
        }
        if let r = tail.range(of: "/versions/", options: .backwards) {
            guard let name = Self.decode(String(tail[..<r.lowerBound])), let version = Self.decode(String(tail[r.upperBound...])), !version.isEmpty
            else { return nil }
            self = .version(name: name, version: version)
            return
        }
        guard legacy, let name = Self.decode(tail) else { return nil }
        self = .legacyServer(name: name)
    }

    static func decode(_ s: String) -> String? {
        guard let d = s.removingPercentEncoding, !d.isEmpty, !d.contains(where: { $0.isNewline || $0 == "\0" }) else { return nil }
        return d
    }
}

/// The MCP Registry API: list, versions and one version, with an opaque cursor, `search`, `updated_since`, `version`
/// and `include_deleted`; CORS as IDE clients need it (any origin, answered preflights); `ETag` and 304; the same
/// access rules as `/registry/mcp`. The optional publish endpoints answer 501: writes go through the CLI, the console
/// and `gatehouse apply`.
extension GatewayResponder {
    static let registryCORS: HTTPFields = [
        .accessControlAllowOrigin: "*", .accessControlAllowMethods: "GET, OPTIONS",
        .accessControlAllowHeaders: "Authorization, Content-Type, Gatehouse-Subscription-Key", .accessControlExposeHeaders: "ETag, WWW-Authenticate",
    ]

    /// Answers a registry route; nil when the path is none of them.
    func registryAPI(_ request: Request, context: Context) async -> Response? {
        guard let route = RegistryRoute(path: request.uri.path) else { return nil }
        let peer = context.clientAddress
        let client = policies.trustedProxies.isEmpty ? peer : policies.clientAddress(peer: peer, headers: request.headers)
        var exchange = Exchange(
            server: RegistryMCP.serverName, client: client, transport: "registry",
            method: "\(request.method.rawValue) \(request.uri.path.prefix(200))",
            policy: PolicyContext(clientAddress: client, peerAddress: peer))
        // Host is checked (DNS rebinding); Origin is not: the registry is readable from any origin, as IDEs need.
        if let reason = originPolicy.refusal(host: request.head.authority, origin: nil) {
            return finish(&exchange, registryError(.forbidden, reason), outcome: .rejected, error: reason)
        }
        if request.method == .options {
            var h = Self.registryCORS
            h[.accessControlMaxAge] = "86400"
            return finish(&exchange, HTTPReplies.empty(.noContent, headers: h), outcome: .ok)
        }
        if route == .write {
            let r = registryError(
                .notImplemented,
                "Publishing is not supported by this registry: register servers with `gatehouse registry add`, the console or `gatehouse apply`")
            return finish(&exchange, r, outcome: .rejected, error: "publish not supported")
        }
        guard request.method == .get || request.method == .head else {
            var h = Self.registryCORS
            h[.allow] = "GET, HEAD, OPTIONS"
            let writes = route != .list && request.method != .post
            let r =
                writes
                ? registryError(
                    .notImplemented, "Changing servers is not supported by this registry: use `gatehouse registry set|remove` or the console")
                : registryError(.methodNotAllowed, "Method not allowed", headers: h)
            return finish(&exchange, r, outcome: .rejected, error: "method not allowed")
        }
        exchange.policy.resourceMetadataURL = publicOrigin(request) + Self.metadataPrefix + "/" + RegistryMCP.basePath + "/mcp"
        let caller: RegistryCaller
        switch await policies.registryCaller(headers: request.headers, query: request.uri.query, context: exchange.policy, table: routing()) {
        case .success(let c): caller = c
        case .failure(let refusal):
            var h = Self.registryCORS
            h.append(contentsOf: refusal.headers)
            exchange.policy.decisions.append("\(refusal.policy)@\(refusal.scope) refused")
            return finish(
                &exchange, registryError(refusal.status, refusal.message, headers: h), outcome: .rejected,
                error: "\(refusal.policy): \(refusal.message)")
        }
        exchange.policy = caller.context
        let result = registryAnswer(route, request: request, caller: caller)
        switch result {
        case .success(let body):
            return finish(&exchange, registryJSON(body, request: request, caller: caller), outcome: .ok)
        case .failure(let e):
            return finish(&exchange, registryError(HTTPResponse.Status(code: e.status), e.message), outcome: .rejected, error: e.message)
        }
    }

    func registryAnswer(_ route: RegistryRoute, request: Request, caller: RegistryCaller) -> Result<JSONValue, RegistryRequestError> {
        let catalog = registry.catalog()
        let origin = publicOrigin(request)
        let params = Self.queryPairs(request.uri.query)
        func item(_ e: RegistryEntry) -> JSONValue { e.item(origin: origin, live: registry.live(e)) }
        let includeDeleted = params.last { $0.0 == "include_deleted" }.map { Bool($0.1.lowercased()) ?? false } ?? false
        switch route {
        case .list:
            let q: RegistryQuery
            switch RegistryQuery.parse(params) {
            case .success(let parsed): q = parsed
            case .failure(let e): return .failure(e)
            }
            let (page, next) = catalog.page(q, visible: caller.sees)
            var metadata: JSONObject = ["count": .int(Int64(page.count))]
            if let next { metadata["nextCursor"] = .string(next) }
            return .success(.object(["servers": .array(page.map(item)), "metadata": .object(metadata)]))
        case .versions(let name):
            let versions = catalog.versions(of: name).filter { caller.sees($0) && (includeDeleted || $0.status != .deleted) }
            guard !versions.isEmpty else { return .failure(.init("Server not found", status: 404)) }
            return .success(.object(["servers": .array(versions.map(item)), "metadata": .object(["count": .int(Int64(versions.count))])]))
        case .version(let name, let version):
            guard let e = version == "latest" ? latest(catalog, name, includeDeleted: includeDeleted) : catalog.entry(name, version: version),
                caller.sees(e), includeDeleted || e.status != .deleted
            else { return .failure(.init(version == "latest" ? "Server not found" : "Server version not found", status: 404)) }
            return .success(item(e))
        case .legacyServer(let name):
            guard let e = latest(catalog, name, includeDeleted: includeDeleted), caller.sees(e) else {
                return .failure(.init("Server not found", status: 404))
            }
            return .success(item(e))
        case .write:
            return .failure(.init("not implemented", status: 501))
        }
    }

    private func latest(_ catalog: RegistryCatalog, _ name: String, includeDeleted: Bool) -> RegistryEntry? {
        guard let e = catalog.entry(name, version: "latest") else { return nil }
        return includeDeleted || e.status != .deleted ? e : nil
    }

    /// The JSON answer with CORS, caching headers and an `ETag`; 304 when `If-None-Match` names it.
    func registryJSON(_ value: JSONValue, request: Request, caller: RegistryCaller) -> Response {
        let bytes = value.serialized()
        let etag = "\"" + Hex.encode(SHA256.hash(data: bytes)).prefix(32) + "\""
        var h = Self.registryCORS
        h[.contentType] = HTTPReplies.jsonType
        h[.eTag] = etag
        let maxAge = registry.configuration.cacheMaxAge
        let personal = caller.isIdentified || request.headers[.authorization] != nil || request.headers[PolicyEngine.subscriptionHeader] != nil
        h[.cacheControl] = "\(personal ? "private" : "public"), max-age=\(maxAge)"
        h[.vary] = "Authorization, Gatehouse-Subscription-Key"
        if let match = request.headers[.ifNoneMatch], Self.etagMatches(match, etag) {
            return Response(status: .notModified, headers: h, body: ResponseBody())
        }
        if request.method == .head {
            h[.contentLength] = String(bytes.count)
            return Response(status: .ok, headers: h, body: ResponseBody())
        }
        return Response(status: .ok, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func registryError(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = GatewayResponder.registryCORS) -> Response {
        var h = headers
        if h[.accessControlAllowOrigin] == nil { h.append(contentsOf: Self.registryCORS) }
        return HTTPReplies.json(status, .object(["error": .string(message)]), headers: h)
    }

    /// Whether an `If-None-Match` value (`*`, or a list of strong or weak tags) matches.
    static func etagMatches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let t = part.trimmingCharacters(in: .whitespaces)
            return t == "*" || t == etag || t == "W/" + etag
        }
    }

    /// Query parameters, percent-decoded (`+` is a space, as in forms), in order.
    static func queryPairs(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
        }
    }
}
