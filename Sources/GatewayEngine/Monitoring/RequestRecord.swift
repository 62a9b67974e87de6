import Foundation

/// One MCP request as the engine saw it. Holds no secrets and no session IDs: arguments are masked before they
/// are stored here.
public struct RequestRecord: Sendable, Equatable {
    /// How the request ended.
    public enum Outcome: String, Sendable, Equatable, CaseIterable {
        /// Answered successfully.
        case ok
        /// A tool call that ran but returned `isError: true` (backend error, invalid arguments…).
        case toolError = "tool_error"
        /// Answered with a JSON-RPC error.
        case rpcError = "rpc_error"
        /// Refused at the HTTP layer (bad session, bad header, bad body…).
        case rejected
    }

    /// A process-unique sequence number.
    public var sequence: UInt64
    /// When the request arrived.
    public var time: Date
    /// The server's name (or the request path when no server matched).
    public var server: String
    /// The client's address.
    public var client: String
    /// The transport: `streamable` or `sse`.
    public var transport: String
    /// The JSON-RPC method, or the HTTP method for refusals before parsing.
    public var method: String
    /// The tool, for `tools/call`.
    public var tool: String?
    /// Tool arguments with secret-looking values masked.
    public var arguments: JSONValue?
    /// How it ended.
    public var outcome: Outcome
    /// The HTTP status returned to the client.
    public var status: Int
    /// The backend's HTTP status, when a backend was called.
    public var backendStatus: Int?
    /// Total time in the engine.
    public var latency: Duration
    /// Time spent waiting for the backend.
    public var backendLatency: Duration?
    /// Request body bytes.
    public var bytesIn: Int
    /// Response body bytes.
    public var bytesOut: Int
    /// A short, secret-free error description.
    public var error: String?
    /// Who called: `jwt:<subject>` or `subscription:<name>`, when a policy established it.
    public var principal: String?
    /// What each policy decided, in order (`rate-limit-by-key@server:pets allowed (4 left)`).
    public var decisions: [String] = []
    /// The MCP revision of the session (or request).
    public var protocolVersion: String?
    /// The client's name and version, from `initialize` (or the request's `_meta`).
    public var clientName: String?
    public var clientVersion: String?
    /// The JSON-RPC error code of the answer, when it was one.
    public var rpcCode: Int?

    /// Whether the answer came from the response cache.
    public var cacheHit: Bool { decisions.contains { $0.hasPrefix("cache-lookup hit") } }
    /// Whether `tool` names a tool the server has: only then is it a `/metrics` label (others are `unknown`).
    public var toolIsKnown = false
    /// Whether the failure is the server side's — the gateway, a backend or an upstream: a timeout, a refused
    /// connection, a 5xx, an internal error, missing configuration — rather than the client's (invalid arguments,
    /// an unknown tool, a 4xx the backend chose, a policy refusal). Health judges servers by these alone.
    public var serverFailure = false

    /// A record (arguments must already be masked).
    public init(
        sequence: UInt64 = 0, time: Date, server: String, client: String, transport: String, method: String, tool: String? = nil,
        arguments: JSONValue? = nil, outcome: Outcome, status: Int, backendStatus: Int? = nil, latency: Duration,
        backendLatency: Duration? = nil, bytesIn: Int, bytesOut: Int, error: String? = nil, principal: String? = nil, decisions: [String] = [],
        protocolVersion: String? = nil, clientName: String? = nil, clientVersion: String? = nil, rpcCode: Int? = nil
    ) {
        self.protocolVersion = protocolVersion
        self.clientName = clientName
        self.clientVersion = clientVersion
        self.rpcCode = rpcCode
        self.principal = principal
        self.decisions = decisions
        self.sequence = sequence
        self.time = time
        self.server = server
        self.client = client
        self.transport = transport
        self.method = method
        self.tool = tool
        self.arguments = arguments
        self.outcome = outcome
        self.status = status
        self.backendStatus = backendStatus
        self.latency = latency
        self.backendLatency = backendLatency
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.error = error
    }

    /// Whether the request counts as an error for error rates.
    var isError: Bool { outcome != .ok }
}

extension Duration {
    /// The duration in microseconds.
    public var microseconds: Int64 {
        let c = components
        return c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000
    }
    /// The duration in milliseconds, fractional.
    public var milliseconds: Double { Double(microseconds) / 1000 }
}
