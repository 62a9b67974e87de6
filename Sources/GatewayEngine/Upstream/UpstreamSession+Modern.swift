/// The stateless revision (2026-07-28) of an upstream: found by its refusal of `initialize`, discovered instead,
/// every request stamped with the envelope and routing headers, `logging/setLevel` kept as a `_meta` log level,
/// multi round-trip requests bridged to the calling client, `x-mcp-header` arguments learnt from `tools/list`, and
/// the `subscriptions/listen` stream the hub keeps open.
extension UpstreamSession {
    /// The stateless revision an `initialize` refusal names as supported (`-32022` with `data.supported`), if the
    /// gateway speaks it.
    static func modernVersion(offeredBy error: JSONValue?) -> String? {
        guard error?["code"]?.intValue == MCPProtocol.unsupportedProtocolVersion, let supported = error?["data"]?["supported"]?.arrayValue else {
            return nil
        }
        let offered = Set(supported.compactMap(\.stringValue))
        return MCPProtocol.modernVersions.first { offered.contains($0) }
    }

    /// `server/discover` on a stateless-revision upstream: its capabilities, identity and instructions stand in
    /// for the handshake's.
    func discover(version: String) async throws(UpstreamError) {
        state.withLock { $0.modern = version }
        let response = try await send(method: "server/discover", params: nil, call: nil, timeout: settings.connectTimeout + settings.timeout)
        guard case .object(let result)? = response["result"] else {
            throw UpstreamError(.protocolError, "upstream '\(settings.name)' refused server/discover: \(Self.describeError(response["error"]))")
        }
        let handshake = Handshake(
            protocolVersion: version, capabilities: result["capabilities"]?.objectValue ?? [:],
            serverInfo: result["_meta"]?[ModernEnvelope.serverInfoKey]?.objectValue ?? [:], instructions: result["instructions"]?.stringValue)
        state.withLock { s in
            s.handshake = handshake
            s.epoch += 1
        }
        await channel.initialized(protocolVersion: version)
        logger.info("upstream speaks the stateless revision", metadata: ["upstream": "\(settings.name)", "version": "\(version)"])
    }

    /// A request to a stateless upstream: `logging/setLevel` (which that revision lacks) is kept for the `_meta` of
    /// later requests; the answer's input requests are put to the client; a `-32020` on `tools/call` means the tool
    /// declares `x-mcp-header` arguments this session has not seen: the tools are listed (as the revision tells
    /// clients to) and the call sent once more with their headers.
    func modernRequest(method: String, params: JSONObject?, call: UpstreamCall?) async throws(UpstreamError) -> JSONObject {
        if method == "logging/setLevel" {
            guard let level = params?["level"]?.stringValue else {
                return ["error": .object(["code": .int(MCPProtocol.invalidParams), "message": "logging/setLevel needs a level"])]
            }
            state.withLock { $0.logLevel = level }
            return ["result": .object([:])]
        }
        var answer = try await send(method: method, params: params, call: call, timeout: settings.timeout)
        answer = try await answeringInputRequests(answer, method: method, params: params, call: call)
        answer = modernAnswer(answer, method: method)
        if method == "tools/call", answer["error"]?["code"]?.intValue == MCPProtocol.headerMismatch {
            try await learnParamHeaders()
            answer = modernAnswer(try await send(method: method, params: params, call: call, timeout: settings.timeout), method: method)
        }
        return answer
    }

    /// What a request to a stateless upstream carries beyond the handshake era's: the envelope in `_meta` (with the
    /// client's log level when it set one) and the `Mcp-Param-*` headers of the tool's `x-mcp-header` arguments.
    func stampModern(method: String, params: inout JSONObject?, rules: inout [HeaderRule]) {
        guard let modern = state.withLock({ $0.modern }) else { return }
        params = ModernEnvelope.addingEnvelope(params, version: modern, clientInfo: Self.clientInfo, capabilities: clientCapabilities)
        if let level = state.withLock({ $0.logLevel }) {
            var meta = params?["_meta"]?.objectValue ?? [:]
            meta[ModernEnvelope.logLevelKey] = .string(level)
            params?["_meta"] = .object(meta)
        }
        if method == "tools/call", let tool = params?["name"]?.stringValue, let declared = state.withLock({ $0.paramHeaders[tool] }) {
            let routing = ModernEnvelope.routingHeaders(version: modern, method: method, params: params, declared: declared)
            for (name, value) in routing where name.hasPrefix(ModernEnvelope.paramHeaderPrefix) { rules.append((name, value, .override)) }
        }
    }

    /// A stateless-revision answer as the relay passes it on: the `x-mcp-header` arguments of listed tools are
    /// remembered for later calls; a result that still asks for input (`input_required`) after
    /// ``answeringInputRequests(_:method:params:call:)`` — a call with no client to ask, or past 8 rounds — is an
    /// error the client can read.
    func modernAnswer(_ answer: JSONObject, method: String) -> JSONObject {
        guard let result = answer["result"]?.objectValue else { return answer }
        if result["resultType"]?.stringValue == "input_required" {
            return [
                "error": .object([
                    "code": .int(MCPProtocol.internalError),
                    "message": .string(
                        "upstream '\(settings.name)' still asks for client input (a 2026-07-28 multi round-trip request) with no client to ask, or after 8 rounds"
                    ),
                ])
            ]
        }
        if method == "tools/list", let tools = result["tools"]?.arrayValue {
            var found: [String: [ModernEnvelope.ParamHeader]] = [:]
            for tool in tools {
                guard let name = tool["name"]?.stringValue, let schema = tool["inputSchema"],
                    case .success(let declared) = ModernEnvelope.paramHeaders(of: schema), !declared.isEmpty
                else { continue }
                found[name] = declared
            }
            state.withLock { s in
                for (k, v) in found where s.paramHeaders.count < 10_000 || s.paramHeaders[k] != nil { s.paramHeaders[k] = v }
            }
        }
        return answer
    }

    /// Multi round-trip requests of a stateless upstream, bridged to a client of any revision: while the upstream
    /// answers `input_required`, each of its `inputRequests` (sampling, elicitation, roots) is put to the client
    /// whose call it is — as a request on its stream, exactly as a handshake-era upstream's own request would be —
    /// and the call is sent again with the `inputResponses` and the upstream's `requestState`. At most 8 rounds;
    /// a request the client cannot answer ends the call with an error naming it.
    func answeringInputRequests(
        _ first: JSONObject, method: String, params: JSONObject?, call: UpstreamCall?
    ) async throws(UpstreamError) -> JSONObject {
        var answer = first
        for _ in 0..<8 {
            guard let result = answer["result"]?.objectValue, result["resultType"]?.stringValue == "input_required", let call, let owner else {
                return answer
            }
            var responses = JSONObject()
            for (key, request) in result["inputRequests"]?.objectValue ?? [:] {
                guard let asked = request["method"]?.stringValue else { continue }
                let reply = await owner.upstreamRequest(self, method: asked, params: request["params"]?.objectValue, call: call)
                guard let value = reply["result"] else {
                    return [
                        "error": .object([
                            "code": .int(MCPProtocol.internalError),
                            "message": .string(
                                "upstream '\(settings.name)' asked the client for \(asked), which it did not answer: \(Self.describeError(reply["error"]))"
                            ),
                        ])
                    ]
                }
                responses[key] = value
            }
            var retry = params ?? [:]
            retry["inputResponses"] = .object(responses)
            retry["requestState"] = result["requestState"]
            answer = try await send(method: method, params: retry, call: call, timeout: settings.timeout)
        }
        return answer
    }

    /// Opens `subscriptions/listen` on a stateless upstream with this filter and returns when the stream ends (the
    /// upstream's graceful end; the hard maximum of a call ends it with a timeout). What it announces goes to the
    /// owner.
    func listen(_ filter: JSONObject) async throws(UpstreamError) -> JSONObject {
        try await send(method: "subscriptions/listen", params: ["notifications": .object(filter)], call: nil, timeout: settings.maxTimeout)
    }

    /// Walks the upstream's `tools/list` (at most 50 pages) so ``modernAnswer(_:method:)`` records the headers
    /// its tools declare.
    func learnParamHeaders() async throws(UpstreamError) {
        var cursor: JSONValue?
        for _ in 0..<50 {
            let params: JSONObject? = cursor.map { ["cursor": $0] }
            let page = modernAnswer(try await send(method: "tools/list", params: params, call: nil, timeout: settings.timeout), method: "tools/list")
            guard let next = page["result"]?["nextCursor"], next.stringValue?.isEmpty == false, next != cursor else { return }
            cursor = next
        }
    }
}
