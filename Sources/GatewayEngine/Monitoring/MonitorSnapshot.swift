import Foundation

/// Traffic figures over a recent window, as the console and `/metrics` readers see them.
public struct TrafficStats: Sendable, Equatable {
    /// Requests per second over the window.
    public var requestsPerSecond: Double
    /// Fraction of requests in the window that were errors (0…1).
    public var errorRate: Double
    /// Median latency in the window; nil without requests.
    public var p50: Duration?
    /// 95th percentile latency in the window.
    public var p95: Duration?
    /// 99th percentile latency in the window.
    public var p99: Duration?
    /// Requests in the window.
    public var requests: Int
    /// Requests since start.
    public var totalRequests: Int
    /// Requests per second for each of the last 60 seconds, oldest first (for sparklines).
    public var history: [Int]
    /// Requests in the window that failed on the server side (``RequestRecord/serverFailure``).
    public var serverErrors: Int
    /// The fraction of requests in the window that failed on the server side (0…1): what health judges.
    public var serverErrorRate: Double { requests > 0 ? Double(serverErrors) / Double(requests) : 0 }
    /// Errors in the window that were the clients' (invalid arguments, unknown tools, refusals).
    public var clientErrors: Int { max(0, Int((errorRate * Double(requests)).rounded()) - serverErrors) }

    /// Figures (all zero by default).
    public init(
        requestsPerSecond: Double = 0, errorRate: Double = 0, p50: Duration? = nil, p95: Duration? = nil, p99: Duration? = nil, requests: Int = 0,
        totalRequests: Int = 0, history: [Int] = [], serverErrors: Int = 0
    ) {
        self.serverErrors = serverErrors
        self.requestsPerSecond = requestsPerSecond
        self.errorRate = errorRate
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.requests = requests
        self.totalRequests = totalRequests
        self.history = history
    }
}

/// A point-in-time view of the engine for operators.
public struct MonitorSnapshot: Sendable, Equatable {
    /// When the engine started.
    public var startedAt: Date
    /// When the snapshot was taken.
    public var takenAt: Date
    /// All traffic.
    public var total: TrafficStats
    /// Traffic per server name.
    public var servers: [String: TrafficStats]
    /// Records that could not be written to the request log because the writer fell behind.
    public var droppedLogRecords: Int
    /// How often each limit bit since start, by `family/reason` (`connection/header_timeout`,
    /// `session/evicted_full`, `backend/upstream`, `streamOverflow/sse`…); limits that never bit are absent.
    public var limitHits: [String: Int]

    /// A snapshot.
    public init(
        startedAt: Date, takenAt: Date, total: TrafficStats, servers: [String: TrafficStats], droppedLogRecords: Int, limitHits: [String: Int] = [:]
    ) {
        self.limitHits = limitHits
        self.startedAt = startedAt
        self.takenAt = takenAt
        self.total = total
        self.servers = servers
        self.droppedLogRecords = droppedLogRecords
    }

    /// Time since start.
    public var uptime: TimeInterval { takenAt.timeIntervalSince(startedAt) }
}

/// Something that happened in the engine that an operator should see in the log pane.
public struct EngineEvent: Sendable, Equatable {
    /// How much an operator should care.
    public enum Level: String, Sendable { case info, warning, error }
    /// When it happened.
    public var time: Date
    /// Its level.
    public var level: Level
    /// What happened (never a secret).
    public var message: String
    /// A process-unique, increasing number the monitor gives each event (0 until then).
    public var sequence: UInt64 = 0

    /// An event (now, by default).
    public init(time: Date = Date(), level: Level, message: String) {
        self.time = time
        self.level = level
        self.message = message
    }
}

/// The interface the console reads. Every call is cheap and never slows traffic: snapshots copy counters under a
/// short lock, and the streams drop their oldest entries when the reader falls behind.
public protocol GatewayMonitoring: Sendable {
    /// Rates and percentiles now.
    func snapshot() -> MonitorSnapshot
    /// The most recent records, newest first.
    func recentRecords(limit: Int) -> [RequestRecord]
    /// New records as they happen. The stream buffers at most `bufferSize` records and drops the oldest beyond.
    func records(bufferSize: Int) -> AsyncStream<RequestRecord>
    /// Engine events (imports, configuration reloads, errors) as they happen, with the same dropping policy.
    func events(bufferSize: Int) -> AsyncStream<EngineEvent>
    /// The most recent events, newest first.
    func recentEvents(limit: Int) -> [EngineEvent]
}
