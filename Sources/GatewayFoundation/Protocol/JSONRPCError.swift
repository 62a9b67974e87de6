/// A JSON-RPC error, thrown inside the engine and rendered as an error response.
package struct JSONRPCError: Error, Sendable, Equatable {
    package var code: Int64
    package var message: String
    package var data: JSONValue?
    /// The id of the request it answers, when known.
    package var id: JSONValue?

    package init(code: Int64, message: String, data: JSONValue? = nil, id: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
        self.id = id
    }

    /// The error response object (`id: null` when the request's id is unknown).
    package func response(id fallback: JSONValue? = nil) -> JSONValue {
        var error: JSONObject = ["code": .int(code), "message": .string(message)]
        if let data { error["data"] = data }
        return .object(["jsonrpc": "2.0", "id": id ?? fallback ?? .null, "error": .object(error)])
    }
}
