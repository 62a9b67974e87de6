/// Protocol constants: revisions, JSON-RPC error codes and header names.
package enum MCPProtocol {
    /// Revisions served on Streamable HTTP, newest first.
    package static let streamableVersions = ["2025-11-25", "2025-06-18", "2025-03-26"]
    /// Revisions served on the legacy HTTP+SSE transport, newest first.
    package static let sseVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// The revision assumed when a Streamable HTTP request carries no `MCP-Protocol-Version` header.
    package static let defaultHeaderVersion = "2025-03-26"
    /// The stateless revisions (no `initialize`, no session: every request carries its own `_meta`), newest first.
    package static let modernVersions = ["2026-07-28"]
    /// The revisions of the `initialize` handshake, on either HTTP transport.
    package static let handshakeVersions: Set<String> = Set(streamableVersions + sseVersions)

    /// Whether a revision includes `outputSchema`, `structuredContent` and tool `title`.
    package static func hasStructuredOutput(_ version: String) -> Bool { version >= "2025-06-18" }

    package static let parseError: Int64 = -32700
    package static let invalidRequest: Int64 = -32600
    package static let methodNotFound: Int64 = -32601
    package static let invalidParams: Int64 = -32602
    package static let internalError: Int64 = -32603

    /// Whether a JSON-RPC error code says the client got something wrong (a malformed message, an unknown method or
    /// tool, invalid parameters, a header that does not match), rather than that the server failed.
    package static func isClientMistake(code: Int64) -> Bool {
        code == parseError || code == invalidRequest || code == methodNotFound || code == invalidParams || (-32029 ... -32020).contains(code)
    }
    /// Generic server-defined error (used for transport-level refusals).
    package static let serverError: Int64 = -32000
    /// The request timed out (the SDKs' `REQUEST_TIMEOUT`).
    package static let requestTimeout: Int64 = -32001
    /// The HTTP headers disagree with the body, or a required one is missing (2026-07-28 `HeaderMismatch`).
    package static let headerMismatch: Int64 = -32020
    /// The request needs a client capability the client did not declare (2026-07-28).
    package static let missingRequiredClientCapability: Int64 = -32021
    /// The requested protocol revision is not supported (2026-07-28 `UnsupportedProtocolVersion`).
    package static let unsupportedProtocolVersion: Int64 = -32022

    /// The HTTP status of a stateless-revision answer carrying this JSON-RPC error code: 404 for an unknown
    /// method, 400 for a request the client got wrong, else 200.
    package static func modernHTTPStatus(_ code: Int64) -> Int {
        switch code {
        case methodNotFound: 404
        case parseError, invalidRequest, invalidParams, headerMismatch, missingRequiredClientCapability, unsupportedProtocolVersion: 400
        default: 200
        }
    }

    package static let sessionHeader = "Mcp-Session-Id"
    package static let versionHeader = "MCP-Protocol-Version"
}
