import ArgumentParser
import GatewayEngine

/// Engine options shared by `serve` and the console.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("trusted-proxy"), help: "A proxy (address, range or CIDR) whose X-Forwarded-For names the client; repeatable.")
    var trustedProxies: [String] = []

    @Option(name: .long, help: "The external base URL clients use (e.g. https://gw.example), announced in OAuth metadata.")
    var publicURL: String?

    @Option(name: .customLong("allowed-host"), help: "A Host value (name or name:port) accepted on a non-loopback --listen; repeatable.")
    var allowedHosts: [String] = []

    @Option(name: .long, help: "The most MCP sessions at once; a full table evicts the oldest idle one (default 10000).")
    var maxSessions: Int = 10_000

    @Option(name: .long, help: "The most MCP sessions one client address holds; 429 beyond (default 64).")
    var maxSessionsPerClient: Int = 64

    @Option(name: .long, help: "The most MCP sessions one authenticated principal holds; 429 beyond (default 256).")
    var maxSessionsPerPrincipal: Int = 256

    @Option(name: .long, help: "Seconds before a session with no request after initialize expires (default 30).")
    var unusedSessionTimeout: Int = 30

    func validate() throws {
        for p in trustedProxies where IPRange(p) == nil {
            throw ValidationError("--trusted-proxy: '\(p)' is not an address, a from-to range or a CIDR block")
        }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must start with http:// or https://")
        }
        for (flag, value) in [
            ("--max-sessions", maxSessions), ("--max-sessions-per-client", maxSessionsPerClient),
            ("--max-sessions-per-principal", maxSessionsPerPrincipal), ("--unused-session-timeout", unusedSessionTimeout),
        ] where value < 1 {
            throw ValidationError("\(flag) must be at least 1 (got \(value))")
        }
    }

    func apply(to config: inout GatewayConfiguration) {
        config.trustedProxies = trustedProxies
        config.publicURL = publicURL
        config.allowedHosts += allowedHosts
        config.maxSessions = maxSessions
        config.sessionLimits.perClientAddress = maxSessionsPerClient
        config.sessionLimits.perPrincipal = maxSessionsPerPrincipal
        config.sessionLimits.unusedTimeout = .seconds(unusedSessionTimeout)
    }
}
