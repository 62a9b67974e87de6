import Foundation
import GatewayEngine

@testable import ConsoleUI

/// A screen beyond `1`–`9`, written the way a new screen is: this one file, plus one line that registers it
/// (``ScreenRegistry/withAlerts`` in the tests; a line in ``ScreenRegistry/standard`` for a real one). It has a title,
/// a `:` command with an alias, data of its own sampled by a feed, filtered rows, a key of its own that changes its own
/// state and runs a change of its own through the executor (acknowledging, written to the log pane), a page drilled
/// into with Enter, and a renderer.
enum AlertsScreen: ListScreen {
    static let kind = ScreenKind("alerts")
    static let title = "Alerts"
    static let aliases = ["alert"]
    static let summary = "warnings and errors to act on"
    static let pages: [any ConsoleScreen.Type] = [AlertDetailScreen.self]
    static let bindings = [
        KeyBinding.open(on: [kind]),
        KeyBinding([.char("a")], "Acknowledge the alert", short: "Ack", acknowledge, group, on: [kind, AlertDetailScreen.kind], mutating: true),
    ]
    static let group = KeyBinding.Group("Alerts")
    static let acknowledge = ConsoleAction("acknowledgeAlert")

    /// What the feed samples: the engine's warnings and errors, newest first, at every sample.
    static let alerts = ScreenMemory.Key<[EngineEvent]>("alerts.events")
    static let feeds = [
        ConsoleFeed.screenData(alerts, [], refresh: .everySample) { sampler, _ in
            sampler.monitoring.recentEvents(limit: 100).filter { $0.level != .info }
        }
    ]
    /// What the operator acknowledged (the screen's own state).
    static let acknowledged = ScreenMemory.Key<Set<String>>("alerts.acknowledged")

    static func allRows(_ s: ConsoleState, _ page: Page) -> [EngineEvent] { s.data.screenData[alerts] ?? [] }
    static func searchTexts(_ e: EngineEvent) -> [String] { [e.level.rawValue, e.message] }
    static func key(_ e: EngineEvent) -> String { "\(e.time.timeIntervalSince1970)|\(e.message)" }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let e = selectedRow(s) { s.push(Route(AlertDetailScreen.kind, e)) }
        return []
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        guard action == acknowledge else { return nil }
        guard let e = selectedRow(s) ?? s.page.route.value(as: EngineEvent.self) else { return s.nothingSelected("alert") }
        s.memory[acknowledged, default: []].insert(key(e))
        return [.screenTask(acknowledging(e))]
    }

    /// The change acknowledging makes outside the console state: a line in the engine's log pane.
    static func acknowledging(_ e: EngineEvent) -> ScreenTask {
        ScreenTask("alerts.acknowledge", subject: key(e)) { executor in
            executor.report(.info, "alert acknowledged: \(e.message)")
            return "acknowledged: \(e.message)"
        }
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let s = ctx.state
        let done = s.memory[acknowledged] ?? []
        let rows = rows(s, s.page).map { e in
            [
                TableCell(Format.clock(e.time, s.timeZone), ctx.theme.label),
                TableCell(e.level.rawValue.uppercased(), ctx.theme.level(e.level.rawValue)),
                TableCell(done.contains(key(e)) ? "ack" : "new", done.contains(key(e)) ? ctx.theme.dim : ctx.theme.warn),
                TableCell(ctx.safe(e.message)),
            ]
        }
        let columns = [Column("TIME", 8), Column("LEVEL", 7), Column("STATE", 5), Column("MESSAGE", 30, flexible: true)]
        TableView(columns: columns, rows: rows, selected: s.page.selected, top: s.page.top, empty: "No alerts.")
            .draw(into: &buf, x: 0, y: y, width: ctx.width, height: height, theme: ctx.theme, ascii: ctx.ascii)
    }
}

/// One alert in full.
enum AlertDetailScreen: ConsoleScreen {
    static let kind = ScreenKind("alertDetail")
    static let title = "Alert"
    static let isTextPage = true

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        guard let e = page.route.value(as: EngineEvent.self) else { return [] }
        let t = Theme(monochrome: s.monochrome)
        return [StyledLine(" ALERT", t.sectionTitle)] + TextPageView.field("Message", s.safe(e.message), width: s.width, theme: t)
    }

    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.value(as: EngineEvent.self)?.level.rawValue ?? "alert") }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { AlertsScreen.perform(action, &s) }
}
