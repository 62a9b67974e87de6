import HTTPTypes
import Hummingbird
import NIOCore

/// The legacy HTTP+SSE transport (2024-11-05): `GET /<base>/sse` opens the stream and announces
/// `/<base>/messages?sessionId=…`, where the client POSTs; answers travel on the stream.
extension GatewayResponder {
    func openLegacyStream(_ request: Request, server: CompiledServer, exchange: inout Exchange) -> Response {
        guard request.method == .get else {
            return finish(&exchange, HTTPReplies.empty(.methodNotAllowed, headers: [.allow: "GET"]), outcome: .rejected, error: "method not allowed")
        }
        guard HTTPReplies.accepts(request.headers[.accept], "text/event-stream") else {
            let r = HTTPReplies.rpcError(.notAcceptable, code: MCPProtocol.serverError, "Not Acceptable: Accept must list text/event-stream")
            return finish(&exchange, r, outcome: .rejected, error: "not acceptable")
        }
        if let refusal = admitStream(&exchange) { return refusal }
        let session = MCPSession(
            basePath: server.basePath, transport: .sse, client: exchange.client, protocolVersion: "2024-11-05",
            principal: exchange.policy.principalKey)
        if let refusal = sessions.admit(session) {
            streamSlots.release(exchange.client)
            let status: HTTPResponse.Status = refusal.code == "table_full" ? .serviceUnavailable : .tooManyRequests
            return finish(
                &exchange, HTTPReplies.rpcError(status, code: MCPProtocol.serverError, refusal.message), outcome: .rejected, error: "session limit")
        }
        let sessions = self.sessions
        let id = session.id
        let queue = makeEventQueue(transport: "sse") { sessions.remove(id) }
        _ = session.attachStream(queue)
        queue.yield(SSE.event(name: "endpoint", id: nil, data: "/\(server.basePath)/messages?sessionId=\(session.id)"))
        startKeepAlive(queue, client: exchange.client, connectionClosed: exchange.connectionClosed) { sessions.remove(id) }
        return finish(
            &exchange, Response(status: .ok, headers: HTTPReplies.sseHeaders, body: ResponseBody(asyncSequence: queue.output)), outcome: .ok)
    }

    func legacyMessage(_ request: Request, server: CompiledServer, exchange: inout Exchange) async throws -> Response {
        guard request.method == .post else {
            return finish(&exchange, HTTPReplies.empty(.methodNotAllowed, headers: [.allow: "POST"]), outcome: .rejected, error: "method not allowed")
        }
        guard let id = request.uri.queryParameters["sessionId"].map(String.init), !id.isEmpty else {
            let r = HTTPReplies.rpcError(.badRequest, code: MCPProtocol.serverError, "Bad Request: sessionId query parameter is required")
            return finish(&exchange, r, outcome: .rejected, error: "missing session")
        }
        guard let session = sessions.lookup(id, basePath: server.basePath), session.transport == .sse,
            session.principal == exchange.policy.principalKey
        else {
            let r = HTTPReplies.rpcError(.notFound, code: MCPProtocol.serverError, "Session not found")
            return finish(&exchange, r, outcome: .rejected, error: "unknown session")
        }
        exchange.note(session)
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
        let accepted = HTTPReplies.text(.accepted, "Accepted")
        guard case .request(let rid, let method, let params) = message else {
            if case .notification(let method, let params) = message { relayNotification(method, params: params, session: session) }
            if case .response = message { relayResponse(body, session: session) }
            return finish(&exchange, accepted, outcome: .ok)
        }
        // Refusals come on the POST itself, before anything reaches the stream.
        if let refusal = await admit(method, params: params, id: rid, request: request, exchange: &exchange) { return refusal }
        if method == "initialize" {
            let requested = params?["protocolVersion"]?.stringValue
            let version = MCPHandler.negotiate(requested, supported: MCPProtocol.sseVersions)
            session.protocolVersion = version
            session.noteClientInfo(params?["clientInfo"])
            if server.hasUpstreams { session.relay.clientCapabilities = params?["capabilities"]?.objectValue ?? [:] }
            let outcome = HandlerOutcome(response: .rpcResult(id: rid, handler.initializeResult(server: server, version: version)))
            deliver(outcome, on: session, exchange: &exchange)
            return accepted
        }
        // Answer 202 at once and deliver the response on the stream when it is ready, so that a slow tool does
        // not hold the client's next message.
        let snapshot = exchange
        let version = session.protocolVersion
        let relay = server.hasUpstreams ? session.relay : nil
        let handle = relay?.track(rid)
        let context = relay.map {
            RelayContext(
                relay: $0, call: UpstreamCall(peer: $0, sink: { session.send($0) }, progressToken: params?["_meta"]?["progressToken"], handle: handle)
            )
        }
        let task = Task {
            var exchange = snapshot
            let outcome = await handler.handle(
                message, in: MCPRequestContext(server: server, version: version, relay: context), policy: &exchange.policy)
            handle?.finish()
            deliver(outcome, on: session, exchange: &exchange)
        }
        handle?.run(task)
        return accepted
    }

    /// Sends a handled message's response on the session's stream and records the exchange.
    func deliver(_ outcome: HandlerOutcome, on session: MCPSession, exchange: inout Exchange) {
        exchange.note(session)
        exchange.noteAnswer(outcome)
        var bytesOut = 0
        var result = outcome.outcome
        var error = outcome.error
        if let response = outcome.response {
            bytesOut = response.serialized().count
            if !session.send(response) {
                result = .rejected
                error = "stream closed before the response"
            }
        }
        _ = finish(
            &exchange, HTTPReplies.empty(.accepted), outcome: result, tool: outcome.tool, arguments: outcome.arguments,
            backendStatus: outcome.backendStatus, backendLatency: outcome.backendLatency, bytesOut: bytesOut, error: error,
            serverFault: outcome.serverFault)
    }
}
