import Foundation
import Metrics
import Prometheus

/// Collects every request record: a bounded ring of recent records, rolling per-second stats per server,
/// Prometheus counters and histograms per server and tool, live streams for the console, and a bounded queue for
/// the request-log writer. Recording takes one short lock and never waits on a reader.
public final class RequestMonitor: GatewayMonitoring, Sendable {
    struct State: Sendable {
        var sequence: UInt64 = 0
        var ring: [RequestRecord] = []
        var ringStart = 0
        var total = RollingWindow()
        var perServer: [String: RollingWindow] = [:]
        var subscribers: [UInt64: AsyncStream<RequestRecord>.Continuation] = [:]
        var eventSubscribers: [UInt64: AsyncStream<EngineEvent>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
        var pendingLog: [RequestRecord] = []
        var droppedLog = 0
        var events: [EngineEvent] = []
        var eventSequence: UInt64 = 0
    }

    /// How many recent records are kept in memory. Default 1,000.
    let ringCapacity: Int
    /// How many records wait for the log writer before the oldest are dropped. Default 10,000.
    let pendingLogCapacity: Int
    /// The Prometheus registry `/metrics` renders.
    let registry: PrometheusCollectorRegistry
    let metricsFactory: PrometheusMetricsFactory
    /// Each server's traffic over the last hour, for its registry entry.
    public let liveFigures = LiveFigureWindows()
    let startedAt = Date()
    private let state = LockedBox(State())
    private let metricCache = LockedBox<[String: (Metrics.Counter, Metrics.Timer)]>([:])
    private let unroutedCounters = LockedBox<[String: Metrics.Counter]>([:])
    /// The limits that bit (``limitBit(_:_:count:)``).
    let limits: LimitTally
    /// Answers that did not match their tool's output schema, by `server\0tool` (see `+OutputSchema`).
    let outputSchemaMismatchCounts = LockedBox<[String: Int]>([:])

    /// A monitor keeping the last `ringCapacity` records and at most `pendingLogCapacity` records waiting for the request log.
    public init(ringCapacity: Int = 1_000, pendingLogCapacity: Int = 10_000) {
        self.ringCapacity = ringCapacity
        self.pendingLogCapacity = pendingLogCapacity
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        ]
        metricsFactory = factory
        limits = LimitTally(factory: factory)
    }

    /// Counts a limit that bit (its Prometheus counter and the dashboard's total) and, at most once per limit every
    /// 10 s, tells the event log which limit it was and which flag sets it.
    func limitBit(_ family: LimitTally.Family, _ reason: String, count: Int = 1) {
        if let message = limits.hit(family, reason, count: count) { event(.warning, message) }
    }

    /// Records one request.
    public func record(_ incoming: RequestRecord) {
        var record = incoming.bounded()
        let second = Int64(record.time.timeIntervalSince1970)
        let micros = record.latency.microseconds
        let subscribers: [AsyncStream<RequestRecord>.Continuation] = state.withLock { s in
            s.sequence += 1
            record.sequence = s.sequence
            if s.ring.count < ringCapacity {
                s.ring.append(record)
            } else {
                s.ring[s.ringStart] = record
                s.ringStart = (s.ringStart + 1) % ringCapacity
            }
            s.total.add(second: second, latencyMicros: micros, isError: record.isError, isServerFailure: record.serverFailure)
            s.perServer[record.server, default: RollingWindow()].add(
                second: second, latencyMicros: micros, isError: record.isError, isServerFailure: record.serverFailure)
            if s.pendingLog.count >= pendingLogCapacity {
                // Drop the oldest tenth at once so a stalled writer costs O(1) amortised per record.
                let dropped = s.pendingLog.count / 10 + 1
                s.pendingLog.removeFirst(dropped)
                s.droppedLog += dropped
            }
            s.pendingLog.append(record)
            return Array(s.subscribers.values)
        }
        for c in subscribers { c.yield(record) }
        liveFigures.add(record)
        let (counter, timer) = metrics(
            server: record.server, tool: record.tool.map { record.toolIsKnown ? $0 : "unknown" } ?? "",
            method: RecordBounds.methodLabel(record.method), outcome: record.outcome)
        counter.increment()
        timer.recordNanoseconds(micros * 1000)
    }

    private func metrics(server: String, tool: String, method: String, outcome: RequestRecord.Outcome) -> (Metrics.Counter, Metrics.Timer) {
        let key = "\(server)\u{0}\(tool)\u{0}\(method)\u{0}\(outcome.rawValue)"
        if let m = metricCache.withLock({ $0[key] }) { return m }
        let dims = [("server", server), ("tool", tool), ("method", method), ("outcome", outcome.rawValue)]
        let counter = Metrics.Counter(label: "gatehouse_requests_total", dimensions: dims, factory: metricsFactory)
        let timer = Metrics.Timer(
            label: "gatehouse_request_duration_seconds", dimensions: [("server", server), ("tool", tool), ("method", method)],
            factory: metricsFactory)
        metricCache.withLock { $0[key] = (counter, timer) }
        return (counter, timer)
    }

    /// Counts a request refused before it was routed (bad Host or Origin): `gatehouse_refused_unrouted_total{reason}`.
    /// Such a request leaves no record, since the client chose every byte of it; `reason` is one of our own constants.
    func countUnrouted(reason: StaticString) {
        let label = "\(reason)"
        let counter = unroutedCounters.withLock { cache -> Metrics.Counter in
            if let c = cache[label] { return c }
            let c = Metrics.Counter(label: "gatehouse_refused_unrouted_total", dimensions: [("reason", label)], factory: metricsFactory)
            cache[label] = c
            return c
        }
        counter.increment()
    }

    /// Takes the records waiting for the request-log writer.
    func drainPendingLog() -> [RequestRecord] {
        state.withLock { s in
            defer { s.pendingLog = [] }
            return s.pendingLog
        }
    }

    /// Reports an engine event to the log pane.
    public func event(_ level: EngineEvent.Level, _ message: String) {
        var e = EngineEvent(level: level, message: message)
        let subs: [AsyncStream<EngineEvent>.Continuation] = state.withLock { s in
            s.eventSequence += 1
            e.sequence = s.eventSequence
            s.events.append(e)
            if s.events.count > 500 { s.events.removeFirst(100) }
            return Array(s.eventSubscribers.values)
        }
        for c in subs { c.yield(e) }
    }

    /// Traffic now: totals, per server, windows and latency percentiles.
    public func snapshot() -> MonitorSnapshot {
        let now = Date()
        let second = Int64(now.timeIntervalSince1970)
        let limitHits = limits.totals()
        return state.withLock { s in
            MonitorSnapshot(
                startedAt: startedAt, takenAt: now, total: s.total.stats(now: second),
                servers: s.perServer.mapValues { $0.stats(now: second) }, droppedLogRecords: s.droppedLog, limitHits: limitHits)
        }
    }

    /// The last `limit` records, newest last.
    public func recentRecords(limit: Int) -> [RequestRecord] {
        state.withLock { s in
            let ordered = Array(s.ring[s.ringStart...]) + Array(s.ring[..<s.ringStart])
            return Array(ordered.suffix(limit).reversed())
        }
    }

    /// The records after `sequence` still in the ring, oldest first, at most the newest `limit` of them: what a poller
    /// that saw everything up to `sequence` missed (the admin endpoint's stream).
    public func records(after sequence: UInt64, limit: Int) -> [RequestRecord] {
        state.withLock { s in
            guard s.sequence > sequence, limit > 0 else { return [] }
            let wanted = Int(min(UInt64(min(limit, s.ring.count)), s.sequence - sequence))
            var out: [RequestRecord] = []
            out.reserveCapacity(wanted)
            let count = s.ring.count
            for i in (count - wanted)..<count { out.append(s.ring[(s.ringStart + i) % count]) }
            return out
        }
    }

    /// The events after `sequence`, oldest first, at most the newest `limit` of them.
    public func events(after sequence: UInt64, limit: Int) -> [EngineEvent] {
        state.withLock { s in
            guard s.eventSequence > sequence else { return [] }
            return Array(s.events.suffix(limit).drop { $0.sequence <= sequence })
        }
    }

    /// Records as they happen; a slow reader loses the oldest beyond `bufferSize`.
    public func records(bufferSize: Int = 1_000) -> AsyncStream<RequestRecord> {
        let (stream, continuation) = AsyncStream.makeStream(of: RequestRecord.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { s in
            s.nextSubscriber += 1
            s.subscribers[s.nextSubscriber] = continuation
            return s.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) } }
        return stream
    }

    /// Events as they happen; a slow reader loses the oldest beyond `bufferSize`.
    public func events(bufferSize: Int = 500) -> AsyncStream<EngineEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: EngineEvent.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { s in
            s.nextSubscriber += 1
            s.eventSubscribers[s.nextSubscriber] = continuation
            return s.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.eventSubscribers.removeValue(forKey: id) } }
        return stream
    }

    /// The last `limit` events, newest last.
    public func recentEvents(limit: Int) -> [EngineEvent] {
        state.withLock { Array($0.events.suffix(limit).reversed()) }
    }

    /// Prometheus text exposition of every metric.
    func prometheusText() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    /// Ends every live stream (at shutdown).
    func finishStreams() {
        let (a, b) = state.withLock { s in
            defer {
                s.subscribers = [:]
                s.eventSubscribers = [:]
            }
            return (Array(s.subscribers.values), Array(s.eventSubscribers.values))
        }
        a.forEach { $0.finish() }
        b.forEach { $0.finish() }
    }
}
