import ArgumentParser
import ConsoleUI
import Foundation
import GatewayEngine
import Logging
import Store

extension UpstreamCommand {
    /// The admin service, logging only warnings and errors (a stdio child's stderr, a failed connection): the
    /// command prints its own report.
    static func admin(_ db: GatewayStore) -> UpstreamAdmin {
        var logger = Logger(label: "gatehouse.upstream")
        logger.logLevel = .warning
        return UpstreamAdmin(store: db, logger: logger)
    }

    /// What environment values look like when shown.
    static let mask = "••••"

    /// An environment value as shown: masked, unless it only refers to credential connections (no secret in it).
    static func shown(_ value: String) -> String {
        UpstreamRecord.isCredentialReference(value) ? SafeText.escape(value) : mask
    }

    static func httpTransport(_ text: String) throws -> UpstreamRecord.Transport {
        switch text {
        case "streamable": .streamable
        case "sse": .sse
        default: throw GatewayError(.invalidArgument, "--transport must be streamable or sse (a stdio upstream is given with --command)")
        }
    }

    /// `Name: value` pairs; with `allowRemoval`, `Name:` (empty value) means remove (nil).
    static func parseHeaders(_ items: [String], allowRemoval: Bool = false) throws -> [String: String?] {
        var out: [String: String?] = [:]
        for item in items {
            guard let colon = item.firstIndex(of: ":") else {
                throw GatewayError(.invalidArgument, "--header '\(item.prefix(40))': expected 'Name: value'")
            }
            let name = item[..<colon].trimmingCharacters(in: .whitespaces)
            let value = item[item.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.isEmpty {
                guard allowRemoval else { throw GatewayError(.invalidArgument, "--header '\(name.prefix(40))': the value is empty") }
                out[name] = .some(nil)
                continue
            }
            if let p = UpstreamRules.headerProblem(
                name: name, value: value, credentialHint: "--credential CONN (gatehouse credential provider add …)")
            {
                throw GatewayError(.invalidArgument, "--header: \(p)")
            }
            out[name] = .some(value)
        }
        return out
    }

    /// `K=V` pairs; a bare `K` copies the variable from this process's environment (so a secret need not appear in
    /// the command line). `{{credential:NAME}}` in a value is replaced, each time the child starts, by that
    /// connection's current secret (sealed in the credential store); a literal secret-looking value gets a warning.
    static func parseEnvironment(_ items: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            let key: String
            let value: String
            if let eq = item.firstIndex(of: "=") {
                key = String(item[..<eq])
                value = String(item[item.index(after: eq)...])
            } else {
                key = item
                guard let v = ProcessInfo.processInfo.environment[item] else {
                    throw GatewayError(
                        .invalidArgument,
                        "--env \(item.prefix(40)): no value given and \(item.prefix(40)) is not set here; give K=V, or export K first")
                }
                value = v
            }
            if let p = UpstreamRules.environmentNameProblem(key) { throw GatewayError(.invalidArgument, "--env: \(p)") }
            if value.contains("\0") { throw GatewayError(.invalidArgument, "--env \(key): the value contains NUL") }
            guard out.updateValue(value, forKey: key) == nil else { throw GatewayError(.invalidArgument, "--env \(key) is given twice") }
            if UpstreamRules.looksLikeClearSecret(name: key, value: value) {
                FileHandle.standardError.write(
                    Data(
                        "warning: \(key) looks like a secret and environment values are stored unsealed; keep it in a credential (gatehouse credential provider add …) and pass --env \(key)={{credential:NAME}}\n"
                            .utf8))
            }
        }
        return out
    }

    /// An existing directory, made absolute.
    static func resolveDirectory(_ path: String) throws -> String {
        let full = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/")).standardizedFileURL
            .path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GatewayError(.invalidArgument, "--cwd: \(full) is not a directory")
        }
        return full
    }

    /// Checks that the program can be run (``UpstreamRules/resolveProgram(_:cwd:field:)``).
    static func resolveProgram(_ program: String, cwd: String?) throws -> String {
        try UpstreamRules.resolveProgram(program, cwd: cwd, field: "--command")
    }

    /// The URL, or the command line.
    static func location(_ u: UpstreamRecord) -> String {
        u.transport == .stdio ? displayArgv(u.argv) : (u.url ?? "?")
    }

    /// An argument vector for display: arguments with spaces or quotes are single-quoted.
    static func displayArgv(_ argv: [String]) -> String {
        argv.map { a in
            a.isEmpty || a.contains(where: { $0.isWhitespace || "'\"\\$`".contains($0) })
                ? "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'" : a
        }.joined(separator: " ")
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }
}
