import ArgumentParser
import Foundation
import GatewayEngine
import Store

/// Engine options shared by `serve` and the console.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("trusted-proxy"), help: "A proxy (address, range or CIDR) whose X-Forwarded-For names the client; repeatable.")
    var trustedProxies: [String] = []

    @Option(name: .long, help: "The external base URL clients use (e.g. https://gw.example), announced in OAuth metadata and the registry.")
    var publicURL: String?

    @Option(
        name: .long,
        help: "The reverse-DNS namespace of gateway servers in the registry (default: the public URL's host reversed, else local.gatehouse).")
    var registryNamespace: String?

    @Option(name: .long, help: "Minutes between health probes of registry entries and upstreams (default 5; 0: the engine never probes on its own).")
    var registryProbeInterval: Double?

    @Option(name: .long, help: "Request-log records kept (default 100000; the oldest go first).")
    var logRetention: Int?

    @Option(name: .long, help: "Request-log records older than this are deleted: 30d, 12h, 0 keeps them (default 30d).")
    var logMaxAge: String?

    func validate() throws {
        if let n = logRetention, n < 1 { throw ValidationError("--log-retention must be at least 1") }
        if let a = logMaxAge, a != "0", RequestLogFilter.seconds(a).map({ $0 > 0 }) != true {
            throw ValidationError("--log-max-age: '\(a)' is not a duration (30d, 12h, 90m) or 0")
        }
        for p in trustedProxies where IPRange(p) == nil {
            throw ValidationError("--trusted-proxy: '\(p)' is not an address, a from-to range or a CIDR block")
        }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must start with http:// or https://")
        }
        if let ns = registryNamespace, let problem = RegistryConfiguration.namespaceProblem(ns) {
            throw ValidationError("--registry-namespace: \(problem)")
        }
        if let m = registryProbeInterval, !(m >= 0 && m <= 1440) { throw ValidationError("--registry-probe-interval must be 0–1440 minutes") }
    }

    /// The store's configuration at `path` with the request-log retention options.
    func storeConfiguration(path: String) -> StoreConfiguration {
        var c = StoreConfiguration(path: path)
        if let logRetention { c.requestLogRetention = logRetention }
        if let logMaxAge { c.requestLogMaxAge = logMaxAge == "0" ? nil : RequestLogFilter.seconds(logMaxAge).map(TimeInterval.init) }
        return c
    }

    func apply(to config: inout GatewayConfiguration) {
        config.trustedProxies = trustedProxies
        config.publicURL = publicURL
        config.registry.namespace = registryNamespace
        if let m = registryProbeInterval {
            if m == 0 { config.registry.probing = false } else { config.registry.probeInterval = .milliseconds(Int64(m * 60_000)) }
        }
    }
}
