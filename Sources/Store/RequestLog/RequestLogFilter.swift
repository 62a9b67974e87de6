import Foundation

/// A condition on request-log records: what `gatehouse logs query`, the console's `/` on the requests and logs
/// screens and alert rules select records with. Written in the filter language (``init(parsing:)``):
///
///     server:pets tool:get* status:error client:claude* latency>500ms since:1h until:10m code:-32602 principal:alice
///
/// Terms are joined by AND; `OR` joins alternatives (it binds looser than AND), `-` negates a term or a
/// parenthesised group. Text terms are case-insensitive globs (`*` any run, `?` one character). The same value
/// evaluates in memory (``matches(_:now:)``, for live records) and in SQL (``sql(now:)``, for the stored log), with
/// the same meaning.
public indirect enum RequestLogFilter: Sendable, Equatable {
    /// Every record.
    case all
    /// Every condition holds.
    case and([RequestLogFilter])
    /// At least one holds.
    case or([RequestLogFilter])
    /// The condition does not hold.
    case not(RequestLogFilter)
    /// A text field matches a glob (a missing value matches nothing).
    case text(RequestLogTextField, glob: String)
    /// A number compared with a value (a missing value matches nothing).
    case number(RequestLogNumberField, RequestLogComparison, Int64)
    /// The record's outcome is in a class.
    case outcome(RequestLogOutcomeClass)
    /// The record is at most this many seconds old.
    case since(seconds: Int64)
    /// The record is older than this many seconds.
    case until(seconds: Int64)
}

/// The text fields a filter can name (`server:`, `tool:`, …).
public enum RequestLogTextField: String, Sendable, CaseIterable {
    /// The server's name.
    case server
    /// The tool (or prompt, or resource) called.
    case tool
    /// The JSON-RPC method.
    case method
    /// The client's name (from `initialize` or the request's `_meta`).
    case client
    /// The client's network address.
    case address
    /// Who called: `alice` matches `jwt:alice` and `subscription:alice`; `jwt:*` every token caller.
    case principal
    /// `streamable` or `sse`.
    case transport
    /// The MCP protocol revision.
    case version
    /// The error text.
    case error
}

/// The numeric fields (`latency>500ms`, `status:429`, `code:-32602`, …).
public enum RequestLogNumberField: String, Sendable, CaseIterable {
    /// Total time in the engine, in microseconds (written with a unit: `500ms`, `2s`, `750us`).
    case latency
    /// The HTTP status returned to the client.
    case status
    /// The JSON-RPC error code.
    case code
    /// The backend's (or upstream's) HTTP status.
    case backend
    /// Request bytes.
    case bytesIn = "bytes-in"
    /// Response bytes.
    case bytesOut = "bytes-out"
}

/// How a number is compared.
public enum RequestLogComparison: String, Sendable {
    case equal = "="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="

    func holds(_ a: Int64, _ b: Int64) -> Bool {
        switch self {
        case .equal: a == b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        }
    }
}

/// Outcome classes (`status:error`, `outcome:rejected`, …).
public enum RequestLogOutcomeClass: String, Sendable, CaseIterable {
    /// Answered successfully.
    case ok
    /// Anything but `ok`.
    case error
    /// A tool ran and returned `isError`.
    case toolError = "tool_error"
    /// Answered with a JSON-RPC error.
    case rpcError = "rpc_error"
    /// Refused before the method ran (policy, session, header, body).
    case rejected

    /// Whether a stored outcome (`ok`, `tool_error`, `rpc_error`, `rejected`) is in the class.
    public func contains(_ outcome: String) -> Bool {
        switch self {
        case .error: outcome != "ok"
        default: outcome == rawValue
        }
    }
}

/// What the filter reads of a record, so the same filter evaluates stored rows and the engine's live records.
public protocol RequestLogFilterable {
    /// When the request arrived.
    var filterTime: Date { get }
    /// `ok`, `tool_error`, `rpc_error` or `rejected`.
    var filterOutcome: String { get }
    /// A text field's value, nil when the record has none.
    func filterText(_ field: RequestLogTextField) -> String?
    /// A numeric field's value, nil when the record has none.
    func filterNumber(_ field: RequestLogNumberField) -> Int64?
}

extension RequestLogFilter {
    /// Whether a record matches, with relative times counted back from `now`.
    public func matches(_ r: some RequestLogFilterable, now: Date = Date()) -> Bool {
        switch self {
        case .all: return true
        case .and(let all): return all.allSatisfy { $0.matches(r, now: now) }
        case .or(let any): return any.contains { $0.matches(r, now: now) }
        case .not(let f): return !f.matches(r, now: now)
        case .text(let field, let glob):
            guard let value = r.filterText(field) else { return false }
            if field == .principal, !glob.contains(":"), let colon = value.firstIndex(of: ":") {
                return Glob.matches(glob, value) || Glob.matches(glob, String(value[value.index(after: colon)...]))
            }
            return Glob.matches(glob, value)
        case .number(let field, let op, let value):
            guard let v = r.filterNumber(field) else { return false }
            return op.holds(v, value)
        case .outcome(let c): return c.contains(r.filterOutcome)
        case .since(let s): return r.filterTime >= now.addingTimeInterval(-Double(s))
        case .until(let s): return r.filterTime < now.addingTimeInterval(-Double(s))
        }
    }
}

/// Case-insensitive globs: `*` is any run of characters, `?` exactly one.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased())
        let t = Array(text.lowercased())
        var (pi, ti, star, mark) = (0, 0, -1, 0)
        while ti < t.count {
            if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
