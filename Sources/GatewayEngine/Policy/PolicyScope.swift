/// Where a policy document applies: every server, one server, one tool of one server, or the registry (its API
/// and `/registry/mcp`).
///
/// Inbound sections run global → server (or registry) → tool; outbound sections run in the reverse order.
public enum PolicyScope: Sendable, Hashable, Comparable, CustomStringConvertible {
    case global
    case server(String)
    case tool(server: String, tool: String)
    /// The registry: `/v0.1/servers`, `/v0/servers` and `/registry/mcp`.
    case registry

    /// Parses `global`, `server:<name>` or `tool:<server>/<tool>`.
    public init(parsing text: String) throws(GatewayError) {
        if text == "global" {
            self = .global
            return
        }
        if text == "registry" {
            self = .registry
            return
        }
        if text.hasPrefix("server:") {
            let name = String(text.dropFirst("server:".count))
            guard !name.isEmpty, !name.contains("/") else {
                throw GatewayError(.invalidConfig, "scope '\(text)': expected server:<name>")
            }
            self = .server(name)
            return
        }
        if text.hasPrefix("tool:") {
            let rest = text.dropFirst("tool:".count)
            guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex, rest.index(after: slash) != rest.endIndex else {
                throw GatewayError(.invalidConfig, "scope '\(text)': expected tool:<server>/<tool>")
            }
            self = .tool(server: String(rest[..<slash]), tool: String(rest[rest.index(after: slash)...]))
            return
        }
        throw GatewayError(.invalidConfig, "unknown scope '\(text.prefix(80))': use global, server:<name>, tool:<server>/<tool> or registry")
    }

    /// The scope as stored and written: `global`, `server:<name>` or `tool:<server>/<tool>`.
    public var description: String {
        switch self {
        case .global: "global"
        case .server(let s): "server:\(s)"
        case .tool(let s, let t): "tool:\(s)/\(t)"
        case .registry: "registry"
        }
    }

    /// The level: 0 global, 1 server, 2 tool.
    var level: Int {
        switch self {
        case .global: 0
        case .server, .registry: 1
        case .tool: 2
        }
    }

    /// Global first, then servers, then tools; by name within a level.
    public static func < (a: PolicyScope, b: PolicyScope) -> Bool {
        a.level != b.level ? a.level < b.level : a.description < b.description
    }
}
