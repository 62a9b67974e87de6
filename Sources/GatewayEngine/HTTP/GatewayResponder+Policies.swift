import HTTPTypes
import Hummingbird
import NIOCore

/// Policy refusals, per-message admission and RFC 9728 protected-resource metadata.
extension GatewayResponder {
    /// `/.well-known/oauth-protected-resource`, alone (root form) or followed by an endpoint path.
    static let metadataPrefix = "/.well-known/oauth-protected-resource"

    /// Renders a policy refusal: the HTTP status and headers, with a JSON-RPC error carrying the same reason.
    func refuse(_ r: PolicyRejection, id: JSONValue?, exchange: inout Exchange) -> Response {
        var data = r.data
        data["policy"] = .string(r.policy)
        data["scope"] = .string(r.scope)
        let error = JSONRPCError(code: MCPProtocol.serverError, message: r.message, data: .object(data))
        return finish(
            &exchange, HTTPReplies.json(r.status, error.response(id: id), headers: r.headers), outcome: .rejected, tool: exchange.refusedTool,
            arguments: exchange.refusedArguments, error: "\(r.policy): \(r.message)")
    }

    /// Reads the body of a request refused before it was parsed (401, 403, 429 at the request stage), within the
    /// usual size limit, so that its record says what was asked: the JSON-RPC method, and for a tool call the tool
    /// and its masked arguments. A body that does not parse leaves the record as it was.
    func peekRefused(_ request: Request, exchange: inout Exchange) async {
        guard let body = try? await readBody(request) else { return }
        exchange.bytesIn = body.count
        guard let value = try? JSONParser(maxDepth: 64).parse(body), let method = value["method"]?.stringValue else { return }
        exchange.noteRefused(method: method, params: value["params"]?.objectValue)
    }

    /// Runs the message stage for one JSON-RPC request; returns the refusal to send, if any.
    func admit(_ method: String, params: JSONObject?, id: JSONValue, request: Request, exchange: inout Exchange) async -> Response? {
        guard let policies = exchange.policies else { return nil }
        let tool = method == "tools/call" ? params?["name"]?.stringValue : nil
        if let refusal = await self.policies.messageStage(
            policies, method: method, tool: tool, headers: request.headers, query: request.uri.query, context: &exchange.policy)
        {
            exchange.noteRefused(method: method, params: params)
            return refuse(refusal, id: id, exchange: &exchange)
        }
        return nil
    }

    /// The origin clients reach the gateway at: the configured public URL, else `http://<Host>`.
    func publicOrigin(_ request: Request) -> String {
        if let url = configuration.publicURL { return url.hasSuffix("/") ? String(url.dropLast()) : url }
        // Never a URL from an unchecked Host: on a wildcard bind without --allowed-host, the listen address.
        if let authority = request.head.authority, originPolicy.checkedHost(authority) { return "http://" + authority }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(configuration.port)"
    }

    /// The path-suffixed metadata URL for an endpoint (RFC 9728 §3.1).
    func metadataURL(_ request: Request, basePath: String, endpoint: Endpoint) -> String {
        publicOrigin(request) + Self.metadataPrefix + "/" + basePath + (endpoint == .mcp ? "/mcp" : "/sse")
    }

    /// Serves protected-resource metadata for servers guarded by `validate-jwt`: at
    /// `/.well-known/oauth-protected-resource/<base>/mcp` (and `/sse`) and, when exactly one server is
    /// guarded, at the root form too.
    func protectedResourceMetadata(_ request: Request) -> Response {
        guard request.method == .get || request.method == .head else { return HTTPReplies.empty(.methodNotAllowed, headers: [.allow: "GET"]) }
        let suffix = String(request.uri.path.dropFirst(Self.metadataPrefix.count))
        let table = routing()
        var found: (CompiledServer, ValidateJWTPolicy, String)?
        if suffix.isEmpty || suffix == "/" {
            let guarded = table.servers.values.filter { $0.basePath != RegistryMCP.basePath }.compactMap { s in
                table.policies[s.basePath]?.protection.map { (s, $0.0) }
            }
            if guarded.count == 1 { found = (guarded[0].0, guarded[0].1, "mcp") }
        } else {
            let (base, endpoint) = Self.split(suffix)
            if let endpoint, endpoint != .messages, let server = table.servers[base], let p = table.policies[base]?.protection {
                found = (server, p.0, endpoint == .mcp ? "mcp" : "sse")
            }
        }
        guard let (server, policy, endpoint) = found else {
            return HTTPReplies.json(.notFound, .object(["error": "no protected resource at this path"]))
        }
        var doc: JSONObject = [
            "resource": .string(policy.resource ?? "\(publicOrigin(request))/\(server.basePath)/\(endpoint)"),
            "authorization_servers": .array(policy.authorizationServers.map { .string($0) }),
            "bearer_methods_supported": .array(["header"]),
            "resource_name": .string("gatehouse/\(server.name)"),
        ]
        if !policy.settings.requiredScopes.isEmpty { doc["scopes_supported"] = .array(policy.settings.requiredScopes.map { .string($0) }) }
        return HTTPReplies.json(.ok, .object(doc), headers: [.cacheControl: "max-age=300"])
    }
}
