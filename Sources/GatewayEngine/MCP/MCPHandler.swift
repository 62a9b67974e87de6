import Logging

/// Handles the JSON-RPC requests of established MCP sessions: one entry per method family, every step given the
/// request's state explicitly (``MCPRequestContext`` and the policy context), no state of its own besides the
/// engine parts it calls. ``Gateway`` composes it; the transports (`HTTP/`) call it.
///
/// The families, each in a file of its own:
/// - lifecycle (`MCPHandler+Lifecycle.swift`): `ping`; `initialize` is answered by the transports (it creates the
///   session) with ``initializeResult(server:version:)`` and ``negotiate(_:supported:)``.
/// - tools (`MCPHandler+Tools.swift`): `tools/list` and `tools/call` — REST operations through the backend, upstream
///   tools through the relay — both through the response cache (`MCPHandler+Cache.swift`), a step the tool methods
///   call.
/// - relayed (`MCPHandler+Relay.swift`): resources, prompts, completions and logging on servers with upstreams.
///
/// A new revision or method adds a case to ``family(of:server:)`` and a file for its family; cross-cutting steps
/// (tracing, metrics) wrap ``handle(_:in:policy:)``.
struct MCPHandler: Sendable {
    /// What the handler needs of the configuration.
    struct Settings: Sendable {
        /// Most tools per `tools/list` page.
        var toolsPageSize: Int
        /// Most bytes of tool entries per `tools/list` page (``ToolsListPaging``).
        var toolsPageMaxBytes: Int
    }

    let settings: Settings
    /// The routing table as served now (a reload may replace it between two requests).
    let routing: @Sendable () -> RoutingTable
    /// Recompiles the routing table from the store (after discovery recorded new upstream tools).
    let reload: @Sendable () -> Void
    let backend: BackendClient
    let credentials: CredentialManager
    let upstreams: UpstreamHub
    /// The response cache and the settlement of counting policies.
    let policies: PolicyEngine
    let monitor: RequestMonitor
    /// Answers `tools/call` on the registry's built-in server (`/registry/mcp`).
    let registry: RegistryService
    let logger: Logger

    /// The method families, in the order they are tried.
    enum Family {
        /// `ping`, and `initialize` on a session that already has one (refused).
        case lifecycle
        /// `tools/list`, `tools/call`.
        case tools
        /// `tools/call` on `/registry/mcp`, answered from the registry's catalog.
        case registry
        /// Resources, prompts, completions and logging, answered by the server's upstreams.
        case relayed
        /// Anything else: -32601.
        case unknown
    }

    /// Which family answers `method` on `server` (relayed methods only on servers with upstream sources).
    static func family(of method: String, server: CompiledServer) -> Family {
        switch method {
        case "ping", "initialize": .lifecycle
        case "tools/call" where server.basePath == RegistryMCP.basePath: .registry
        case "tools/list", "tools/call": .tools
        case _ where server.hasUpstreams && relayedMethods.contains(method): .relayed
        default: .unknown
        }
    }

    /// Handles one message on an established session (everything but `initialize`, which the transports handle),
    /// then settles the policy counts by its outcome. Notifications and responses produce an empty outcome.
    func handle(_ message: JSONRPCMessage, in request: MCPRequestContext, policy: inout PolicyContext) async -> HandlerOutcome {
        let outcome = await dispatch(message, in: request, policy: &policy)
        if !policy.rateReservations.isEmpty || !policy.quotaReservations.isEmpty {
            await policies.complete(&policy, succeeded: outcome.outcome == .ok)
        }
        return outcome
    }

    private func dispatch(_ message: JSONRPCMessage, in request: MCPRequestContext, policy: inout PolicyContext) async -> HandlerOutcome {
        guard case .request(let id, let method, let params) = message else { return HandlerOutcome() }
        do {
            switch Self.family(of: method, server: request.server) {
            case .lifecycle:
                return try lifecycle(id: id, method: method)
            case .tools:
                return try await tools(id: id, method: method, params: params, in: request, policy: &policy)
            case .registry:
                var outcome = await registry.toolCall(params: params, version: request.version, policy: policy)
                outcome.response = outcome.rpcError.map { $0.response(id: id) } ?? outcome.response.map { .rpcResult(id: id, $0) }
                return outcome
            case .relayed:
                guard let relay = request.relay else { throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "\(method) needs a session") }
                return await relayRequest(id: id, method: method, params: params, server: request.server, relay: relay)
            case .unknown:
                throw JSONRPCError(code: MCPProtocol.methodNotFound, message: "method not found: \(method)")
            }
        } catch let error as JSONRPCError {
            return HandlerOutcome(response: error.response(id: id), outcome: .rpcError, error: error.message)
        } catch {
            return HandlerOutcome(
                response: JSONRPCError(code: MCPProtocol.internalError, message: "internal error").response(id: id), outcome: .rpcError,
                error: "\(error)")
        }
    }
}

/// One JSON-RPC request as the handler sees it, passed to every step: the server it was sent to (as compiled when
/// the request arrived), the session's protocol revision and, on servers with upstreams, the client's relay.
struct MCPRequestContext: Sendable {
    var server: CompiledServer
    /// The revision the session agreed (`MCP-Protocol-Version`).
    var version: String
    /// The client's relay state and this call's stream; nil on servers without upstreams.
    var relay: RelayContext?
}

/// A downstream request being relayed: the client's session relay and the call's stream.
struct RelayContext: Sendable {
    let relay: DownstreamRelay
    let call: UpstreamCall
}
