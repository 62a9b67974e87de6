import GatewayEngine

/// How healthy a figure is. Thresholds: error rate ≥ 5 % warns, ≥ 20 % is critical; p95 latency ≥ 500 ms warns,
/// ≥ 2 s is critical. Shown with a word and a symbol as well as a colour.
enum Severity: Int, Sendable, Comparable {
    case off, idle, ok, warn, crit

    static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    static let errorWarn = 0.05, errorCrit = 0.20
    static let latencyWarnMs = 500.0, latencyCritMs = 2000.0

    static func errorRate(_ rate: Double, requests: Int) -> Severity {
        if requests == 0 { return .idle }
        return rate >= errorCrit ? .crit : rate >= errorWarn ? .warn : .ok
    }

    static func latency(_ d: Duration?) -> Severity {
        guard let d else { return .idle }
        let ms = d.milliseconds
        return ms >= latencyCritMs ? .crit : ms >= latencyWarnMs ? .warn : .ok
    }

    /// A server's overall health: off when disabled, idle without traffic, else the worst of its latency and its
    /// server-side failure rate (timeouts, refused connections, 5xx, internal errors); the clients' own mistakes
    /// (invalid arguments, unknown tools, refusals) are shown but never make a server WARN or CRIT.
    static func health(_ stats: TrafficStats?, enabled: Bool) -> Severity {
        if !enabled { return .off }
        guard let stats, stats.requests > 0 else { return .idle }
        return max(errorRate(stats.serverErrorRate, requests: stats.requests), latency(stats.p95))
    }

    var word: String {
        switch self {
        case .off: "off"
        case .idle: "idle"
        case .ok: "ok"
        case .warn: "WARN"
        case .crit: "CRIT"
        }
    }

    /// A one-column symbol: `●` ok, `▲` warning, `✖` critical, `○` idle, `-` off (ASCII: `+ ! X . -`).
    func symbol(ascii: Bool) -> String {
        switch self {
        case .off: "-"
        case .idle: ascii ? "." : "○"
        case .ok: ascii ? "+" : "●"
        case .warn: ascii ? "!" : "▲"
        case .crit: ascii ? "X" : "✖"
        }
    }

    /// Symbol and word, e.g. `▲ WARN`.
    func label(ascii: Bool) -> String { "\(symbol(ascii: ascii)) \(word)" }

    /// A suffix marking a figure over its threshold (empty otherwise), e.g. ` ▲`.
    func mark(ascii: Bool) -> String { self >= .warn ? " " + symbol(ascii: ascii) : "" }
}
