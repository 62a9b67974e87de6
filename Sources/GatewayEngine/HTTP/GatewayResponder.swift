import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The gateway's single HTTP responder: validates `Host` and `Origin` on every request, then routes
/// `/<base>/mcp` (Streamable HTTP), `/<base>/sse` and `/<base>/messages` (legacy HTTP+SSE), `/metrics` and
/// `/healthz`. Everything else is 404: routes are matched exactly, so `//pets/mcp`, `/pets/mcp/` or
/// `/pets/MCP` never reach a server.
struct GatewayResponder: HTTPResponder {
    typealias Context = GatewayRequestContext
    let configuration: GatewayConfiguration
    /// The routing table as served now.
    let routing: @Sendable () -> RoutingTable
    /// Answers the JSON-RPC requests of established sessions.
    let handler: MCPHandler
    let sessions: SessionRegistry
    /// The request and message stages of policies.
    let policies: PolicyEngine
    /// Request records, events and `/metrics`.
    let monitor: RequestMonitor
    /// Completes authorization-code connections at `/oauth/callback`.
    let credentials: CredentialManager
    /// The registry API (`/v0.1`, `/v0`) and the callers' visibility.
    let registry: RegistryService
    let originPolicy: OriginPolicy
    /// Open streams per client address (``ConnectionLimits/streamsPerClientAddress``).
    let streamSlots: AddressSlots
    /// The `subscriptions/listen` streams of the stateless revision.
    let listeners: ListenHub
    /// The shared relays behind stateless requests to servers with upstreams.
    let statelessRelays: StatelessRelays
    /// Relayed stateless requests parked between two rounds of a multi round-trip request.
    let inputRequests: InputRequestBroker

    /// A responder over the engine's parts (``Gateway`` passes its own).
    init(
        configuration: GatewayConfiguration, routing: @escaping @Sendable () -> RoutingTable, handler: MCPHandler, sessions: SessionRegistry,
        policies: PolicyEngine, monitor: RequestMonitor, credentials: CredentialManager, registry: RegistryService,
        listeners: ListenHub = ListenHub(), statelessRelays: StatelessRelays = StatelessRelays(),
        inputRequests: InputRequestBroker = InputRequestBroker()
    ) {
        self.inputRequests = inputRequests
        self.registry = registry
        self.listeners = listeners
        self.statelessRelays = statelessRelays
        self.configuration = configuration
        self.routing = routing
        self.handler = handler
        self.sessions = sessions
        self.policies = policies
        self.monitor = monitor
        self.credentials = credentials
        originPolicy = OriginPolicy(configuration: configuration)
        streamSlots = AddressSlots(perAddress: configuration.connectionLimits.streamsPerClientAddress)
    }

    /// Facts about the request in flight, for its record.
    struct Exchange {
        let started = ContinuousClock.now
        let time = Date()
        var server: String
        let client: String
        var transport: String
        var method: String
        var bytesIn = 0
        /// What policies learned about this request.
        var policy: PolicyContext
        /// The server's policies, nil when none apply.
        var policies: ServerPolicies?
        /// The session's protocol revision and client, once known.
        var protocolVersion: String?
        var clientName: String?
        var clientVersion: String?
        /// The JSON-RPC error code of the answer, when it is one.
        var rpcCode: Int?
        /// Completes when the client's connection closes.
        var connectionClosed: EventLoopFuture<Void>?

        /// Notes what the session says about the client (for the record).
        mutating func note(_ session: MCPSession) {
            protocolVersion = session.protocolVersion
            clientName = session.clientName
            clientVersion = session.clientVersion
        }

        /// Notes the answer's JSON-RPC error code, if it is an error.
        mutating func noteAnswer(_ outcome: HandlerOutcome) {
            if let code = outcome.rpcError?.code {
                rpcCode = Int(code)
            } else if case .int(let code)? = outcome.response?["error"]?["code"] {
                rpcCode = Int(exactly: code)
            }
        }
        /// The server as routed, so a record labels only the tools it has.
        var compiled: CompiledServer?
        /// The tool and its masked arguments of a message a policy refused, for the record (``GatewayResponder/refuse``).
        var refusedTool: String?
        var refusedArguments: JSONValue?

        /// Notes what a refused message asked for: its method, and for `tools/call` the tool and masked arguments.
        mutating func noteRefused(method: String, params: JSONObject?) {
            self.method = method
            guard method == "tools/call" else { return }
            refusedTool = params?["name"]?.stringValue
            refusedArguments = params?["arguments"].map { SecretMasker.masked($0) }
        }
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        let peer = context.clientAddress
        let client = policies.trustedProxies.isEmpty ? peer : policies.clientAddress(peer: peer, headers: request.headers)
        var exchange = Exchange(
            server: "-", client: client, transport: "http", method: request.method.rawValue,
            policy: PolicyContext(clientAddress: client, peerAddress: peer))
        exchange.connectionClosed = context.connectionClosed
        if let reply = await registryAPI(request, context: context) { return reply }
        if let reason = originPolicy.refusal(host: request.head.authority, origin: request.headers[.origin]) {
            // Not routed yet: a counter only, no record (the client chose every byte of this request).
            monitor.countUnrouted(reason: "host_or_origin")
            return HTTPReplies.rpcError(.forbidden, code: MCPProtocol.serverError, reason)
        }
        switch path {
        case "/healthz":
            return HTTPReplies.text(.ok, "ok\n")
        case "/metrics" where configuration.exposeMetrics:
            guard request.method == .get else { return HTTPReplies.empty(.methodNotAllowed, headers: [.allow: "GET"]) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: monitor.prometheusText())))
        case Self.callbackPath:
            return await oauthCallback(request)
        default:
            if path.hasPrefix(Self.metadataPrefix) { return protectedResourceMetadata(request) }
        }
        let (basePath, endpoint) = Self.split(path)
        let table = routing()
        guard let endpoint, let server = table.servers[basePath] else {
            return HTTPReplies.rpcError(.notFound, code: MCPProtocol.serverError, "no MCP endpoint at this path")
        }
        exchange.server = server.name
        if basePath == RegistryMCP.basePath {
            exchange.policy.registryRequest = RegistryRequestInfo(headers: request.headers, origin: publicOrigin(request))
        }
        exchange.compiled = server
        if let policies = table.policies[basePath], !policies.isEmpty || request.headers[PolicyEngine.subscriptionHeader] != nil {
            exchange.policies = policies
            if policies.usesJWT { exchange.policy.resourceMetadataURL = metadataURL(request, basePath: basePath, endpoint: endpoint) }
            if let refusal = await self.policies.requestStage(
                policies, server: server.name, subscriptions: table.subscriptions, headers: request.headers, query: request.uri.query,
                context: &exchange.policy)
            {
                if request.method == .post, endpoint != .sse { await peekRefused(request, exchange: &exchange) }
                return refuse(refusal, id: nil, exchange: &exchange)
            }
        }
        switch endpoint {
        case .mcp:
            exchange.transport = "streamable"
            return try await streamable(request, server: server, exchange: &exchange)
        case .sse:
            exchange.transport = "sse"
            return openLegacyStream(request, server: server, exchange: &exchange)
        case .messages:
            exchange.transport = "sse"
            return try await legacyMessage(request, server: server, exchange: &exchange)
        }
    }

    enum Endpoint { case mcp, sse, messages }

    /// `/a/b/mcp` → (`a/b`, .mcp). Empty segments never match a server.
    static func split(_ path: String) -> (String, Endpoint?) {
        guard path.hasPrefix("/"), let slash = path.lastIndex(of: "/"), slash > path.startIndex else { return ("", nil) }
        let base = String(path[path.index(after: path.startIndex)..<slash])
        let last = path[path.index(after: slash)...]
        switch last {
        case "mcp": return (base, .mcp)
        case "sse": return (base, .sse)
        case "messages": return (base, .messages)
        default: return (base, nil)
        }
    }

    /// Reads the body up to the configured limit; nil when it is larger.
    func readBody(_ request: Request) async throws -> [UInt8]? {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { return nil }
        var bytes: [UInt8] = []
        for try await chunk in request.body {
            if bytes.count + chunk.readableBytes > limit { return nil }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }

    /// Records the exchange and passes the response through.
    func finish(
        _ exchange: inout Exchange, _ response: Response, outcome: RequestRecord.Outcome, tool: String? = nil, arguments: JSONValue? = nil,
        backendStatus: Int? = nil, backendLatency: Duration? = nil, bytesOut: Int = 0, error: String? = nil, serverFault: Bool = false
    ) -> Response {
        var record = RequestRecord(
            time: exchange.time, server: exchange.server, client: exchange.client, transport: exchange.transport,
            method: exchange.method, tool: tool, arguments: arguments, outcome: outcome, status: Int(response.status.code),
            backendStatus: backendStatus, latency: ContinuousClock.now - exchange.started, backendLatency: backendLatency,
            bytesIn: exchange.bytesIn, bytesOut: bytesOut, error: error, principal: exchange.policy.principalLabel,
            decisions: exchange.policy.decisions, protocolVersion: exchange.protocolVersion, clientName: exchange.clientName,
            clientVersion: exchange.clientVersion, rpcCode: exchange.rpcCode)
        record.toolIsKnown = tool.map { exchange.compiled?.tool(named: $0) != nil } ?? false
        record.serverFailure =
            outcome != .ok && (serverFault || response.status.code >= 500 || exchange.rpcCode.map { $0 == Int(MCPProtocol.internalError) } == true)
        monitor.record(record)
        return response
    }

    /// Parses and validates one JSON-RPC message, or returns the 400 to send.
    func parseMessage(_ body: [UInt8], exchange: inout Exchange) -> Parsed {
        let value: JSONValue
        do {
            value = try JSONParser(maxDepth: 64).parse(body)
        } catch {
            let r = HTTPReplies.rpcError(.badRequest, code: MCPProtocol.parseError, "parse error: \(error)")
            return .refused(finish(&exchange, r, outcome: .rejected, error: "parse error"))
        }
        do {
            let message = try JSONRPCMessage(validating: value)
            exchange.method = message.method ?? "response"
            return .message(message)
        } catch {
            let r = HTTPReplies.json(.badRequest, error.response(id: error.id))
            return .refused(finish(&exchange, r, outcome: .rejected, error: error.message))
        }
    }

    enum Parsed {
        case message(JSONRPCMessage)
        case refused(Response)
    }

    /// Records a handled message and renders its JSON response.
    func reply(_ outcome: HandlerOutcome, exchange: inout Exchange, headers: HTTPFields = [:]) -> Response {
        guard let body = outcome.response else {
            return finish(&exchange, HTTPReplies.empty(.accepted), outcome: .ok)
        }
        exchange.noteAnswer(outcome)
        let bytes = body.serialized()
        var h = headers
        h.append(contentsOf: exchange.policy.responseHeaders)
        h[.contentType] = HTTPReplies.jsonType
        let response = Response(status: .ok, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        return finish(
            &exchange, response, outcome: outcome.outcome, tool: outcome.tool, arguments: outcome.arguments, backendStatus: outcome.backendStatus,
            backendLatency: outcome.backendLatency, bytesOut: bytes.count, error: outcome.error,
            serverFault: outcome.serverFault)
    }
}
