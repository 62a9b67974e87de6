import Foundation

/// DNS-rebinding defence: which `Host` and `Origin` values the gateway answers.
struct OriginPolicy: Sendable {
    let loopbackBind: Bool
    let allowedHosts: Set<String>
    let allowedOrigins: Set<String>
    /// Whether every Host is accepted: a wildcard bind with neither `--allowed-host` nor `--public-url`.
    let hostUnchecked: Bool

    init(configuration: GatewayConfiguration) {
        loopbackBind = configuration.isLoopbackBind
        var hosts = Set(configuration.allowedHosts.map { $0.lowercased() })
        if let url = configuration.publicURL.flatMap(URL.init(string:)), let h = url.host?.lowercased() {
            hosts.insert(h.contains(":") && !h.hasPrefix("[") ? "[\(h)]" : h)
        }
        if !configuration.isLoopbackBind, hosts.isEmpty, !configuration.isWildcardBind {
            let h = configuration.host.lowercased()
            hosts.insert(h.contains(":") && !h.hasPrefix("[") ? "[\(h)]" : h)
        }
        allowedHosts = hosts
        hostUnchecked = !configuration.isLoopbackBind && hosts.isEmpty
        allowedOrigins = Set(configuration.allowedOrigins.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/")) })
    }

    static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]

    /// Splits `host[:port]` (with `[v6]:port`) into its host part, lower-cased.
    static func hostPart(_ authority: String) -> String {
        let a = authority.lowercased()
        if a.hasPrefix("[") {
            if let end = a.firstIndex(of: "]") { return String(a[...end]) }
            return a
        }
        if let colon = a.lastIndex(of: ":"), a.filter({ $0 == ":" }).count == 1 { return String(a[..<colon]) }
        return a
    }

    /// Whether `authority` passed a Host check (so a URL may be built from it).
    func checkedHost(_ authority: String?) -> Bool {
        guard let authority, !hostUnchecked else { return false }
        return refusal(host: authority, origin: nil) == nil
    }

    /// Nil when acceptable, else the reason for a 403.
    func refusal(host: String?, origin: String?) -> String? {
        if let host {
            let name = Self.hostPart(host)
            let listed = allowedHosts.contains(host.lowercased()) || allowedHosts.contains(name)
            if loopbackBind {
                if !Self.loopbackNames.contains(name) && !listed { return "Host '\(String(host.prefix(100)))' is not allowed" }
            } else if !allowedHosts.isEmpty && !listed {
                return "Host '\(String(host.prefix(100)))' is not allowed"
            }
        } else if loopbackBind || !allowedHosts.isEmpty {
            return "a Host header is required"
        }
        if let origin {
            let o = origin.lowercased()
            if allowedOrigins.contains(o) { return nil }
            guard let url = URL(string: o), let scheme = url.scheme, scheme == "http" || scheme == "https", let h = url.host else {
                return "Origin '\(String(origin.prefix(100)))' is not allowed"
            }
            let name = h.hasPrefix("[") ? h : (h.contains(":") ? "[\(h)]" : h)
            if Self.loopbackNames.contains(name) || Self.loopbackNames.contains(h) { return nil }
            return "Origin '\(String(origin.prefix(100)))' is not allowed"
        }
        return nil
    }
}
