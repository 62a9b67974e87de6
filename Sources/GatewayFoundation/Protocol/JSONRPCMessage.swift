/// A JSON-RPC 2.0 message as MCP uses it, validated on the way in.
package enum JSONRPCMessage: Sendable, Equatable {
    /// A request: it has an id and expects a response.
    case request(id: JSONValue, method: String, params: JSONObject?)
    /// A notification: no id, no response.
    case notification(method: String, params: JSONObject?)
    /// A response to a request the server sent.
    case response(id: JSONValue)

    /// The method, for requests and notifications.
    package var method: String? {
        switch self {
        case .request(_, let m, _), .notification(let m, _): m
        case .response: nil
        }
    }

    /// The params, for requests and notifications.
    package var params: JSONObject? {
        switch self {
        case .request(_, _, let p), .notification(_, let p): p
        case .response: nil
        }
    }

    /// Validates a parsed JSON value as one JSON-RPC message. The error says what is wrong.
    package init(validating value: JSONValue) throws(JSONRPCError) {
        guard case .object(let o) = value else {
            if case .array = value {
                throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "batches are not supported: send one JSON-RPC message per request")
            }
            throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "a JSON-RPC message must be an object")
        }
        guard o["jsonrpc"] == .string("2.0") else {
            throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "\"jsonrpc\" must be \"2.0\"")
        }
        let id = o["id"]
        if let id {
            switch id {
            case .string, .int: break
            case .null: throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "\"id\" must not be null")
            default: throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "\"id\" must be a string or an integer")
            }
        }
        if let methodValue = o["method"] {
            guard case .string(let method) = methodValue, !method.isEmpty else {
                throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "\"method\" must be a non-empty string", id: id)
            }
            var params: JSONObject?
            if let p = o["params"] {
                guard case .object(let po) = p else {
                    throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "\"params\" must be an object", id: id)
                }
                params = po
            }
            if let id { self = .request(id: id, method: method, params: params) } else { self = .notification(method: method, params: params) }
            return
        }
        guard let id else { throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "a message needs \"method\" or \"id\"") }
        let hasResult = o["result"] != nil
        let hasError = o["error"] != nil
        guard hasResult != hasError else {
            throw JSONRPCError(code: MCPProtocol.invalidRequest, message: "a response must carry exactly one of \"result\" and \"error\"", id: id)
        }
        self = .response(id: id)
    }
}

extension JSONValue {
    /// A JSON-RPC success response object.
    package static func rpcResult(id: JSONValue, _ result: JSONValue) -> JSONValue {
        .object(["jsonrpc": "2.0", "id": id, "result": result])
    }
}
