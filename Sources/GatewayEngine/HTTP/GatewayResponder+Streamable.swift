import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The Streamable HTTP transport at `/<base>/mcp`: the handshake revisions (2025-03-26, 2025-06-18, 2025-11-25) here,
/// the stateless one (2026-07-28) in `GatewayResponder+Modern.swift`, told apart per request.
extension GatewayResponder {
    func streamable(_ request: Request, server: CompiledServer, exchange: inout Exchange) async throws -> Response {
        if request.method != .post, ModernEnvelope.isModern(headerVersion: request.headers[.mcpProtocolVersion]) {
            return modernMethodNotAllowed(&exchange)
        }
        switch request.method {
        case .post: return try await streamablePost(request, server: server, exchange: &exchange)
        case .get: return streamableGet(request, server: server, exchange: &exchange)
        case .delete: return streamableDelete(request, server: server, exchange: &exchange)
        default:
            return finish(
                &exchange, HTTPReplies.empty(.methodNotAllowed, headers: [.allow: "GET, POST, DELETE"]), outcome: .rejected,
                error: "method not allowed")
        }
    }

    /// Resolves the session named by `Mcp-Session-Id`, or the 400/404 to send.
    func session(for request: Request, server: CompiledServer, exchange: inout Exchange) -> Result<MCPSession, SessionRefusal> {
        guard let id = request.headers[.mcpSessionID] else {
            let r = HTTPReplies.rpcError(.badRequest, code: MCPProtocol.serverError, "Bad Request: Mcp-Session-Id header is required")
            return .failure(SessionRefusal(response: finish(&exchange, r, outcome: .rejected, error: "missing session")))
        }
        // A session used by another principal is answered like an unknown one.
        guard let session = sessions.lookup(id, basePath: server.basePath), session.transport == .streamable,
            session.principal == exchange.policy.principalKey
        else {
            let r = HTTPReplies.rpcError(.notFound, code: MCPProtocol.serverError, "Session not found")
            return .failure(SessionRefusal(response: finish(&exchange, r, outcome: .rejected, error: "unknown session")))
        }
        return .success(session)
    }

    struct SessionRefusal: Error { var response: Response }

    func streamablePost(_ request: Request, server: CompiledServer, exchange: inout Exchange) async throws -> Response {
        let accept = request.headers[.accept]
        guard HTTPReplies.accepts(accept, "application/json"), HTTPReplies.accepts(accept, "text/event-stream") else {
            let r = HTTPReplies.rpcError(
                .notAcceptable, code: MCPProtocol.serverError, "Not Acceptable: Accept must list application/json and text/event-stream")
            return finish(&exchange, r, outcome: .rejected, error: "not acceptable")
        }
        guard HTTPReplies.isJSONContentType(request.headers[.contentType]) else {
            let r = HTTPReplies.rpcError(
                .unsupportedMediaType, code: MCPProtocol.serverError, "Unsupported Media Type: Content-Type must be application/json")
            return finish(&exchange, r, outcome: .rejected, error: "unsupported media type")
        }
        guard let body = try await readBody(request) else {
            let r = HTTPReplies.rpcError(.contentTooLarge, code: MCPProtocol.serverError, "request body exceeds \(configuration.maxBodyBytes) bytes")
            return finish(&exchange, r, outcome: .rejected, error: "body too large")
        }
        exchange.bytesIn = body.count
        let message: JSONRPCMessage
        switch parseMessage(body, exchange: &exchange) {
        case .message(let m): message = m
        case .refused(let r): return r
        }
        let headerVersion = request.headers[.mcpProtocolVersion]
        if ModernEnvelope.isModern(headerVersion: headerVersion, method: message.method, params: message.params)
            || message.method == "server/discover"
        {
            return await modernPost(request, message: message, server: server, exchange: &exchange)
        }

        if case .request(let id, "initialize", let params) = message {
            guard case .string(let requested)? = params?["protocolVersion"] else {
                let e = JSONRPCError(code: MCPProtocol.invalidParams, message: "initialize needs params.protocolVersion")
                return finish(&exchange, HTTPReplies.json(.ok, e.response(id: id)), outcome: .rpcError, error: e.message)
            }
            if let refusal = await admit("initialize", params: params, id: id, request: request, exchange: &exchange) { return refusal }
            let version = MCPHandler.negotiate(requested, supported: MCPProtocol.streamableVersions)
            exchange.protocolVersion = version
            let session = MCPSession(
                basePath: server.basePath, transport: .streamable, client: exchange.client, protocolVersion: version,
                principal: exchange.policy.principalKey)
            session.noteClientInfo(params?["clientInfo"])
            if server.hasUpstreams { session.relay.clientCapabilities = params?["capabilities"]?.objectValue ?? [:] }
            if let refusal = sessions.admit(session) {
                let status: HTTPResponse.Status = refusal.code == "table_full" ? .serviceUnavailable : .tooManyRequests
                let r = HTTPReplies.rpcError(status, code: MCPProtocol.serverError, refusal.message, id: id)
                return finish(&exchange, r, outcome: .rejected, error: "session limit")
            }
            let outcome = HandlerOutcome(response: .rpcResult(id: id, handler.initializeResult(server: server, version: version)))
            return reply(outcome, exchange: &exchange, headers: [.mcpSessionID: session.id])
        }

        if let headerVersion, !MCPProtocol.streamableVersions.contains(headerVersion) {
            let r = HTTPReplies.rpcError(
                .badRequest, code: MCPProtocol.serverError,
                "Bad Request: unsupported MCP-Protocol-Version '\(String(headerVersion.prefix(40)))' (supported: \(MCPProtocol.streamableVersions.joined(separator: ", ")))"
            )
            return finish(&exchange, r, outcome: .rejected, error: "unsupported protocol version")
        }
        let session: MCPSession
        switch self.session(for: request, server: server, exchange: &exchange) {
        case .success(let s): session = s
        case .failure(let refusal): return refusal.response
        }
        exchange.note(session)
        switch message {
        case .notification(let method, let params):
            relayNotification(method, params: params, session: session)
            return finish(&exchange, HTTPReplies.empty(.accepted), outcome: .ok)
        case .response:
            relayResponse(body, session: session)
            return finish(&exchange, HTTPReplies.empty(.accepted), outcome: .ok)
        case .request(let id, let method, let params):
            if let refusal = await admit(method, params: params, id: id, request: request, exchange: &exchange) { return refusal }
            if server.hasUpstreams {
                return await relayedReply(message, id: id, params: params, server: server, session: session, exchange: &exchange)
            }
            let outcome = await handler.handle(
                message, in: MCPRequestContext(server: server, version: session.protocolVersion), policy: &exchange.policy)
            return reply(outcome, exchange: &exchange)
        }
    }

    /// A request to a server with upstreams: handled in a task of its own (so `notifications/cancelled` can stop
    /// it), answered as JSON when nothing else is sent first, else as an event stream carrying the upstream's
    /// progress, log messages and requests to the client, then the response.
    func relayedReply(
        _ message: JSONRPCMessage, id: JSONValue, params: JSONObject?, server: CompiledServer, session: MCPSession, exchange: inout Exchange
    ) async -> Response {
        let relay = session.relay
        let progressToken = params?["_meta"]?["progressToken"]
        if progressToken == nil, !Self.mayBeAsked(relay.clientCapabilities) {
            // Nothing but the answer can come for this request (no progress token, and the client cannot be asked
            // for sampling, elicitation or roots): handle it in place and answer with JSON. Cancellation reaches the
            // upstream call through the handle.
            let handle = relay.track(id)
            let context = RelayContext(relay: relay, call: UpstreamCall(peer: relay, sink: nil, progressToken: nil, handle: handle))
            let outcome = await handler.handle(
                message, in: MCPRequestContext(server: server, version: session.protocolVersion, relay: context), policy: &exchange.policy)
            handle.finish()
            return reply(outcome, exchange: &exchange)
        }
        let streamed = StreamedReply(eventIDs: { session.nextEventID() })
        let handle = relay.track(id)
        let context = RelayContext(
            relay: relay, call: UpstreamCall(peer: relay, sink: { streamed.send($0) }, progressToken: progressToken, handle: handle))
        return await streamedCall(
            message, id: id, in: MCPRequestContext(server: server, version: session.protocolVersion, relay: context), handle: handle,
            streamed: streamed, exchange: &exchange
        ) { outcome, exchange in reply(outcome, exchange: &exchange) }
    }

    /// Whether an upstream may send the client requests (it declared sampling, elicitation or roots).
    static func mayBeAsked(_ capabilities: JSONObject) -> Bool {
        capabilities["sampling"] != nil || capabilities["elicitation"] != nil || capabilities["roots"] != nil
    }

    /// A notification from the client: cancellation reaches the request in flight in this session; a roots change
    /// reaches the client's upstream sessions.
    func relayNotification(_ method: String, params: JSONObject?, session: MCPSession) {
        switch method {
        case "notifications/cancelled":
            if let requestID = params?["requestId"] { session.relay.cancel(requestID) }
        case "notifications/roots/list_changed":
            for link in session.relay.openLinks { Task { try? await link.notify(method: method, params: params) } }
        default:
            break
        }
    }

    /// A response from the client to a request the gateway relayed to it (sampling, elicitation, roots).
    func relayResponse(_ body: [UInt8], session: MCPSession) {
        guard case .object(let o)? = try? JSONParser(maxDepth: 64).parse(body) else { return }
        _ = session.relay.receiveResponse(o)
    }

    func streamableGet(_ request: Request, server: CompiledServer, exchange: inout Exchange) -> Response {
        guard let accept = request.headers[.accept], HTTPReplies.accepts(accept, "text/event-stream") else {
            let r = HTTPReplies.rpcError(.notAcceptable, code: MCPProtocol.serverError, "Not Acceptable: Accept must list text/event-stream")
            return finish(&exchange, r, outcome: .rejected, error: "not acceptable")
        }
        if let v = request.headers[.mcpProtocolVersion], !MCPProtocol.streamableVersions.contains(v) {
            let r = HTTPReplies.rpcError(.badRequest, code: MCPProtocol.serverError, "Bad Request: unsupported MCP-Protocol-Version")
            return finish(&exchange, r, outcome: .rejected, error: "unsupported protocol version")
        }
        let session: MCPSession
        switch self.session(for: request, server: server, exchange: &exchange) {
        case .success(let s): session = s
        case .failure(let refusal): return refusal.response
        }
        if request.headers[HTTPField.Name("Last-Event-ID")!] != nil {
            // Nothing is ever queued for replay on this server's streams.
            let r = HTTPReplies.rpcError(.badRequest, code: MCPProtocol.serverError, "Bad Request: unknown Last-Event-ID; no events to replay")
            return finish(&exchange, r, outcome: .rejected, error: "unknown last-event-id")
        }
        let sessions = self.sessions
        let id = session.id
        if let refusal = admitStream(&exchange) { return refusal }
        let queue = makeEventQueue(transport: "streamable") { sessions.remove(id) }
        guard session.attachStream(queue) else {
            streamSlots.release(exchange.client)
            let r = HTTPReplies.rpcError(.conflict, code: MCPProtocol.serverError, "Conflict: this session already has an open GET stream")
            return finish(&exchange, r, outcome: .rejected, error: "stream already open")
        }
        if session.protocolVersion >= "2025-11-25" {
            queue.yield(SSE.event(name: nil, id: "0", data: ""))
        }
        startKeepAlive(queue, client: exchange.client, connectionClosed: exchange.connectionClosed) { session.detachStream() }
        return finish(
            &exchange, Response(status: .ok, headers: HTTPReplies.sseHeaders, body: ResponseBody(asyncSequence: queue.output)), outcome: .ok)
    }

    func streamableDelete(_ request: Request, server: CompiledServer, exchange: inout Exchange) -> Response {
        switch self.session(for: request, server: server, exchange: &exchange) {
        case .success(let s):
            sessions.remove(s.id)
            return finish(&exchange, HTTPReplies.empty(.noContent), outcome: .ok)
        case .failure(let refusal):
            return refusal.response
        }
    }

    /// Sends a comment every keep-alive interval so idle proxies keep the stream open and dead clients are noticed.
    /// A graceful shutdown ends the stream at once (the task inherits the server's shutdown signal), so open streams
    /// never hold `serve` up after SIGTERM.
    /// A stream that has carried nothing but keep-alives for ``ConnectionLimits/streamIdleLifetime`` is ended (the
    /// client reconnects), and the stream's slot of `client`'s address is given back when it ends. The stream ends
    /// with the client's connection (`connectionClosed`), not at the next keep-alive that fails to reach it.
    func startKeepAlive(
        _ queue: EventQueue, client: String, connectionClosed: EventLoopFuture<Void>?, onEnd: @escaping @Sendable () -> Void
    ) {
        let interval = min(configuration.sseKeepAlive, configuration.connectionLimits.streamIdleLifetime)
        let lifetime = configuration.connectionLimits.streamIdleLifetime
        let monitor = self.monitor
        let task = Task {
            await withGracefulShutdownHandler {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    if ContinuousClock.now - queue.lastEvent >= lifetime {
                        monitor.limitBit(.connection, "stream_idle_lifetime")
                        queue.finish()
                        return
                    }
                    guard queue.yield(SSE.comment("keep-alive"), keepAlive: true) else { return }
                }
            } onGracefulShutdown: {
                queue.finish()
            }
        }
        let slots = streamSlots
        queue.onTermination {
            task.cancel()
            slots.release(client)
            onEnd()
        }
        connectionClosed?.whenComplete { _ in queue.finish() }
    }

    /// Takes a stream slot for the client's address, or answers 429 when it holds its cap of open streams.
    func admitStream(_ exchange: inout Exchange) -> Response? {
        guard streamSlots.acquire(exchange.client) != nil else { return nil }
        monitor.limitBit(.connection, "streams_client_address")
        let r = HTTPReplies.rpcError(
            .tooManyRequests, code: MCPProtocol.serverError,
            "Too Many Requests: this client address holds \(streamSlots.perAddress) open streams already; close one first")
        return finish(&exchange, r, outcome: .rejected, error: "stream limit")
    }

    /// The queue of a long-lived stream, bounded by ``GatewayConfiguration/streamQueue``; a client that does not read
    /// fills it, and then `onOverflow` ends its session (counted in `gatehouse_stream_overflow_total{transport}`).
    func makeEventQueue(transport: String, onOverflow: @escaping @Sendable () -> Void) -> EventQueue {
        let monitor = self.monitor
        return EventQueue(limits: configuration.streamQueue) {
            monitor.limitBit(.streamOverflow, transport)
            onOverflow()
        }
    }
}
