import HTTPTypes
import Hummingbird
import NIOCore

/// The stateless revision (2026-07-28) of Streamable HTTP at `/<base>/mcp`, beside the handshake revisions on the
/// same endpoint: every POST is a request of its own, carrying its version, client and capabilities in `_meta` and
/// mirrored in headers the gateway checks against the body; no session is minted or read; `subscriptions/listen`
/// opens the stream that carries change notifications; closing a streamed answer cancels its request.
extension GatewayResponder {
    /// GET and DELETE do not exist in the stateless revision.
    func modernMethodNotAllowed(_ exchange: inout Exchange) -> Response {
        finish(
            &exchange, HTTPReplies.empty(.methodNotAllowed, headers: [.allow: "POST"]), outcome: .rejected, error: "method not allowed (2026-07-28)")
    }

    /// One POSTed message of the stateless revision, already parsed.
    func modernPost(_ request: Request, message: JSONRPCMessage, server: CompiledServer, exchange: inout Exchange) async -> Response {
        let headers: (String) -> [String] = { name in HTTPField.Name(name).map { request.headers[values: $0] } ?? [] }
        let id: JSONValue
        let method: String
        let params: JSONObject?
        switch message {
        case .notification:
            // The revision defines no client notifications over HTTP (closing a stream is the cancellation):
            // accepted and dropped when the version is served.
            if let refusal = ModernEnvelope.unsupported(request.headers[.mcpProtocolVersion] ?? "") {
                return modernRefusal(refusal, id: nil, exchange: &exchange)
            }
            exchange.protocolVersion = request.headers[.mcpProtocolVersion]
            return finish(&exchange, HTTPReplies.empty(.accepted), outcome: .ok)
        case .response:
            let refusal = ModernEnvelope.Refusal(
                code: MCPProtocol.invalidRequest, message: "2026-07-28 clients send no responses: the gateway sends them no requests")
            return modernRefusal(refusal, id: nil, exchange: &exchange)
        case .request(let i, let m, let p):
            (id, method, params) = (i, m, p)
        }
        let envelope: ModernEnvelope
        switch ModernEnvelope.classify(method: method, params: params, headers: headers) {
        case .success(let e): envelope = e
        case .failure(let refusal): return modernRefusal(refusal, id: id, exchange: &exchange)
        }
        exchange.protocolVersion = envelope.protocolVersion
        exchange.clientName = envelope.clientInfo?["name"]?.stringValue.map { String($0.prefix(128)) }
        exchange.clientVersion = envelope.clientInfo?["version"]?.stringValue.map { String($0.prefix(128)) }
        if method == "tools/call", let refusal = paramHeaderRefusal(params: params, server: server, headers: headers) {
            return modernRefusal(refusal, id: id, exchange: &exchange)
        }
        guard MCPHandler.modernMethods.contains(method),
            method == "server/discover" || method == "subscriptions/listen"
                || MCPHandler.family(of: method, server: server) != .unknown
        else {
            let refusal = ModernEnvelope.Refusal(code: MCPProtocol.methodNotFound, message: "method not found: \(String(method.prefix(128)))")
            return modernRefusal(refusal, id: id, exchange: &exchange)
        }
        if let refusal = await admit(method, params: params, id: id, request: request, exchange: &exchange) { return refusal }
        let forwarded = ModernEnvelope.strippingEnvelope(params)
        let message = JSONRPCMessage.request(id: id, method: method, params: forwarded)
        let privateScope = exchange.policies != nil
        switch method {
        case "server/discover":
            let result = handler.discoverResult(server: server, privateScope: privateScope)
            return modernReply(HandlerOutcome(response: .rpcResult(id: id, result)), method: method, server: server, exchange: &exchange)
        case "subscriptions/listen":
            return await openListen(id: id, params: params, server: server, exchange: &exchange)
        default:
            break
        }
        if server.hasUpstreams {
            let askable = envelope.clientCapabilities.filter { ["sampling", "elicitation", "roots"].contains($0.key) }
            if params?["requestState"] != nil || !askable.isEmpty {
                return await modernRounds(
                    message, id: id, method: method, params: forwarded, server: server, capabilities: JSONObject(askable.map { ($0.key, $0.value) }),
                    logLevel: params?["_meta"]?[ModernEnvelope.logLevelKey]?.stringValue, exchange: &exchange)
            }
            let logLevel = params?["_meta"]?[ModernEnvelope.logLevelKey]?.stringValue
            return await modernRelayed(
                message, id: id, method: method, params: forwarded, server: server, logLevel: logLevel, exchange: &exchange)
        }
        let outcome = await handler.handle(
            message, in: MCPRequestContext(server: server, version: envelope.protocolVersion), policy: &exchange.policy)
        return modernReply(outcome, method: method, server: server, exchange: &exchange)
    }

    /// Checks the `Mcp-Param-*` headers of a `tools/call` against the arguments its tool's `x-mcp-header`
    /// annotations name (nothing to check for tools without them, or with invalid ones clients drop).
    func paramHeaderRefusal(params: JSONObject?, server: CompiledServer, headers: (String) -> [String]) -> ModernEnvelope.Refusal? {
        guard let name = params?["name"]?.stringValue, let schema = server.tool(named: name)?.listEntry["inputSchema"],
            case .success(let declared) = ModernEnvelope.paramHeaders(of: schema), !declared.isEmpty
        else { return nil }
        return ModernEnvelope.checkParamHeaders(declared, arguments: params?["arguments"]?.objectValue ?? [:], headers: headers)
    }

    /// A refusal of the revision's checks as JSON with the status the revision gives its code.
    func modernRefusal(_ refusal: ModernEnvelope.Refusal, id: JSONValue?, exchange: inout Exchange) -> Response {
        exchange.rpcCode = Int(refusal.code)
        let status = HTTPResponse.Status(code: MCPProtocol.modernHTTPStatus(refusal.code))
        return finish(&exchange, HTTPReplies.json(status, refusal.rpcError.response(id: id)), outcome: .rejected, error: refusal.message)
    }

    /// A handled request's JSON answer: stamped for the revision, with 404 for `-32601` and 400 for the client's
    /// errors.
    func modernReply(_ outcome: HandlerOutcome, method: String, server: CompiledServer, exchange: inout Exchange) -> Response {
        var stamped = outcome
        stamped.response = MCPHandler.stampModern(outcome.response, method: method, server: server, privateScope: exchange.policies != nil)
        guard let body = stamped.response else { return finish(&exchange, HTTPReplies.empty(.accepted), outcome: .ok) }
        exchange.noteAnswer(stamped)
        var status = HTTPResponse.Status.ok
        if case .int(let code)? = body["error"]?["code"] { status = HTTPResponse.Status(code: MCPProtocol.modernHTTPStatus(code)) }
        let bytes = body.serialized()
        var h = exchange.policy.responseHeaders
        h[.contentType] = HTTPReplies.jsonType
        let response = Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        return finish(
            &exchange, response, outcome: stamped.outcome, tool: stamped.tool, arguments: stamped.arguments, backendStatus: stamped.backendStatus,
            backendLatency: stamped.backendLatency, bytesOut: bytes.count, error: stamped.error)
    }

    /// A request to a server with upstreams: through the principal's shared relay (``StatelessRelays``), answered
    /// as JSON when it finishes quietly within ``GatewayConfiguration/modernStreamDeferral``, else as an event
    /// stream (of its progress when it asked for progress, of keep-alives otherwise), then the answer. Closing that
    /// stream cancels the request and its upstream call.
    func modernRelayed(
        _ message: JSONRPCMessage, id: JSONValue, method: String, params: JSONObject?, server: CompiledServer, logLevel: String? = nil,
        exchange: inout Exchange
    ) async -> Response {
        let holder = statelessRelays.session(basePath: server.basePath, principal: exchange.policy.principalKey, client: exchange.client)
        let relay = holder.relay
        // Tracked under a key of the gateway's own: two clients of one principal may use the same request ID.
        let handle = relay.track(.string("modern:\(holder.nextEventID())"))
        let progressToken = params?["_meta"]?["progressToken"]
        let version = exchange.protocolVersion ?? MCPProtocol.modernVersions[0]
        let counter = LockedBox<UInt64>(0)
        let streamed = StreamedReply(
            eventIDs: {
                counter.withLock {
                    $0 += 1
                    return $0
                }
            }, onAbandon: { handle.cancel() })
        // Progress when the request asked for it; log messages of the call only at or above the level its `_meta`
        // opted in to (the revision's logging: no `logging/setLevel`).
        let sink = Self.clientSink(progressToken: progressToken, logLevel: logLevel) { streamed.send($0) }
        let context = RelayContext(relay: relay, call: UpstreamCall(peer: relay, sink: sink, progressToken: progressToken, handle: handle))
        // A request still running after the deferral becomes an event stream of keep-alives, so closing it cancels
        // the request (the revision's cancellation) and idle proxies keep it open.
        let deferral = configuration.modernStreamDeferral
        let keepAlive = configuration.sseKeepAlive
        let pinger = Task {
            var wait = deferral
            while (try? await Task.sleep(for: wait)) != nil {
                streamed.ping()
                wait = keepAlive
            }
        }
        let privateScope = exchange.policies != nil
        return await streamedCall(
            message, id: id, in: MCPRequestContext(server: server, version: version, relay: context), handle: handle, streamed: streamed,
            exchange: &exchange,
            stamp: { outcome in
                var o = outcome
                o.response = MCPHandler.stampModern(outcome.response, method: method, server: server, privateScope: privateScope)
                return o
            },
            whenDone: { pinger.cancel() },
            onStream: { exchange in
                // The client going away ends its request: its connection closing is the signal that does not wait
                // for the next write (weakly held: a finished request is not kept alive by the connection).
                exchange.connectionClosed?.whenComplete { [weak handle] _ in handle?.cancel() }
            }
        ) { outcome, exchange in modernReply(outcome, method: method, server: server, exchange: &exchange) }
    }

    /// `subscriptions/listen`: an event stream that starts with the acknowledgement of what the gateway will send,
    /// then carries those change notifications (and keep-alive comments) until the client closes it. Counts
    /// against the client address's open streams like any other stream. On a server with upstreams, the resources
    /// asked for are subscribed to through the principal's relay (those an upstream accepts are acknowledged) and
    /// unsubscribed when the last of the principal's listeners wanting them ends.
    func openListen(id: JSONValue, params: JSONObject?, server: CompiledServer, exchange: inout Exchange) async -> Response {
        if let refusal = admitStream(&exchange) { return refusal }
        var filter = ListenHub.Filter(requested: params?["notifications"])
        let principal = exchange.policy.principalKey
        var holder: MCPSession?
        let uris = ListenHub.Filter.requestedResources(params?["notifications"])
        if server.hasUpstreams, !uris.isEmpty {
            let relayHolder = statelessRelays.session(basePath: server.basePath, principal: principal, client: exchange.client)
            holder = relayHolder
            for uri in uris where await relayResource("resources/subscribe", uri: uri, server: server, holder: relayHolder, policy: exchange.policy) {
                filter.resourceSubscriptions.append(uri)
            }
        }
        let box = LockedBox<EventQueue?>(nil)
        let queue = makeEventQueue(transport: "listen") { box.withLock { $0 }?.finish() }
        box.withLock { $0 = queue }
        let token = listeners.add(basePath: server.basePath, subscriptionID: id, filter: filter, queue: queue, principal: principal)
        let listeners = self.listeners
        let basePath = server.basePath
        let subscribed = filter.resourceSubscriptions
        let policy = exchange.policy
        let relayHolder = holder
        startKeepAlive(queue, client: exchange.client, connectionClosed: exchange.connectionClosed) {
            listeners.remove(basePath: basePath, token: token)
            guard let holder = relayHolder, !subscribed.isEmpty else { return }
            Task {
                for uri in subscribed where !listeners.wants(basePath: basePath, principal: principal, uri: uri) {
                    _ = await self.relayResource("resources/unsubscribe", uri: uri, server: server, holder: holder, policy: policy)
                }
            }
        }
        return finish(
            &exchange, Response(status: .ok, headers: HTTPReplies.sseHeaders, body: ResponseBody(asyncSequence: queue.output)), outcome: .ok)
    }

    /// `resources/subscribe` or `/unsubscribe` of one URI through a stateless relay; whether an upstream accepted it.
    private func relayResource(_ method: String, uri: String, server: CompiledServer, holder: MCPSession, policy: PolicyContext) async -> Bool {
        let relay = holder.relay
        let handle = relay.track(.string("modern:\(holder.nextEventID())"))
        let context = RelayContext(relay: relay, call: UpstreamCall(peer: relay, sink: nil, progressToken: nil, handle: handle))
        var policy = policy
        let message = JSONRPCMessage.request(id: .string("listen"), method: method, params: ["uri": .string(uri)])
        let outcome = await handler.handle(
            message, in: MCPRequestContext(server: server, version: MCPProtocol.modernVersions[0], relay: context), policy: &policy)
        handle.finish()
        return outcome.response?["result"] != nil
    }

    /// A relayed request of a client that upstreams may ask something (it declared sampling, elicitation or
    /// roots), or the retry of one (`requestState`): multi round-trip requests. The call runs as the
    /// ``PendingInputCall`` peer of its upstream call; when the upstream asks, this HTTP request is answered with an
    /// `input_required` result (its `inputRequests` under keys of the gateway's, a `requestState` token from
    /// ``InputRequestBroker``) while the upstream call waits; the retry answers it and waits for the next round.
    func modernRounds(
        _ message: JSONRPCMessage, id: JSONValue, method: String, params: JSONObject?, server: CompiledServer, capabilities: JSONObject,
        logLevel: String? = nil, exchange: inout Exchange
    ) async -> Response {
        let owner = server.basePath + "\u{0}" + exchange.policy.principalKey
        if let state = params?["requestState"] {
            guard let token = state.stringValue, let parked = inputRequests.take(token, owner: owner) else {
                let refusal = ModernEnvelope.Refusal(
                    code: MCPProtocol.invalidParams, message: "requestState is unknown or expired: send the request again without it")
                return modernRefusal(refusal, id: id, exchange: &exchange)
            }
            let missing = parked.answer(params?["inputResponses"]?.objectValue ?? [:])
            if !missing.isEmpty {
                parked.abandon()
                let refusal = ModernEnvelope.Refusal(
                    code: MCPProtocol.invalidParams,
                    message: "inputResponses lacks \(missing.sorted().joined(separator: ", ")); the request was ended")
                return modernRefusal(refusal, id: id, exchange: &exchange)
            }
            return await nextRound(parked, id: id, method: method, server: server, owner: owner, exchange: &exchange)
        }
        let holder = statelessRelays.session(
            basePath: server.basePath, principal: exchange.policy.principalKey, client: exchange.client, capabilities: capabilities)
        let relay = holder.relay
        let handle = relay.track(.string("modern:\(holder.nextEventID())"))
        let pending = PendingInputCall(clientCapabilities: capabilities, handle: handle)
        // Progress and log messages go to whichever round's HTTP request is waiting (as an event stream).
        let progressToken = params?["_meta"]?["progressToken"]
        let sink = Self.clientSink(progressToken: progressToken, logLevel: logLevel) { pending.post(.message($0)) }
        let context = RelayContext(relay: relay, call: UpstreamCall(peer: pending, sink: sink, progressToken: progressToken, handle: handle))
        let version = exchange.protocolVersion ?? MCPProtocol.modernVersions[0]
        let snapshot = exchange
        let privateScope = exchange.policies != nil
        let task = Task {
            var ex = snapshot
            var outcome = await handler.handle(message, in: MCPRequestContext(server: server, version: version, relay: context), policy: &ex.policy)
            handle.finish()
            outcome.response = MCPHandler.stampModern(outcome.response, method: method, server: server, privateScope: privateScope)
            pending.outcome.withLock { $0 = (outcome, ex) }
            pending.post(.done)
        }
        handle.run(task)
        return await nextRound(pending, id: id, method: method, server: server, owner: owner, exchange: &exchange)
    }

    /// Waits for what the call does next: its answer (under this request's id), or what the upstream asks (an
    /// `input_required` result, the call parked until the retry). Progress or log messages before either make the
    /// round an event stream that ends with it; closing that stream abandons the call.
    private func nextRound(
        _ pending: PendingInputCall, id: JSONValue, method: String, server: CompiledServer, owner: String, exchange: inout Exchange
    ) async -> Response {
        let first = await pending.nextEvent()
        guard case .message(let interim) = first else {
            let outcome = roundOutcome(first, pending: pending, id: id, owner: owner)
            return modernReply(outcome, method: method, server: server, exchange: &exchange)
        }
        let (stream, output) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .unbounded)
        output.onTermination = { reason in if case .cancelled = reason { pending.abandon() } }
        output.yield(SSE.event(name: "message", id: nil, data: interim.jsonString))
        let snapshot = exchange
        let privateScope = exchange.policies != nil
        Task {
            var ex = snapshot
            while true {
                let event = await pending.nextEvent()
                if case .message(let m) = event {
                    output.yield(SSE.event(name: "message", id: nil, data: m.jsonString))
                    continue
                }
                var outcome = roundOutcome(event, pending: pending, id: id, owner: owner)
                outcome.response = MCPHandler.stampModern(outcome.response, method: method, server: server, privateScope: privateScope)
                ex.noteAnswer(outcome)
                if let response = outcome.response { output.yield(SSE.event(name: "message", id: nil, data: response.jsonString)) }
                output.finish()
                recordStreamed(outcome, exchange: &ex)
                return
            }
        }
        var headers = HTTPReplies.sseHeaders
        headers.append(contentsOf: exchange.policy.responseHeaders)
        return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: stream))
    }

    /// A round's answer: the call's outcome under this request's id, or an `input_required` result for what the
    /// upstream asks (the call parked under a new `requestState`).
    private func roundOutcome(_ event: PendingInputCall.Event, pending: PendingInputCall, id: JSONValue, owner: String) -> HandlerOutcome {
        switch event {
        case .done, .message:
            guard var (outcome, _) = pending.outcome.withLock({ $0 }) else {
                return HandlerOutcome(
                    response: JSONRPCError(code: MCPProtocol.internalError, message: "internal error").response(id: id), outcome: .rpcError)
            }
            if case .object(var envelope)? = outcome.response {
                envelope["id"] = id
                outcome.response = .object(envelope)
            }
            return outcome
        case .ask(let key, let asked, let askedParams):
            var requests: JSONObject = [key: Self.inputRequest(asked, askedParams)]
            for case .ask(let k, let m, let p) in pending.drainAsks() { requests[k] = Self.inputRequest(m, p) }
            let token = inputRequests.park(pending, owner: owner)
            let result: JSONValue = .object(["resultType": "input_required", "inputRequests": .object(requests), "requestState": .string(token)])
            return HandlerOutcome(response: .rpcResult(id: id, result))
        }
    }

    private static func inputRequest(_ method: String, _ params: JSONObject?) -> JSONValue {
        var o: JSONObject = ["method": .string(method)]
        if let params { o["params"] = .object(params) }
        return .object(o)
    }

    /// Where an upstream's progress and log messages for a stateless client's call go: progress when the request
    /// asked for it, log messages only at or above the level its `_meta` opted in to (the revision's logging: no
    /// `logging/setLevel`); nil when it asked for neither.
    static func clientSink(
        progressToken: JSONValue?, logLevel: String?, send: @escaping @Sendable (JSONValue) -> Void
    ) -> (@Sendable (JSONValue) -> Void)? {
        guard progressToken != nil || logLevel != nil else { return nil }
        let threshold = logLevel.flatMap(Self.logLevels.firstIndex(of:))
        return { @Sendable message in
            if message["method"] == "notifications/message" {
                guard let threshold, let level = message["params"]?["level"]?.stringValue.flatMap(Self.logLevels.firstIndex(of:)),
                    level >= threshold
                else { return }
            } else if progressToken == nil {
                return
            }
            send(message)
        }
    }

    /// RFC 5424 severities as MCP names them, least severe first.
    static let logLevels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]
}
