import ArgumentParser
import GatewayEngine

/// Engine options shared by `serve` and the console.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("trusted-proxy"), help: "A proxy (address, range or CIDR) whose X-Forwarded-For names the client; repeatable.")
    var trustedProxies: [String] = []

    @Option(name: .long, help: "The external base URL clients use (e.g. https://gw.example), announced in OAuth metadata and the registry.")
    var publicURL: String?

    @Option(name: .long, help: "The reverse-DNS namespace of gateway servers in the registry (default: the public URL's host reversed, else local.gatehouse).")
    var registryNamespace: String?

    @Option(name: .long, help: "Minutes between health probes of registry entries and upstreams (default 5; 0: the engine never probes on its own).")
    var registryProbeInterval: Double?

    func validate() throws {
        for p in trustedProxies where IPRange(p) == nil {
            throw ValidationError("--trusted-proxy: '\(p)' is not an address, a from-to range or a CIDR block")
        }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must start with http:// or https://")
        }
        if let ns = registryNamespace, let problem = RegistryConfiguration.namespaceProblem(ns) { throw ValidationError("--registry-namespace: \(problem)") }
        if let m = registryProbeInterval, !(m >= 0 && m <= 1440) { throw ValidationError("--registry-probe-interval must be 0–1440 minutes") }
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
