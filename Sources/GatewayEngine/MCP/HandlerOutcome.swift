/// What handling one JSON-RPC message produced, for the response and the request record.
struct HandlerOutcome: Sendable {
    /// The response object, nil for notifications and responses.
    var response: JSONValue?
    var tool: String?
    var arguments: JSONValue?
    var outcome: RequestRecord.Outcome = .ok
    var backendStatus: Int?
    var backendLatency: Duration?
    var error: String?
    /// Set when the call failed as a protocol error (unknown tool, bad params).
    var rpcError: JSONRPCError?
    /// The failure is the gateway's or its backend's (timeout, connection, 5xx, missing configuration), not the
    /// client's (invalid arguments, unknown tool, a 4xx the backend chose): what a server's health counts.
    var serverFault = false
}

extension HandlerOutcome {
    /// Marks the outcome as a JSON-RPC error (the envelope is added by ``MCPHandler/handle(_:in:policy:)``).
    func failing(_ error: JSONRPCError) -> HandlerOutcome {
        var o = self
        o.response = nil
        o.rpcError = error
        return o
    }
}
