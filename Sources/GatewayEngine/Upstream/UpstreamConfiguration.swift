import Foundation
import Store

/// Engine-wide limits and defaults for upstream MCP servers. Each upstream may override the two timeouts.
public struct UpstreamConfiguration: Sendable {
    /// How long a call may stay silent; a progress notification restarts it. Default 60 s.
    public var timeout: Duration = .seconds(60)
    /// How long a call may take at most, progress or not. Default 300 s.
    public var maxTimeout: Duration = .seconds(300)
    /// Connecting to an HTTP upstream. Default 10 s.
    public var connectTimeout: Duration = .seconds(10)
    /// The largest message accepted from an upstream (a JSON body, an SSE event, a stdio line). Default 10 MiB.
    public var maxMessageBytes: Int = 10 * 1024 * 1024
    /// Consecutive failures that open an upstream's circuit. Default 5.
    public var breakerThreshold: Int = 5
    /// How long an open circuit waits before a probe; doubles per failed probe up to ``breakerMaxBackoff``. Default 5 s.
    public var breakerBackoff: Duration = .seconds(5)
    /// The longest wait between probes. Default 60 s.
    public var breakerMaxBackoff: Duration = .seconds(60)
    /// A stdio child with no call and no attached session for this long is stopped. Default 5 min.
    public var stdioIdleStop: Duration = .seconds(300)
    /// The first wait before restarting a stdio child that died; doubles per crash up to 30 s. Default 0.5 s.
    public var stdioRestartBackoff: Duration = .milliseconds(500)
    /// How long a stdio child gets to exit after its stdin closes, and again after SIGTERM. Default 2 s.
    public var stdioStopGrace: Duration = .seconds(2)
    /// How often tool definitions are re-read from upstreams in use, to catch changes announced by no notification.
    /// Default 5 min.
    public var rediscoveryInterval: Duration = .seconds(300)
    /// How soon a discovery that failed (upstream down, say) is tried again in the background. Default 30 s.
    public var failedDiscoveryRetry: Duration = .seconds(30)
    /// How soon a client's `tools/list` tries a failed discovery again itself (rather than serving the list without
    /// that upstream's tools until the background retry), so an upstream that was slow or briefly down at start is
    /// listed as soon as it answers. Default 2 s.
    public var failedDiscoveryRetryOnDemand: Duration = .seconds(2)
    /// Calls in flight to one upstream at once; more wait up to 1 s, then fail with `busy`. Default 64.
    public var maxCallsPerUpstream: Int = 64
    /// Calls in flight to one tool (or method) of an upstream at once, so one slow tool cannot hold its whole upstream.
    /// Default 32.
    public var maxCallsPerUpstreamTool: Int = 32
    /// Tools read from one upstream at most (all `tools/list` pages). Default 10 000.
    public var maxTools: Int = 10_000

    /// The defaults documented on each field.
    public init() {}
}

/// One upstream's settings, compiled from its record.
struct UpstreamSettings: Sendable, Equatable {
    var name: String
    var transport: UpstreamRecord.Transport
    var url: String?
    var argv: [String]
    var environment: [String: String]
    var workingDirectory: String?
    var headers: [(String, String)]
    var allowPrivateNetwork: Bool
    var credential: String?
    var credentialOrigin: String?
    var timeout: Duration
    var maxTimeout: Duration
    var maxMessageBytes: Int
    var connectTimeout: Duration
    /// Bumped by the hub whenever the settings change, so sessions opened under older ones are noticed cheaply.
    var generation: UInt64 = 0

    init(record r: UpstreamRecord, defaults: UpstreamConfiguration) {
        name = r.name
        transport = r.transport
        url = r.url
        argv = r.argv
        environment = r.env
        workingDirectory = r.workingDirectory
        headers = r.headerFields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        allowPrivateNetwork = r.allowPrivateNetwork
        credential = r.credential
        credentialOrigin = r.credentialOrigin
        let maxT = r.maxTimeoutSeconds.map { Duration.milliseconds(Int64($0 * 1000)) } ?? defaults.maxTimeout
        maxTimeout = maxT
        timeout = min(r.timeoutSeconds.map { Duration.milliseconds(Int64($0 * 1000)) } ?? defaults.timeout, maxT)
        maxMessageBytes = defaults.maxMessageBytes
        connectTimeout = defaults.connectTimeout
    }

    static func == (a: UpstreamSettings, b: UpstreamSettings) -> Bool {
        a.name == b.name && a.transport == b.transport && a.url == b.url && a.argv == b.argv && a.environment == b.environment
            && a.workingDirectory == b.workingDirectory && a.headers.map { "\($0.0):\($0.1)" } == b.headers.map { "\($0.0):\($0.1)" }
            && a.allowPrivateNetwork == b.allowPrivateNetwork && a.credential == b.credential && a.credentialOrigin == b.credentialOrigin
            && a.timeout == b.timeout && a.maxTimeout == b.maxTimeout
    }
}
