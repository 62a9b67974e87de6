import Foundation
import GatewayEngine
import Store
import Testing

@testable import ConsoleUI

extension ScreenRegistry {
    /// The standard screens and one more: registering a new screen is this one line.
    static let withAlerts = ScreenRegistry(ScreenRegistry.standard.tops + [AlertsScreen.self])
}

/// Screens as units registered in a ``ScreenRegistry``: a tenth screen (``AlertsScreen``, defined in one test file)
/// reached by `:` and the screen menu but not by a digit or `Tab`, its feed sampled, and the registry's invariants
/// (tab order, one binding per key and screen, help).
@Suite("Console screens: registry, : commands and the screen menu")
struct ConsoleScreenRegistryTests {
    typealias F = ConsoleFixture
    let golden = ConsoleGoldenTests()

    /// The fixture's state over the standard screens plus the alerts screen, fed the fixture's warnings and errors.
    func state(readOnly: Bool = false) -> ConsoleState {
        var data = F.data()
        data.screenData[AlertsScreen.alerts] = F.events.filter { $0.level != .info }
        var s = ConsoleState(readOnly: readOnly, data: data, registry: .withAlerts)
        s.timeZone = TimeZone(identifier: "UTC")!
        return s
    }

    func text(_ s: ConsoleState) -> String { ConsoleRenderer.render(s).text }
    func crumbs(_ s: ConsoleState) -> [String] { HeaderView.breadcrumbs(RenderContext(s)) }

    // MARK: : commands

    @Test func aCommandReachesAScreenWithoutANumberKey() {
        var s = state()
        s.press(.char(":"))
        s.type("alerts")
        #expect(s.press(.enter) == [])
        #expect(s.screen == AlertsScreen.kind)
        #expect(crumbs(s) == ["Alerts"])
        let screen = text(s)
        #expect(screen.contains(" 1 Dash   2 APIs   3 Servers   4 Reqs   5 Logs   6 Policies   7 Subs   8 Creds   9 Ups  [Alerts]"))
        #expect(screen.contains("server weather: p95 latency above 500 ms"))
        #expect(!screen.contains("server billing disabled"), "info events are not alerts")
        // The alias, from another screen.
        s.press(.char("3"), .char(":"))
        s.type("alert")
        s.press(.enter)
        #expect(s.screen == AlertsScreen.kind)
        // Tab completion offers it like any screen.
        s.press(.char("1"), .char(":"))
        s.type("al")
        s.press(.tab)
        guard case .command(let c) = s.mode else {
            Issue.record("not in command mode")
            return
        }
        #expect(c.input.text == "alerts")
        s.press(.enter)
        #expect(s.screen == AlertsScreen.kind)
    }

    @Test func digitsAndTabStayOnTheNumberedScreens() {
        var s = state()
        var seen: [ScreenKind] = []
        for _ in 0..<9 {
            seen.append(s.screen)
            s.press(.tab)
        }
        #expect(seen == [.dashboard, .apis, .servers, .requests, .logs, .policies, .subscriptions, .credentials, .upstreams])
        #expect(s.screen == .dashboard, "tab wraps from 9 to 1 as before")
        for c in "0123456789" {
            s.press(.char(c))
            #expect(s.screen != AlertsScreen.kind, "\(c)")
        }
        // From the unnumbered screen, tab goes on to the numbered screen after it (wrapping), shift-tab to the one before.
        s.press(.char(":"))
        s.type("alerts")
        s.press(.enter, .tab)
        #expect(s.screen == .dashboard)
        s.press(.char(":"))
        s.type("alerts")
        s.press(.enter, .backTab)
        #expect(s.screen == .upstreams)
    }

    @Test func theNewScreenDrillsInKeepsItsStackAndHandlesItsKeys() throws {
        var s = state()
        s.press(.char(":"))
        s.type("alerts")
        s.press(.enter, .down)
        let alert = try #require(AlertsScreen.selectedRow(s))
        #expect(alert.message == "backend for inventory timed out after 10 s")
        #expect(s.press(.char("a")) == [.screenTask(AlertsScreen.acknowledging(alert))])
        #expect(text(s).contains("ack    backend for inventory"))
        #expect(text(s).contains("<enter> Open  <a> Ack  </> Filter  <?> Help  <q> Quit"))
        s.press(.enter)
        #expect(s.screen == AlertDetailScreen.kind)
        #expect(crumbs(s) == ["Alerts", "error"])
        #expect(text(s).contains("Message          backend for inventory timed out after 10 s"))
        // Its stack is kept while away, like a numbered screen's.
        s.press(.char("2"), .char(":"))
        s.type("alerts")
        s.press(.enter)
        #expect(s.screen == AlertDetailScreen.kind)
        s.press(.escape, .char("/"))
        s.type("p95")
        s.press(.enter)
        #expect(AlertsScreen.rows(s, s.page).map(\.message) == ["server weather: p95 latency above 500 ms"])
    }

    // MARK: The screen menu

    @Test func theMenuListsEveryScreenAndJumps() {
        var s = state()
        s.press(.char("3"), .char("m"))
        guard case .menu(let menu) = s.mode else {
            Issue.record("no menu")
            return
        }
        #expect(menu.selected == 2, "the cursor starts on the screen showing")
        let dialog = text(s)
        for top in ScreenRegistry.withAlerts.tops {
            #expect(dialog.contains(top.title) && dialog.contains(":" + top.command), "\(top.title)")
        }
        #expect(dialog.contains("<enter> Go"))
        // Keys go to the menu: q closes it rather than quitting.
        #expect(s.press(.char("q")) == [])
        #expect(s.mode == .normal && s.screen == .servers)
        s.press(.char("m"), .end, .enter)
        #expect(s.screen == AlertsScreen.kind)
        s.press(.char("m"), .char("6"))
        #expect(s.screen == .policies && s.mode == .normal)
        s.press(.char("m"), .up, .up, .enter)
        #expect(s.screen == .requests)
        s.press(.char("m"), .escape)
        #expect(s.screen == .requests && s.mode == .normal)
        // Choosing the screen showing returns to its root, like its number key.
        s.press(.enter)
        #expect(s.screen == .requestDetail)
        s.press(.char("m"), .enter)
        #expect(s.screen == .requests)
    }

    @Test func readOnlyRefusesTheNewScreensChange() {
        var s = state(readOnly: true)
        s.press(.char(":"))
        s.type("alerts")
        s.press(.enter)
        #expect(s.press(.char("a")) == [])
        #expect(s.flash?.message == "read-only mode: ack is disabled")
        #expect(!text(s).contains("<a> Ack"))
    }

    @Test func theMenuWorksInReadOnlyModeAndOnTheStandardScreens() {
        var s = F.state(readOnly: true)
        s.press(.char("m"), .down, .down, .enter)
        #expect(s.screen == .servers)
        #expect(s.flash == nil)
    }

    @Test func screenMenu() throws {
        var s = state()
        s.press(.char("5"), .char("m"), .down, .down)
        try golden.assertSnapshot(s, "screen-menu")
    }

    @Test func unnumberedScreen() throws {
        var s = state()
        s.press(.char(":"))
        s.type("alerts")
        s.press(.enter, .char("a"))
        try golden.assertSnapshot(s, "alerts")
    }

    // MARK: Help and the binding table

    @Test func helpDocumentsTheMenuAndTheScreensWithoutANumberKey() {
        func help(_ s: ConsoleState) -> String {
            var s = s
            s.press(.char("?"))
            var text = ""
            for _ in 0..<4 {
                text += self.text(s)
                s.press(.pageDown)
            }
            return text
        }
        let standard = help(F.state())
        #expect(standard.contains("SCREENS"))
        #expect(standard.contains("m           Menu of every screen (enter jumps)"))
        let more = help(state())
        #expect(more.contains(":alerts     Alerts: warnings and errors"))
        #expect(more.contains("Acknowledge the alert"))
        #expect(more.contains(":alerts"))
    }

    @Test func noKeyIsBoundTwiceOnOneScreen() {
        for registry in [ScreenRegistry.standard, .withAlerts] {
            for screen in registry.all {
                let bindings = registry.table.filter { registry.applies($0, to: screen.kind) }
                var seen: [Key: String] = [:]
                for b in bindings {
                    for key in b.keys {
                        #expect(seen[key] == nil, "\(screen.kind): \(key) is bound to \(seen[key] ?? "") and \(b.title)")
                        seen[key] = b.title
                    }
                }
            }
        }
    }

    @Test func bindingsNameRegisteredScreensOnly() {
        let registry = ScreenRegistry.withAlerts
        let kinds = Set(registry.all.map { $0.kind })
        for b in registry.table {
            if case .screens(let on) = b.scope {
                #expect(!on.isEmpty && on.isSubset(of: kinds), "\(b.title): \(on)")
            }
        }
        #expect(registry.numbered == ScreenRegistry.standard.numbered)
        #expect(
            registry.commands.map(\.name).prefix(12) == [
                "dashboard", "apis", "servers", "requests", "logs", "policies", "subscriptions", "credentials", "upstreams", "registry", "traffic",
                "alerts",
            ])
    }

    // MARK: The feed and the change, through the driver

    @Test func theSamplerReadsTheNewScreensFeed() throws {
        let dir = NSTemporaryDirectory() + "gatehouse-registry-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try GatewayStore(configuration: .init(path: dir + "/gatehouse.sqlite"))
        let monitor = RequestMonitor()
        monitor.event(.info, "imported API pets")
        monitor.event(.error, "backend for pets refused the connection")
        let sampler = ConsoleDataSampler(monitoring: monitor, store: store, registry: .withAlerts)
        #expect(
            sampler.feeds.map(\.id) == [
                "traffic", "configuration", "requests.history", "credentials", "upstreams", "registry.listing", "registry.live", "traffic.figures",
                "alerts.events",
            ])
        var s = ConsoleState(data: sampler.sample(), registry: .withAlerts)
        s.press(.char(":"))
        s.type("alerts")
        s.press(.enter)
        #expect(AlertsScreen.rows(s, s.page).map(\.message) == ["backend for pets refused the connection"])
        // Read at every sample: a new warning shows at the next refresh.
        monitor.event(.warning, "quota store slow")
        _ = s.handle(.data(sampler.sample()))
        #expect(AlertsScreen.rows(s, s.page).map(\.message) == ["quota store slow", "backend for pets refused the connection"])
        // The standard registry does not sample it.
        #expect(ConsoleDataSampler(monitoring: monitor, store: store).sample().screenData[AlertsScreen.alerts] == nil)
    }

    @Test @MainActor func theExecutorRunsTheNewScreensChange() async throws {
        let dir = NSTemporaryDirectory() + "gatehouse-registry-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try GatewayStore(configuration: .init(path: dir + "/gatehouse.sqlite"))
        let monitor = RequestMonitor()
        monitor.event(.error, "backend for pets refused the connection")
        let driver = ConsoleDriver(
            state: ConsoleState(registry: .withAlerts), sampler: ConsoleDataSampler(monitoring: monitor, store: store, registry: .withAlerts),
            executor: ConsoleEffectExecutor(store: store, readOnly: false, report: { monitor.event($0, $1) }),
            editSession: ConsoleEditSession(store: store, directory: dir))
        await driver.refresh()
        for key in [Key.char(":")] + "alerts".map({ Key.char($0) }) + [.enter, .char("a")] { await driver.send(.key(key)) }
        #expect(driver.state.flash?.message == "acknowledged: backend for pets refused the connection")
        #expect(monitor.recentEvents(limit: 5).map(\.message).contains("alert acknowledged: backend for pets refused the connection"))
        #expect(driver.screen.text.contains("ack    backend for pets refused the connection"))
        // Read-only, the executor refuses it too (the second line of defence).
        let refused = await ConsoleEffectExecutor(store: store, readOnly: true).execute(
            .screenTask(AlertsScreen.acknowledging(EngineEvent(level: .error, message: "x"))))
        #expect(refused?.succeeded == false)
    }
}
