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
