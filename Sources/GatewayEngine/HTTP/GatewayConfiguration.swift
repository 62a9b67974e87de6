/// How the gateway serves MCP traffic. Every field has a documented default.
public struct GatewayConfiguration: Sendable {
    /// Address to bind. Default `127.0.0.1` (loopback only).
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free one. Default 8080.
    public var port: Int = 8080
    /// Extra `Origin` values accepted besides loopback origins (`http://localhost:*`, `http://127.0.0.1:*`,
    /// `http://[::1]:*`). A request with any other `Origin` gets 403. Default none.
    public var allowedOrigins: [String] = []
    /// Extra `Host` values (name or name:port) accepted (`--allowed-host`). On a loopback bind only loopback names
    /// are accepted unless listed here, which defeats DNS rebinding. On other binds the names listed here and the
    /// host of ``publicURL`` are accepted; with neither, only the listen address itself (and on a wildcard bind
    /// such as `0.0.0.0` every Host, with a warning at start). URLs are never built from an unchecked Host.
    public var allowedHosts: [String] = []
    /// The largest request body accepted (413 beyond). Default 4 MiB.
    public var maxBodyBytes: Int = 4 * 1024 * 1024
    /// Sessions idle longer than this expire (404 afterwards). Default 30 minutes.
    public var sessionIdleTimeout: Duration = .seconds(1800)
    /// The most sessions at once (a full table evicts the oldest idle session). Default 10,000.
    public var maxSessions: Int = 10_000
    /// Per-address and per-principal session caps and the unused-session timeout (``SessionLimits``); its
    /// `maxSessions` and `idleTimeout` are taken from the two settings above.
    public var sessionLimits = SessionLimits()
    /// The most tools per `tools/list` page. Default 10,000: pages are bounded by size first
    /// (``toolsPageMaxBytes``), so a client that does not paginate gets every tool whenever the list fits.
    public var toolsPageSize: Int = 10_000
    /// The most bytes of tool definitions per `tools/list` page. Default 960,000: with the JSON-RPC envelope and SSE
    /// framing, no message exceeds the 1 MiB (1,048,576 bytes) the official SDKs accept on any transport.
    public var toolsPageMaxBytes: Int = 960_000
    /// Keep-alive comment interval on open SSE streams. Default 15 s.
    public var sseKeepAlive: Duration = .seconds(15)
    /// How long a stateless (2026-07-28) request to a server with upstreams may run before its answer becomes an
    /// event stream of keep-alives, so that a client that closes it cancels the request. Default 10 s.
    public var modernStreamDeferral: Duration = .seconds(10)
    /// How often the store's configuration revision is polled. Default 250 ms.
    public var reloadInterval: Duration = .milliseconds(250)
    /// How often the engine looks at its resident size to give memory back to the system after a peak of 64 MiB or
    /// more (`MemoryTrimmer`); nil never. Default 30 s.
    public var memoryTrimInterval: Duration? = .seconds(30)
    /// The most client connections at once; further connections wait in the accept backlog. Default 1,024.
    public var maxConnections: Int = 1_024
    /// Per-address connection and stream caps, the fair share near ``maxConnections``, header/body/idle timeouts
    /// and the lifetime of streams that carry only keep-alives (``ConnectionLimits``, defaults documented there).
    public var connectionLimits = ConnectionLimits()
    /// Serve Prometheus text at `/metrics`. Default true.
    public var exposeMetrics: Bool = true
    /// Proxies (addresses, ranges or CIDR blocks) whose `X-Forwarded-For` names the client. Default none: the
    /// TCP peer is the client.
    public var trustedProxies: [String] = []
    /// The external base URL clients use (`https://gw.example`), announced in OAuth protected-resource metadata.
    /// Default nil: `http://` plus the request's `Host`.
    public var publicURL: String?
    /// Backend call limits.
    var backend = BackendClient.Configuration()
    /// The SSRF guard of every outbound connection the engine makes (tests give it a resolver they control).
    var addressGuard = AddressGuard()
    /// Connect to cloud metadata addresses (169.254.169.254, fd00:ec2::254 …) where private networks are allowed.
    /// Default false (true with `GATEHOUSE_ALLOW_METADATA_ADDRESS=1` in the environment).
    public var allowMetadataAddress: Bool {
        get { addressGuard.allowMetadataAddress }
        set { addressGuard.allowMetadataAddress = newValue }
    }
    /// The bound on each long-lived SSE stream's queue (legacy `/sse`, Streamable HTTP GET). Default 16 MiB, 1,000 events.
    var streamQueue = EventQueue.Limits()
    /// Bytes one SSE stream may have queued for a client that does not read before it is ended. Default 16 MiB.
    public var maxStreamQueueBytes: Int {
        get { streamQueue.maxBytes }
        set { streamQueue.maxBytes = newValue }
    }
    /// How long a REST backend call may take, connect to last byte, whatever the backend does. Default 30 s.
    public var backendTimeout: Duration {
        get { .nanoseconds(backend.timeout.nanoseconds) }
        set { backend.timeout = .nanoseconds(Int64(newValue.components.seconds) * 1_000_000_000 + newValue.components.attoseconds / 1_000_000_000) }
    }
    /// REST backend calls in flight per API at once; more wait up to 1 s, then fail. Default 64.
    public var maxCallsPerAPI: Int {
        get { backend.concurrency.perAPI }
        set { backend.concurrency.perAPI = newValue }
    }
    /// The bytes of REST answers buffered at once, over every call; a call past it fails at once. Default 256 MiB.
    public var backendBufferBudget: Int {
        get { backend.bufferBudget }
        set { backend.bufferBudget = newValue }
    }
    /// REST backend calls in flight per tool at once, so one slow tool cannot hold its whole API. Default 32.
    public var maxCallsPerTool: Int {
        get { backend.concurrency.perTool }
        set { backend.concurrency.perTool = newValue }
    }
    /// Upstream MCP server limits (timeouts, circuit breaker, stdio supervision).
    public var upstream = UpstreamConfiguration()
    /// The registry: the namespace of gateway entries, probing, caching.
    public var registry = RegistryConfiguration()

    /// The defaults documented on each field.
    public init() {}

    /// Whether the bind address is a wildcard (`0.0.0.0`, `::`): no single address names it.
    public var isWildcardBind: Bool { host == "0.0.0.0" || host == "::" || host == "[::]" }

    /// The warning to give at start when Host cannot be checked: a non-loopback bind without `--allowed-host`
    /// or `--public-url`. Nil otherwise.
    public var hostCheckWarning: String? {
        guard !isLoopbackBind, allowedHosts.isEmpty, publicURL == nil else { return nil }
        if isWildcardBind {
            return "listening on \(host) without --allowed-host or --public-url: the Host header cannot be checked (DNS rebinding is "
                + "not prevented) and URLs the gateway announces use the listen address; give --allowed-host NAME or --public-url URL"
        }
        return "listening on \(host) without --allowed-host or --public-url: only Host \(host) is accepted"
    }

    /// Whether the bind address is a loopback address.
    public var isLoopbackBind: Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}
