import ArgumentParser
import GatewayEngine

/// Engine options shared by `serve` and the console.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("trusted-proxy"), help: "A proxy (address, range or CIDR) whose X-Forwarded-For names the client; repeatable.")
    var trustedProxies: [String] = []

    @Option(name: .long, help: "The external base URL clients use (e.g. https://gw.example), announced in OAuth metadata.")
    var publicURL: String?

    func validate() throws {
        for p in trustedProxies where IPRange(p) == nil {
            throw ValidationError("--trusted-proxy: '\(p)' is not an address, a from-to range or a CIDR block")
        }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must start with http:// or https://")
        }
    }

    func apply(to config: inout GatewayConfiguration) {
        config.trustedProxies = trustedProxies
        config.publicURL = publicURL
    }
}
