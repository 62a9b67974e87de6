import Foundation

/// One MCP request as recorded in the request log: the columns operators query (as in APIM's MCP log). Never holds
/// secrets or session IDs.
public struct RequestLogFields: StoredFields {
    public static let databaseTableName = "requestLog"
    /// When the request arrived.
    public var time: Date
    /// The server's name (or the request path when no server matched).
    public var server: String
    /// The client's network address.
    public var client: String
    /// The JSON-RPC method (or the HTTP method for refusals before parsing).
    public var method: String
    /// The tool, for `tools/call`.
    public var tool: String?
    /// `ok`, `tool_error`, `rpc_error`, `rejected`.
    public var outcome: String
    /// HTTP status returned to the client.
    public var status: Int
    /// HTTP status of the backend call, if one was made.
    public var backendStatus: Int?
    /// Total time in the engine.
    public var latencyMicros: Int64
    /// Request body bytes.
    public var bytesIn: Int
    /// Response body bytes.
    public var bytesOut: Int
    /// A short error description (never a secret).
    public var error: String?
    /// Who called (`jwt:<subject>`, `subscription:<name>`), when a policy established it.
    public var principal: String? = nil
    /// Policy decisions, one per line.
    public var decisions: String? = nil
    /// `streamable` or `sse`.
    public var transport: String? = nil
    /// The MCP protocol revision the request was made in.
    public var protocolVersion: String? = nil
    /// The client's name and version (from `initialize`, or the request's `_meta`).
    public var clientName: String? = nil
    public var clientVersion: String? = nil
    /// The JSON-RPC error code of the answer, when it was one.
    public var rpcCode: Int? = nil
    /// Time spent waiting for the backend or upstream.
    public var backendMicros: Int64? = nil
    /// Whether the answer came from the response cache.
    public var cacheHit: Bool = false
    /// Whether the failure was the server side's (``RequestRecord/serverFailure`` in the engine).
    public var serverFailure: Bool = false

    public init(
        time: Date, server: String, client: String, method: String, tool: String?, outcome: String,
        status: Int, backendStatus: Int?, latencyMicros: Int64, bytesIn: Int, bytesOut: Int, error: String?, principal: String? = nil,
        decisions: String? = nil
    ) {
        self.principal = principal
        self.decisions = decisions
        self.time = time
        self.server = server
        self.client = client
        self.method = method
        self.tool = tool
        self.outcome = outcome
        self.status = status
        self.backendStatus = backendStatus
        self.latencyMicros = latencyMicros
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.error = error
    }

    /// How the caller authenticated: `jwt`, `subscription` or `none` (from ``principal``).
    public var authMethod: String {
        guard let p = principal, let colon = p.firstIndex(of: ":") else { return "none" }
        return String(p[..<colon])
    }
}

/// A request-log entry as stored: its id and its fields (``RequestLogFields``).
public typealias RequestLogRecord = Stored<RequestLogFields>

extension RequestLogFields: RequestLogFilterable {
    public var filterTime: Date { time }
    public var filterOutcome: String { outcome }

    public func filterText(_ field: RequestLogTextField) -> String? {
        switch field {
        case .server: server
        case .tool: tool
        case .method: method
        case .client: clientName
        case .address: client
        case .principal: principal
        case .transport: transport
        case .version: protocolVersion
        case .error: error
        }
    }

    public func filterNumber(_ field: RequestLogNumberField) -> Int64? {
        switch field {
        case .latency: latencyMicros
        case .status: Int64(status)
        case .code: rpcCode.map(Int64.init)
        case .backend: backendStatus.map(Int64.init)
        case .bytesIn: Int64(bytesIn)
        case .bytesOut: Int64(bytesOut)
        }
    }
}

extension Stored: RequestLogFilterable where Fields == RequestLogFields {
    public var filterTime: Date { fields.time }
    public var filterOutcome: String { fields.outcome }
    public func filterText(_ field: RequestLogTextField) -> String? { fields.filterText(field) }
    public func filterNumber(_ field: RequestLogNumberField) -> Int64? { fields.filterNumber(field) }
}
