import Foundation

/// Bounds on what one request may leave behind in the monitor, the request log and `/metrics`. A client chooses
/// method and tool names, so nothing it sends becomes a metric label or an unbounded record field.
package enum RecordBounds {
    /// Longest name (method, tool, server, client, principal) kept in a record: 128 characters.
    package static let nameCharacters = 128
    /// Longest error text kept in a record: 512 characters.
    package static let errorCharacters = 512
    /// Most policy decisions kept in a record: 32, each at most 256 characters.
    package static let decisions = 32
    /// Largest masked arguments kept in a record, as serialised JSON: 16 KiB; larger ones become a marker string.
    package static let argumentBytes = 16 * 1024

    /// JSON-RPC methods that become their own `method` label; every other method is `other`.
    package static let knownMethods: Set<String> = [
        "initialize", "ping", "tools/list", "tools/call", "resources/list", "resources/templates/list", "resources/read",
        "resources/subscribe", "resources/unsubscribe", "prompts/list", "prompts/get", "completion/complete", "logging/setLevel",
        "notifications/initialized", "notifications/cancelled", "notifications/progress", "notifications/roots/list_changed",
        "response", "GET", "POST", "DELETE", "HEAD", "PUT", "PATCH", "OPTIONS",
    ]

    /// The `method` label for `method`.
    package static func methodLabel(_ method: String) -> String { knownMethods.contains(method) ? method : "other" }

    /// `text` cut to `limit` characters (an ellipsis marks the cut).
    package static func truncated(_ text: String, _ limit: Int) -> String {
        guard text.utf8.count > limit, text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}

extension RequestRecord {
    /// This record with every field a client controls cut to ``RecordBounds``.
    func bounded() -> RequestRecord {
        var r = self
        r.method = RecordBounds.truncated(method, RecordBounds.nameCharacters)
        r.tool = tool.map { RecordBounds.truncated($0, RecordBounds.nameCharacters) }
        r.server = RecordBounds.truncated(server, RecordBounds.nameCharacters)
        r.client = RecordBounds.truncated(client, RecordBounds.nameCharacters)
        r.principal = principal.map { RecordBounds.truncated($0, RecordBounds.nameCharacters) }
        r.error = error.map { RecordBounds.truncated($0, RecordBounds.errorCharacters) }
        if decisions.count > RecordBounds.decisions || decisions.contains(where: { $0.utf8.count > 256 }) {
            r.decisions = decisions.prefix(RecordBounds.decisions).map { RecordBounds.truncated($0, 256) }
        }
        if let arguments {
            let size = arguments.serialized().count
            if size > RecordBounds.argumentBytes { r.arguments = .string("<\(size) bytes of arguments, not kept>") }
        }
        return r
    }
}
