import Foundation

/// How the registry publishes and probes. Every field has a documented default.
public struct RegistryConfiguration: Sendable {
    /// The reverse-DNS namespace of gateway entries (`io.example.gw` names server `pets` `io.example.gw/pets`). Default
    /// nil: derived from the public URL's host (``namespace(publicURL:)``).
    public var namespace: String?
    /// How often external entries and upstreams are probed. Default 5 minutes.
    public var probeInterval: Duration = .seconds(300)
    /// Each wait is the interval times a random factor in `1 ± probeJitter`, so probes spread out. Default 0.1.
    public var probeJitter: Double = 0.1
    /// How long one probe (`initialize` and every `tools/list` page) may take. Default 10 s.
    public var probeTimeout: Duration = .seconds(10)
    /// Probes running at once. Default 4.
    public var probeConcurrency: Int = 4
    /// Whether the engine probes on its own (at start, on changes, on the schedule). Default true; off, only
    /// `gatehouse registry probe` probes.
    public var probing: Bool = true
    /// `Cache-Control: max-age` of registry answers, in seconds. Default 30.
    public var cacheMaxAge: Int = 30

    public init() {}

    /// The namespace used when none is configured: the public URL's host reversed (`https://gw.example.io` gives
    /// `io.example.gw`), or `local.gatehouse` without a public URL or for an IP address.
    public static func namespace(publicURL: String?) -> String {
        guard let publicURL, let host = URLComponents(string: publicURL)?.host?.lowercased(), !host.isEmpty,
            host.range(of: "^[a-z0-9-]+(\\.[a-z0-9-]+)*$", options: .regularExpression) != nil, host.contains(where: \.isLetter),
            host != "localhost"
        else { return "local.gatehouse" }
        return host.split(separator: ".").reversed().joined(separator: ".")
    }

    /// Why a namespace cannot be used, or nil.
    public static func namespaceProblem(_ namespace: String) -> String? {
        namespace.range(of: "^[a-zA-Z0-9.-]{1,150}$", options: .regularExpression) == nil
            ? "namespace '\(namespace.prefix(60))' must be 1–150 characters of letters, digits, '.' and '-' (reverse DNS, e.g. io.example.gw)" : nil
    }
}

/// The key Gatehouse's own metadata lives under in `server.json`'s `_meta` (clients that do not know it ignore it).
public enum RegistryMeta {
    public static let key = "dev.gatehouse/registry"
    /// The key of the registry metadata in each list item's `_meta` (as the MCP Registry API names it).
    public static let officialKey = "io.modelcontextprotocol.registry/official"
}
