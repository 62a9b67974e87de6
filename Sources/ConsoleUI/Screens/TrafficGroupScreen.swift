import Foundation
import Store

/// A Traffic row's page (`enter` on `:traffic`): the group's figures over the window, labelled with it, and its latency
/// histogram (``RequestLogStats/latencyBounds``, a 1-2-5 series from 250 µs to 60 s) with each bucket's share and the
/// cumulative share, so an operator sees where p95 sits and whether the slow calls are a tail or a second mode. It
/// follows the Traffic screen's figures as they are re-read.
enum TrafficGroupScreen: ConsoleScreen {
    static let kind = ScreenKind("trafficGroup")
    static let title = "Traffic"
    static let isTextPage = true

    /// The width of the longest bar.
    static let barWidth = 40

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        let t = Theme(s)
        let safe = { SafeText.escape($0, ascii: s.asciiOnly) }
        guard let group = page.route.value(as: String.self) else { return [] }
        let w = TrafficScreen.wanted(s)
        let f = s.data.screenData[TrafficScreen.figures] ?? nil
        guard let f, f.wanted == w else { return [.blank, StyledLine("  Reading the stored request log…", t.dim)] }
        guard let r = f.rows.first(where: { $0.group == group }) else {
            return [
                .blank, StyledLine([(" \(w.grouping.rawValue.uppercased())  ", t.sectionTitle), (safe(group), Style(bold: true))]),
                StyledLine("  No request in the last \(w.window.rawValue) (w changes the window on the Traffic list).", t.dim),
            ]
        }
        func ms(_ us: Int64) -> String { Format.latency(.microseconds(us), ascii: s.asciiOnly) }
        func share(_ n: Int) -> String { "\(Format.count(n)) (\(Format.percent(Double(n) / Double(max(r.calls, 1)))))" }
        var lines: [StyledLine] = [
            StyledLine([(" \(w.grouping.rawValue.uppercased())  ", t.sectionTitle), (safe(group), Style(bold: true))]),
            StyledLine("  last \(w.window.rawValue), from the stored request log", t.label),
            .blank,
            StyledLine([
                ("  Calls ", t.label), (Format.count(r.calls), Style(bold: true)), ("   client errors ", t.label), (share(r.clientErrors), .plain),
                ("   server errors ", t.label), (share(r.serverErrors), r.serverErrors > 0 ? t.crit : .plain),
                ("   refused ", t.label), (share(r.rejected), r.rejected > 0 ? t.warn : .plain),
            ]),
            StyledLine([
                ("  p50 ", t.label), (ms(r.p50), .plain), ("   p95 ", t.label), (ms(r.p95), Style(bold: true)), ("   p99 ", t.label),
                (ms(r.p99), .plain), ("   max ", t.label), (ms(r.max), .plain),
            ]),
        ]
        if r.refusedElsewhere > 0 {
            lines.append(StyledLine("  \(share(r.refusedElsewhere)) passed this policy and were refused by a later one", t.label))
        }
        lines += [.blank, StyledLine(" LATENCY", t.sectionTitle)]
        lines += histogram(r, s, t)
        return lines
    }

    /// One line per bucket from the first non-empty one to the last: `≤ 5.0 ms  1,204  ████  12.0%  93.1%`.
    static func histogram(_ r: RequestLogStats, _ s: ConsoleState, _ t: Theme) -> [StyledLine] {
        let counts = r.latencyBuckets
        guard let first = counts.firstIndex(where: { $0 > 0 }), let last = counts.lastIndex(where: { $0 > 0 }) else {
            return [StyledLine("  no latencies recorded", t.dim)]
        }
        let bounds = RequestLogStats.latencyBounds
        let total = max(1, counts.reduce(0, +))
        let peak = max(1, counts.max() ?? 1)
        let full = s.asciiOnly ? "#" : "█"
        var lines = [StyledLine("  BUCKET        CALLS  " + String(repeating: " ", count: barWidth) + "  SHARE  CUMULATIVE", t.label)]
        var cumulative = 0
        for i in first...last {
            cumulative += counts[i]
            let label =
                i < bounds.count
                ? "\(s.asciiOnly ? "<=" : "≤") \(Format.latency(.microseconds(bounds[i]), ascii: s.asciiOnly))"
                : "> \(Format.latency(.microseconds(bounds[bounds.count - 1]), ascii: s.asciiOnly))"
            // A non-empty bucket always shows at least one cell.
            let cells = counts[i] == 0 ? 0 : max(1, Int((Double(counts[i]) / Double(peak) * Double(barWidth)).rounded()))
            let containsP95 = cumulative - counts[i] < (total * 95 + 99) / 100 && cumulative >= (total * 95 + 99) / 100
            lines.append(
                StyledLine([
                    ("  " + TextFit.pad(label, to: 10), containsP95 ? Style(bold: true) : .plain),
                    (TextFit.pad(Format.count(counts[i]), to: 9, right: true) + "  ", .plain),
                    (TextFit.pad(String(repeating: full, count: cells), to: barWidth), containsP95 ? t.warn : t.accent),
                    (TextFit.pad(Format.percent(Double(counts[i]) / Double(total)), to: 7, right: true), .plain),
                    (TextFit.pad(Format.percent(Double(cumulative) / Double(total)), to: 12, right: true), t.label),
                    (containsP95 ? "  ← p95" : "", t.warn),
                ]))
        }
        return lines
    }

    /// `w` changes the window here too (the list's action).
    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        guard action == .trafficWindow else { return nil }
        let top = s.page.top
        let effects = TrafficScreen.perform(action, &s)
        s.page.top = top
        return effects
    }

    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.value(as: String.self) ?? "") }
}

extension Route {
    /// A Traffic group's page (a tool, server, client, principal, code or policy, in the Traffic screen's window).
    static func trafficGroup(_ group: String) -> Route { Route(TrafficGroupScreen.kind, group) }
}
