import Foundation
import GRDB

extension RequestLogFilter {
    /// The filter as an SQL condition on `requestLog` with its arguments, relative times counted back from `now`.
    /// Globs become `LIKE … ESCAPE '\'` (case-insensitive for ASCII, as SQLite's LIKE is).
    func sql(now: Date) -> (String, StatementArguments) {
        var arguments = StatementArguments()
        let text = condition(now: now, &arguments)
        return (text, arguments)
    }

    private func condition(now: Date, _ args: inout StatementArguments) -> String {
        switch self {
        case .all: return "1"
        case .and(let all): return all.isEmpty ? "1" : "(" + all.map { $0.condition(now: now, &args) }.joined(separator: " AND ") + ")"
        case .or(let any): return any.isEmpty ? "0" : "(" + any.map { $0.condition(now: now, &args) }.joined(separator: " OR ") + ")"
        case .not(let f): return "NOT " + f.condition(now: now, &args)
        case .text(let field, let glob):
            let column = Self.column(field)
            if field == .principal, !glob.contains(":") {
                args += [Self.like(glob), Self.like(glob)]
                return "(\(column) IS NOT NULL AND (\(column) LIKE ? ESCAPE '\\' OR substr(\(column), instr(\(column), ':') + 1) LIKE ? ESCAPE '\\'))"
            }
            if !glob.contains(where: { $0 == "*" || $0 == "?" }) {
                // No wildcard: an equality the column's NOCASE index answers (a LIKE never is an index lookup here).
                args += [glob]
                return "(\(column) IS NOT NULL AND \(column) = ? COLLATE NOCASE)"
            }
            args += [Self.like(glob)]
            return "(\(column) IS NOT NULL AND \(column) LIKE ? ESCAPE '\\')"
        case .number(let field, let op, let value):
            args += [value]
            let column = Self.column(field)
            return "(\(column) IS NOT NULL AND \(column) \(op.rawValue) ?)"
        case .outcome(let c):
            if c == .error { return "outcome <> 'ok'" }
            args += [c.rawValue]
            return "outcome = ?"
        case .since(let s):
            args += [now.addingTimeInterval(-Double(s))]
            return "time >= ?"
        case .until(let s):
            args += [now.addingTimeInterval(-Double(s))]
            return "time < ?"
        }
    }

    static func column(_ f: RequestLogTextField) -> String {
        switch f {
        case .server: "server"
        case .tool: "tool"
        case .method: "method"
        case .client: "clientName"
        case .address: "client"
        case .principal: "principal"
        case .transport: "transport"
        case .version: "protocolVersion"
        case .error: "error"
        }
    }

    static func column(_ f: RequestLogNumberField) -> String {
        switch f {
        case .latency: "latencyMicros"
        case .status: "status"
        case .code: "rpcCode"
        case .backend: "backendStatus"
        case .bytesIn: "bytesIn"
        case .bytesOut: "bytesOut"
        }
    }

    /// A glob as a LIKE pattern: `*` → `%`, `?` → `_`, and `%`, `_`, `\` escaped.
    static func like(_ glob: String) -> String {
        var out = ""
        for c in glob {
            switch c {
            case "*": out.append("%")
            case "?": out.append("_")
            case "%", "_", "\\":
                out.append("\\")
                out.append(c)
            default: out.append(c)
            }
        }
        return out
    }
}
