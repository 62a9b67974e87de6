import Foundation
import Metrics
import Prometheus

/// The limits that bit since the engine started. Each bite is counted three ways: in its Prometheus family
/// (`gatehouse_connection_limit_total{reason}`, `gatehouse_session_limit_total{reason}`,
/// `gatehouse_backend_limit_total{limit}`, `gatehouse_stream_overflow_total{transport}`), in the totals the console's
/// dashboard shows, and — at most once per limit per ``eventInterval``, so an attack cannot flood it — as a warning
/// for the engine's event log that names the limit and the flag that sets it (``RequestMonitor/limitBit(_:_:count:)``
/// posts it).
final class LimitTally: Sendable {
    /// The families of limits, each a Prometheus counter with one label.
    enum Family: String, Sendable, CaseIterable {
        case connection, session, backend, streamOverflow

        /// The Prometheus metric.
        var metric: String {
            switch self {
            case .connection: "gatehouse_connection_limit_total"
            case .session: "gatehouse_session_limit_total"
            case .backend: "gatehouse_backend_limit_total"
            case .streamOverflow: "gatehouse_stream_overflow_total"
            }
        }

        /// The metric's one label.
        var dimension: String {
            switch self {
            case .connection, .session: "reason"
            case .backend: "limit"
            case .streamOverflow: "transport"
            }
        }

        /// Every value of the label, with what an operator is told when it bites (nil: routine, counted only in
        /// `/metrics`, such as sessions that expired unused).
        var reasons: KeyValuePairs<String, String?> {
            switch self {
            case .connection:
                [
                    "client_address": "a client address reached its connection cap (--max-connections-per-client)",
                    "fair_share": "a client address was held to its fair share near the global connection cap (--max-connections)",
                    "header_timeout": "a connection did not send a complete request head in time (--header-timeout)",
                    "body_timeout": "a request body arrived too slowly and its connection was closed",
                    "streams_client_address": "a client address reached its cap of open streams (--max-streams-per-client)",
                    "stream_idle_lifetime": "a stream that carried only keep-alives reached its lifetime (--stream-idle-lifetime)",
                ]
            case .session:
                [
                    "client_address": "a client address reached its session cap",
                    "principal": "a principal reached its session cap",
                    "evicted_full": "the session table was full and its oldest idle session was evicted (--max-sessions)",
                    "table_full": "the session table was full of sessions with open streams and a new session was refused (--max-sessions)",
                    "expired_unused": nil,
                ]
            case .backend:
                [
                    "api": "a REST API reached its cap of calls in flight",
                    "tool": "a REST tool reached its cap of calls in flight",
                    "buffer": "the budget for buffered backend answers was used up",
                    "upstream": "an upstream reached its cap of calls in flight (--max-calls-per-upstream)",
                    "upstream_tool": "an upstream tool reached its cap of calls in flight (--max-calls-per-upstream-tool)",
                ]
            case .streamOverflow:
                [
                    "sse": "a legacy SSE client did not read its stream; the stream and its session were ended (--max-stream-queue-mib)",
                    "streamable": "a Streamable HTTP client did not read its stream; the stream and its session were ended (--max-stream-queue-mib)",
                ]
            }
        }
    }

    private struct Entry {
        let counter: Metrics.Counter
        let message: String?
        var count = 0
        var lastEvent: ContinuousClock.Instant?
    }

    /// How often one limit may put a warning in the event log. Default 10 s.
    let eventInterval: Duration
    private let entries: LockedBox<[String: Entry]>
    private let now: @Sendable () -> ContinuousClock.Instant

    /// A tally whose counters live in `factory`'s registry (all at zero from the start).
    init(factory: PrometheusMetricsFactory, eventInterval: Duration = .seconds(10), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now })
    {
        var entries: [String: Entry] = [:]
        for family in Family.allCases {
            for (reason, message) in family.reasons {
                let counter = Metrics.Counter(label: family.metric, dimensions: [(family.dimension, reason)], factory: factory)
                entries[Self.key(family, reason)] = Entry(counter: counter, message: message)
            }
        }
        self.entries = LockedBox(entries)
        self.eventInterval = eventInterval
        self.now = now
    }

    private static func key(_ family: Family, _ reason: String) -> String { "\(family.rawValue)/\(reason)" }

    /// Counts `count` bites of one limit; returns the warning for the event log when one is due. A reason the family
    /// does not list is a programming error and is ignored.
    func hit(_ family: Family, _ reason: String, count: Int = 1) -> String? {
        guard count > 0 else { return nil }
        let key = Self.key(family, reason)
        let instant = now()
        let (counter, message) = entries.withLock { e -> (Metrics.Counter?, String?) in
            guard var entry = e[key] else { return (nil, nil) }
            entry.count += count
            var message: String?
            if let text = entry.message, entry.lastEvent.map({ instant - $0 >= eventInterval }) ?? true {
                entry.lastEvent = instant
                message = "limit: \(text); \(entry.count) since start (\(family.metric){\(family.dimension)=\"\(reason)\"})"
            }
            e[key] = entry
            return (entry.counter, message)
        }
        counter?.increment(by: Int64(count))
        return message
    }

    /// How often each notable limit bit since start, by `family/reason`; limits that never bit are left out.
    func totals() -> [String: Int] {
        entries.withLock { e in e.filter { $0.value.count > 0 && $0.value.message != nil }.mapValues(\.count) }
    }
}
