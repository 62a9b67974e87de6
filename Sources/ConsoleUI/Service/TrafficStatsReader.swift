import Foundation
import Store
import Synchronization

/// The Traffic screen's figures, read from the stored request log over a window, grouped one way: the screen asks
/// for a window and grouping (a read-only screen task), and the sampler re-reads them at most every 2 s while the
/// screen wants them, off the main actor.
final class TrafficStatsReader: Sendable {
    static let shared = TrafficStatsReader()

    /// What the screen asks for.
    struct Wanted: Sendable, Equatable {
        var window: TrafficWindow
        var grouping: RequestLogGrouping
    }

    /// What was read.
    struct Figures: Sendable, Equatable {
        var wanted: Wanted
        var readAt: Date
        var rows: [RequestLogStats]
        var error: String?
    }

    private struct State {
        var wanted: [String: Wanted] = [:]
        var read: [String: Figures] = [:]
    }

    private let state = Mutex(State())

    func want(_ wanted: Wanted, for store: GatewayStore) {
        state.withLock { $0.wanted[store.configuration.path] = wanted }
    }

    /// The figures for what is wanted, re-read when older than `maxAge` or when the wish changed.
    func figures(for store: GatewayStore, now: Date, maxAge: TimeInterval = 2) -> Figures? {
        let path = store.configuration.path
        let (wanted, last) = state.withLock { ($0.wanted[path], $0.read[path]) }
        guard let wanted else { return nil }
        if let last, last.wanted == wanted, now.timeIntervalSince(last.readAt) < maxAge { return last }
        var figures = Figures(wanted: wanted, readAt: now, rows: [])
        do {
            let filter = try RequestLogFilter(parsing: "since:\(wanted.window.filterText)")
            figures.rows = try store.requestLogStats(filter, by: wanted.grouping, now: now)
        } catch {
            figures.error = "\(error)"
            figures.rows = last?.rows ?? []
        }
        let result = figures
        state.withLock { $0.read[path] = result }
        return result
    }
}

/// The windows the Traffic screen offers.
enum TrafficWindow: String, Sendable, CaseIterable {
    case minute = "1 min"
    case fiveMinutes = "5 min"
    case hour = "1 h"
    case day = "24 h"

    var filterText: String {
        switch self {
        case .minute: "1m"
        case .fiveMinutes: "5m"
        case .hour: "1h"
        case .day: "24h"
        }
    }
}
