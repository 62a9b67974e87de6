import Foundation

/// The relayed family (resources, prompts, completions, logging) and upstream tool calls: what a server with
/// upstream sources asks of them, on this client's upstream sessions, through each upstream's circuit breaker.
extension MCPHandler {
    /// Methods answered by upstreams on servers that have upstream sources.
    static let relayedMethods: Set<String> = [
        "resources/list", "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe", "prompts/list",
        "prompts/get", "completion/complete", "logging/setLevel",
    ]

    /// Discovers the server's upstreams that were never discovered under the current configuration (the first
    /// `tools/list` after a start or a change) or whose last discovery failed a moment ago, then returns the server
    /// as now compiled.
    func discoverIfNeeded(_ server: CompiledServer) async -> CompiledServer {
        let missing = server.upstreams.map(\.upstream).filter { upstreams.needsDiscovery($0) }
        guard !missing.isEmpty else { return server }
        await withTaskGroup(of: Void.self) { group in
            for name in missing {
                group.addTask {
                    do throws(UpstreamError) { _ = try await self.upstreams.discover(name) } catch {
                        self.logger.warning("upstream discovery failed", metadata: ["upstream": "\(name)", "error": "\(error.message)"])
                        self.monitor.event(.warning, "upstream '\(name)': discovery failed: \(error.message)")
                    }
                }
            }
        }
        reload()
        return routing().servers[server.basePath] ?? server
    }

    /// `tools/call` of an upstream tool: the client's arguments under the upstream's tool name, on this client's
    /// upstream session, through the upstream's circuit breaker.
    func relayToolCall(
        _ binding: UpstreamToolBinding, tool: String, params: JSONObject?, arguments: JSONObject, version: String, relay: RelayContext?
    ) async -> HandlerOutcome {
        var outcome = HandlerOutcome(tool: tool, arguments: SecretMasker.masked(.object(arguments)))
        guard let relay else {
            let e = JSONRPCError(code: MCPProtocol.internalError, message: "upstream tools need a session")
            return outcome.failing(e)
        }
        var upstreamParams: JSONObject = ["name": .string(binding.remoteName), "arguments": .object(arguments)]
        if let meta = params?["_meta"] { upstreamParams["_meta"] = meta }
        let started = ContinuousClock.now
        do throws(UpstreamError) {
            let answer = try await upstreams.guarded(binding.upstream, call: binding.remoteName) { () async throws(UpstreamError) -> JSONObject in
                let session = try await relay.relay.link(binding.upstream, hub: upstreams)
                let answer = try await session.request(method: "tools/call", params: upstreamParams, call: relay.call)
                // An upstream that echoes the credential we gave it (an error page, a debug tool) must not hand it on.
                let secrets = session.channel.injectedSecrets
                guard !secrets.isEmpty, case .object(let redacted) = SecretMasker.redact(.object(answer), secrets: secrets) else { return answer }
                return redacted
            }
            outcome.backendLatency = ContinuousClock.now - started
            if case .object(var result)? = answer["result"] {
                if !MCPProtocol.hasStructuredOutput(version) { result["structuredContent"] = nil }
                outcome.response = .object(result)
                if result["isError"] == .bool(true) {
                    outcome.outcome = .toolError
                    outcome.error = "upstream tool error"
                }
            } else {
                let e = Self.upstreamRPCError(answer["error"], upstream: binding.upstream)
                outcome.outcome = .rpcError
                outcome.error = e.message
                outcome.rpcError = e
                outcome.serverFault = !MCPProtocol.isClientMistake(code: e.code)
            }
        } catch {
            outcome.backendLatency = ContinuousClock.now - started
            outcome.outcome = .rpcError
            outcome.error = error.message
            outcome.rpcError = error.rpcError
            outcome.serverFault = true
        }
        return outcome
    }

    /// An upstream's JSON-RPC error, passed on (code, message and data kept; a malformed one becomes -32603).
    static func upstreamRPCError(_ error: JSONValue?, upstream: String) -> JSONRPCError {
        guard let e = error?.objectValue, let code = e["code"]?.intValue, let message = e["message"]?.stringValue else {
            return JSONRPCError(code: MCPProtocol.internalError, message: "upstream '\(upstream)' answered with a malformed error")
        }
        return JSONRPCError(code: code, message: String(message.prefix(2000)), data: e["data"])
    }

    /// Resources, prompts, completions and logging, relayed to the server's upstreams.
    func relayRequest(id: JSONValue, method: String, params: JSONObject?, server: CompiledServer, relay: RelayContext) async -> HandlerOutcome {
        do throws(JSONRPCError) {
            let result: JSONValue
            switch method {
            case "resources/list":
                result = try await merged(server, relay: relay, capability: "resources", method: method, member: "resources") { item, source in
                    if let uri = item["uri"]?.stringValue { relay.relay.rememberResource(uri, upstream: source.upstream) }
                    return item
                }
            case "resources/templates/list":
                result = try await merged(server, relay: relay, capability: "resources", method: method, member: "resourceTemplates") {
                    item, source in
                    if let uri = item["uriTemplate"]?.stringValue { relay.relay.rememberResource(uri, upstream: source.upstream) }
                    return item
                }
            case "prompts/list":
                result = try await merged(server, relay: relay, capability: "prompts", method: method, member: "prompts") { item, source in
                    guard let name = item["name"]?.stringValue else { return nil }
                    var o = item
                    let exposed = source.prefix + name
                    o["name"] = .string(exposed)
                    relay.relay.rememberPrompt(exposed, upstream: source.upstream, remote: name)
                    return o
                }
            case "resources/read", "resources/subscribe", "resources/unsubscribe":
                guard case .string(let uri)? = params?["uri"] else {
                    throw JSONRPCError(code: MCPProtocol.invalidParams, message: "\(method) needs a string \"uri\"")
                }
                result = try await routedByResource(uri, server: server, relay: relay, method: method, params: params)
                if method != "resources/read" { relay.relay.setSubscribed(uri, method == "resources/subscribe") }
            case "prompts/get":
                guard case .string(let name)? = params?["name"] else {
                    throw JSONRPCError(code: MCPProtocol.invalidParams, message: "prompts/get needs a string \"name\"")
                }
                let (upstream, remote) = try await promptOwner(name, server: server, relay: relay)
                var p = params ?? [:]
                p["name"] = .string(remote)
                result = try await single(upstream, relay: relay, method: method, params: p)
            case "completion/complete":
                guard case .object(var ref)? = params?["ref"] else {
                    throw JSONRPCError(code: MCPProtocol.invalidParams, message: "completion/complete needs \"ref\"")
                }
                var p = params ?? [:]
                if ref["type"] == .string("ref/prompt"), case .string(let name)? = ref["name"] {
                    let (upstream, remote) = try await promptOwner(name, server: server, relay: relay)
                    ref["name"] = .string(remote)
                    p["ref"] = .object(ref)
                    result = try await single(upstream, relay: relay, method: method, params: p)
                } else if case .string(let uri)? = ref["uri"] {
                    result = try await routedByResource(uri, server: server, relay: relay, method: method, params: p)
                } else {
                    throw JSONRPCError(code: MCPProtocol.invalidParams, message: "completion/complete: unsupported ref")
                }
            case "logging/setLevel":
                for source in server.upstreams {
                    guard let session = try? await relay.relay.link(source.upstream, hub: upstreams),
                        session.handshake?.capabilities["logging"] != nil
                    else { continue }
                    _ = try? await session.request(method: method, params: params, call: nil)
                }
                result = .object([:])
            default:
                throw JSONRPCError(code: MCPProtocol.methodNotFound, message: "method not found: \(method)")
            }
            return HandlerOutcome(response: .rpcResult(id: id, result))
        } catch {
            return HandlerOutcome(response: error.response(id: id), outcome: .rpcError, error: error.message)
        }
    }

    /// One request to one upstream; its error is passed on.
    private func single(_ upstream: String, relay: RelayContext, method: String, params: JSONObject?) async throws(JSONRPCError) -> JSONValue {
        let answer: JSONObject
        do throws(UpstreamError) {
            answer = try await upstreams.guarded(upstream, call: method) { () async throws(UpstreamError) -> JSONObject in
                let session = try await relay.relay.link(upstream, hub: upstreams)
                return try await session.request(method: method, params: params, call: relay.call)
            }
        } catch {
            throw error.rpcError
        }
        if let result = answer["result"] { return result }
        throw Self.upstreamRPCError(answer["error"], upstream: upstream)
    }

    /// A list method over every upstream that has the capability, every page, merged (at most 10 000 items).
    private func merged(
        _ server: CompiledServer, relay: RelayContext, capability: String, method: String, member: String,
        transform: (JSONObject, CompiledUpstreamSource) -> JSONObject?
    ) async throws(JSONRPCError) -> JSONValue {
        var items: [JSONValue] = []
        var failures: [String] = []
        var reached = 0
        for source in server.upstreams {
            do throws(UpstreamError) {
                let session = try await upstreams.guarded(source.upstream) { () async throws(UpstreamError) in
                    try await relay.relay.link(source.upstream, hub: upstreams)
                }
                reached += 1
                guard session.handshake?.capabilities[capability] != nil else { continue }
                var cursor: JSONValue?
                var pages = 0
                repeat {
                    pages += 1
                    let answer = try await session.request(method: method, params: cursor.map { ["cursor": $0] }, call: relay.call)
                    guard case .object(let result)? = answer["result"], case .array(let list)? = result[member] else {
                        failures.append("\(source.upstream): \(UpstreamSession.describeError(answer["error"]))")
                        break
                    }
                    for case .object(let item) in list where items.count < 10_000 {
                        if let t = transform(item, source) { items.append(.object(t)) }
                    }
                    cursor = result["nextCursor"].flatMap { $0.isNull ? nil : $0 }
                } while cursor != nil && pages < 100 && items.count < 10_000
            } catch {
                failures.append("\(source.upstream): \(error.message)")
            }
        }
        if reached == 0, !failures.isEmpty {
            throw JSONRPCError(code: MCPProtocol.internalError, message: "no upstream answered \(method): \(failures.joined(separator: "; "))")
        }
        for f in failures { logger.warning("upstream list failed", metadata: ["method": "\(method)", "error": "\(f)"]) }
        return .object([member: .array(items)])
    }

    /// A resource request goes to the upstream that listed the URI (or its template), else to each upstream with
    /// resources in turn until one knows it.
    private func routedByResource(_ uri: String, server: CompiledServer, relay: RelayContext, method: String, params: JSONObject?)
        async throws(JSONRPCError) -> JSONValue
    {
        if let owner = relay.relay.resourceOwner(uri), server.upstreams.contains(where: { $0.upstream == owner }) {
            return try await single(owner, relay: relay, method: method, params: params)
        }
        var last: JSONRPCError?
        for source in server.upstreams {
            guard let session = try? await relay.relay.link(source.upstream, hub: upstreams), session.handshake?.capabilities["resources"] != nil
            else { continue }
            do throws(JSONRPCError) {
                let result = try await single(source.upstream, relay: relay, method: method, params: params)
                relay.relay.rememberResource(uri, upstream: source.upstream)
                return result
            } catch {
                last = error
            }
        }
        throw last ?? JSONRPCError(code: -32002, message: "Resource not found: \(uri.prefix(500))")
    }

    /// The upstream and remote name of an exposed prompt name (from the client's last `prompts/list`, else by
    /// listing now).
    private func promptOwner(_ name: String, server: CompiledServer, relay: RelayContext) async throws(JSONRPCError) -> (String, String) {
        if let owner = relay.relay.promptOwner(name) { return owner }
        _ = try await merged(server, relay: relay, capability: "prompts", method: "prompts/list", member: "prompts") { item, source in
            if let n = item["name"]?.stringValue { relay.relay.rememberPrompt(source.prefix + n, upstream: source.upstream, remote: n) }
            return nil
        }
        if let owner = relay.relay.promptOwner(name) { return owner }
        throw JSONRPCError(code: MCPProtocol.invalidParams, message: "Unknown prompt: \(name.prefix(200))")
    }
}
