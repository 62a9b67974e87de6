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

    @Option(name: .long, help: "Seconds a REST backend call may take, connect to last byte (default 30).")
    var backendTimeout: Int = 30

    @Option(name: .long, help: "REST backend calls in flight per API at once; more wait up to 1 s, then fail (default 64).")
    var maxCallsPerAPI: Int = 64

    @Option(name: .long, help: "MiB of REST backend answers buffered at once, over every call; a call past it fails at once (default 256).")
    var backendBufferMib: Int = 256

    @Option(name: .long, help: "REST backend calls in flight per tool at once, so one slow tool cannot hold its whole API (default 32).")
    var maxCallsPerTool: Int = 32

    @Option(name: .long, help: "Calls in flight per upstream MCP server at once; more wait up to 1 s, then fail 'busy' (default 64).")
    var maxCallsPerUpstream: Int = 64

    @Option(name: .long, help: "Calls in flight per tool of an upstream at once (default 32).")
    var maxCallsPerUpstreamTool: Int = 32

    @Option(name: .long, help: "MiB one SSE stream may hold for a client that does not read; past it the stream and session end (default 16).")
    var maxStreamQueueMib: Int = 16

    @Option(name: .long, help: "Client connections at once; more wait in the accept backlog (default 1024).")
    var maxConnections: Int = 1_024

    @Option(name: .long, help: "Connections one client address holds; more are closed at once (default 64; trusted proxies exempt).")
    var maxConnectionsPerClient: Int = 64

    @Option(name: .long, help: "Open SSE streams one client address holds; 429 beyond (default 16).")
    var maxStreamsPerClient: Int = 16

    @Option(name: .long, help: "Seconds a client has to send a request's headers once it starts (slowloris guard; default 10).")
    var headerTimeout: Int = 10

    @Option(name: .long, help: "Seconds a connection with no request in flight stays open (default 60).")
    var idleTimeout: Int = 60

    @Option(name: .long, help: "Seconds an SSE stream that carries only keep-alives stays open before it is ended (default 1800).")
    var streamIdleLifetime: Int = 1800

    @Option(
        name: .long,
        help: "Seconds between looks at the resident size; after it grew by 64 MiB free memory goes back to the system (0: never; default 30)."
    )
    var memoryTrimInterval: Int = 30

    @Flag(
        name: .long,
        help:
            "Let APIs and upstreams that allow private networks reach cloud metadata addresses (169.254.169.254, fd00:ec2::254 …); refused otherwise."
    )
    var allowMetadataAddress = false

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
        if memoryTrimInterval < 0 { throw ValidationError("--memory-trim-interval must be 0 or more seconds") }
        if let m = registryProbeInterval, !(m >= 0 && m <= 1440) { throw ValidationError("--registry-probe-interval must be 0–1440 minutes") }
        for (flag, value) in [
            ("--max-sessions", maxSessions), ("--max-sessions-per-client", maxSessionsPerClient),
            ("--max-sessions-per-principal", maxSessionsPerPrincipal), ("--unused-session-timeout", unusedSessionTimeout),
            ("--backend-timeout", backendTimeout), ("--max-calls-per-api", maxCallsPerAPI), ("--max-calls-per-tool", maxCallsPerTool),
            ("--backend-buffer-mib", backendBufferMib), ("--max-stream-queue-mib", maxStreamQueueMib),
            ("--max-connections", maxConnections), ("--max-connections-per-client", maxConnectionsPerClient),
            ("--max-streams-per-client", maxStreamsPerClient), ("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout),
            ("--stream-idle-lifetime", streamIdleLifetime), ("--max-calls-per-upstream", maxCallsPerUpstream),
            ("--max-calls-per-upstream-tool", maxCallsPerUpstreamTool),
        ] where value < 1 {
            throw ValidationError("\(flag) must be at least 1 (got \(value))")
        }
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
        config.allowedHosts += allowedHosts
        config.maxSessions = maxSessions
        config.backendTimeout = .seconds(backendTimeout)
        config.maxCallsPerAPI = maxCallsPerAPI
        config.maxCallsPerTool = maxCallsPerTool
        config.backendBufferBudget = backendBufferMib * 1024 * 1024
        config.maxStreamQueueBytes = maxStreamQueueMib * 1024 * 1024
        if allowMetadataAddress { config.allowMetadataAddress = true }
        config.maxConnections = maxConnections
        config.memoryTrimInterval = memoryTrimInterval == 0 ? nil : .seconds(memoryTrimInterval)
        config.upstream.maxCallsPerUpstream = maxCallsPerUpstream
        config.upstream.maxCallsPerUpstreamTool = maxCallsPerUpstreamTool
        config.connectionLimits.perClientAddress = maxConnectionsPerClient
        config.connectionLimits.streamsPerClientAddress = maxStreamsPerClient
        config.connectionLimits.headerTimeout = .seconds(headerTimeout)
        config.connectionLimits.idleTimeout = .seconds(idleTimeout)
        config.connectionLimits.streamIdleLifetime = .seconds(streamIdleLifetime)
        config.sessionLimits.perClientAddress = maxSessionsPerClient
        config.sessionLimits.perPrincipal = maxSessionsPerPrincipal
        config.sessionLimits.unusedTimeout = .seconds(unusedSessionTimeout)
    }
}
