/// Why a call to an upstream MCP server failed, with a stable code (a metrics label) and a message for the client.
public struct UpstreamError: GatehouseError, Equatable {
    /// A stable, bounded error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's text (a metrics label).
        public let rawValue: String
        /// A code from its text.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// The upstream did not answer within the timeout or the hard maximum.
        public static let timeout = Code("timeout")
        /// The upstream could not be reached, or its connection or process ended.
        public static let unavailable = Code("unavailable")
        /// The upstream answered something that is not valid MCP (bad JSON, wrong content type, HTML error page).
        public static let protocolError = Code("protocol_error")
        /// The upstream's message exceeded the size cap.
        public static let tooLarge = Code("too_large")
        /// The circuit breaker is open after consecutive failures.
        public static let circuitOpen = Code("circuit_open")
        /// The upstream asked us to slow down (HTTP 429).
        public static let rateLimited = Code("rate_limited")
        /// The SSRF guard or a redirect refused the address.
        public static let refused = Code("refused")
        /// The upstream forgot the session (HTTP 404 on a session ID): re-initialise.
        public static let sessionExpired = Code("session_expired")
        /// The request was cancelled by the client or the gateway.
        public static let cancelled = Code("cancelled")
        /// Too many calls to this upstream (or this tool of it) are in flight and none finished within the queue wait.
        public static let busy = Code("busy")
        /// The upstream's stored settings are unusable.
        public static let invalidConfiguration = Code("invalid_configuration")
    }

    /// The error's code.
    public var code: Code
    /// What went wrong, for the client and the log.
    public var message: String
    /// Seconds to wait before retrying (rate limits, open circuits).
    public var retryAfter: Int?
    /// The HTTP status the upstream answered with, when the failure is one (health probes tell 401 from 404).
    public var httpStatus: Int?

    /// An error with a code, a message and, for rate limits and open circuits, seconds to wait; `httpStatus` when
    /// the upstream answered with an HTTP failure.
    public init(_ code: Code, _ message: String, retryAfter: Int? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.httpStatus = httpStatus
    }

    /// The code as text (``GatehouseError/errorCode``).
    public var errorCode: String { code.rawValue }
    /// The message (what the CLI and the console print).
    public var description: String { message }

    /// Whether the failure says something about the upstream's health (and so counts for the circuit breaker).
    var isFailure: Bool {
        switch code {
        case .timeout, .unavailable, .protocolError, .tooLarge: true
        default: false
        }
    }

    /// The JSON-RPC error a client sees.
    var rpcError: JSONRPCError {
        var data: JSONObject = ["upstreamError": .string(code.rawValue)]
        if let retryAfter { data["retryAfter"] = .int(Int64(retryAfter)) }
        return JSONRPCError(code: code == .timeout ? MCPProtocol.requestTimeout : MCPProtocol.internalError, message: message, data: .object(data))
    }
}
