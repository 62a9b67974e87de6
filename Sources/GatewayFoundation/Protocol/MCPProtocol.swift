/// Protocol constants: revisions, JSON-RPC error codes and header names.
package enum MCPProtocol {
    /// Revisions served on Streamable HTTP, newest first.
    package static let streamableVersions = ["2025-11-25", "2025-06-18", "2025-03-26"]
    /// Revisions served on the legacy HTTP+SSE transport, newest first.
    package static let sseVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// The revision assumed when a Streamable HTTP request carries no `MCP-Protocol-Version` header.
    package static let defaultHeaderVersion = "2025-03-26"
    /// The stateless revision some clients probe with `server/discover`; not served yet.
    package static let statelessRevision = "2026-07-28"

    /// Whether a revision includes `outputSchema`, `structuredContent` and tool `title`.
    package static func hasStructuredOutput(_ version: String) -> Bool { version >= "2025-06-18" }

    package static let parseError: Int64 = -32700
    package static let invalidRequest: Int64 = -32600
    package static let methodNotFound: Int64 = -32601
    package static let invalidParams: Int64 = -32602
    package static let internalError: Int64 = -32603
    /// Generic server-defined error (used for transport-level refusals).
    package static let serverError: Int64 = -32000
    /// The request timed out (the SDKs' `REQUEST_TIMEOUT`).
    package static let requestTimeout: Int64 = -32001
    /// The requested protocol revision is not supported (2026-07-28 `UnsupportedProtocolVersion`).
    package static let unsupportedProtocolVersion: Int64 = -32022

    package static let sessionHeader = "Mcp-Session-Id"
    package static let versionHeader = "MCP-Protocol-Version"
}
