import Foundation

/// Works out an API's base URL from `servers` (OpenAPI 3) or `schemes`/`host`/`basePath` (Swagger 2.0).
enum ServerURL {
    /// OpenAPI 3: `servers[0].url` with `{variables}` replaced by their defaults; a relative URL (or no `servers`,
    /// which means `/`) is resolved against `sourceURL`, and is nil without one.
    static func openAPI(_ root: JSONValue, sourceURL: URL?, warnings: inout [String]) -> String? {
        guard case .array(let servers) = root["servers"], let server = servers.first?.objectValue,
            let template = server["url"]?.stringValue
        else {
            return resolve("/", against: sourceURL, warnings: &warnings)
        }
        let variables = server["variables"]?.objectValue ?? JSONObject()
        var url = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            url += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                warnings.append("servers[0].url '\(template)' has an unclosed '{'; no base URL")
                return nil
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = variables[name]?["default"], let text = scalarText(value) else {
                warnings.append("servers[0].url variable '\(name)' has no default; no base URL")
                return nil
            }
            url += text
            rest = rest[rest.index(after: close)...]
        }
        url += rest
        return resolve(url, against: sourceURL, warnings: &warnings)
    }

    /// Swagger 2.0: `schemes` (https preferred) + `host` + `basePath`. Without `host`, the host serving the
    /// document (nil for files).
    static func swagger(_ root: JSONValue, sourceURL: URL?) -> String? {
        let schemes = Swagger2Converter.strings(root["schemes"]).map { $0.lowercased() }
        let scheme =
            schemes.contains("https")
            ? "https" : schemes.first { $0 == "http" } ?? sourceURL?.scheme?.lowercased() ?? "https"
        var host = root["host"]?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        if host.contains("://"), let url = URL(string: host), let name = url.host {
            // A common mistake: a URL where a host is expected.
            host = url.port.map { "\(name):\($0)" } ?? name
        }
        while host.hasSuffix("/") { host.removeLast() }
        if host.isEmpty, let sourceURL, let sourceHost = sourceURL.host {
            host = sourceURL.port.map { "\(sourceHost):\($0)" } ?? sourceHost
        }
        guard !host.isEmpty else { return nil }
        var basePath = root["basePath"]?.stringValue ?? ""
        if !basePath.isEmpty, !basePath.hasPrefix("/") { basePath = "/" + basePath }
        return trimTrailingSlashes("\(scheme)://\(host)\(basePath)")
    }

    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        case .double, .bool: value.jsonString
        default: nil
        }
    }

    /// An absolute http(s) URL from `url` (resolved against `sourceURL` when relative), trailing `/` removed.
    static func resolve(_ url: String, against sourceURL: URL?, warnings: inout [String]) -> String? {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        let absolute: URL?
        if let parsed = URL(string: trimmed), parsed.scheme != nil {
            absolute = parsed
        } else if let sourceURL {
            absolute = URL(string: trimmed.isEmpty ? "/" : trimmed, relativeTo: sourceURL)?.absoluteURL
        } else {
            return nil
        }
        guard let absolute, let scheme = absolute.scheme?.lowercased(), scheme == "http" || scheme == "https",
            absolute.host?.isEmpty == false
        else {
            warnings.append("server URL '\(url)' is not an absolute http(s) URL; no base URL")
            return nil
        }
        return trimTrailingSlashes(absolute.absoluteString)
    }

    /// Removes trailing `/`s (never the `//` after the scheme).
    static func trimTrailingSlashes(_ url: String) -> String {
        var out = url
        while out.hasSuffix("/"), !out.hasSuffix("://") { out.removeLast() }
        return out
    }
}
