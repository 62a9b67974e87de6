import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// Quitting: an attached console detaches at once (the engine keeps serving); the console embedding the engine asks
/// first while clients are connected, names how many, and says so in the footer.
@Suite("Console quit")
struct ConsoleQuitTests {
    typealias F = ConsoleFixture

    static func status(sessions: Int, streams: Int) -> EngineStatus {
        EngineStatus(mode: "console", startedAt: Date(), listen: "http://127.0.0.1:8080", database: "/tmp/g.db", sessions: sessions, streams: streams)
    }

    func state(_ link: EngineLink) -> ConsoleState {
        var data = F.data()
        data.engine = link
        return F.state(data: data)
    }

    func quits(_ effects: [ConsoleEffect]) -> Bool { effects.contains { if case .quit = $0 { true } else { false } } }

    @Test func embeddedWithoutClientsQuitsAtOnce() {
        var s = state(EngineLink(status: Self.status(sessions: 0, streams: 0)))
        #expect(quits(s.press(.char("q"))))
        #expect(!ConsoleRenderer.render(s).text.contains("Quit (stops"))
    }

    @Test func embeddedWithClientsAsksFirst() {
        var s = state(EngineLink(status: Self.status(sessions: 2, streams: 1)))
        #expect(ConsoleRenderer.render(s).text.contains("<q> Quit (stops 3 clients)"))
        #expect(!quits(s.press(.char("q"))))
        let dialog = ConsoleRenderer.render(s).text
        #expect(dialog.contains("Stop serving 3 clients?"))
        #expect(dialog.contains("2 MCP sessions, 1 listen stream"))
        #expect(dialog.contains("<y> Stop Serving"))
        // A second q (a paste, a fat finger) cancels rather than confirms.
        #expect(!quits(s.press(.char("q"))))
        #expect(!ConsoleRenderer.render(s).text.contains("Stop serving 3 clients?"))
        #expect(!quits(s.press(.ctrl("c"), .char("n"))))
        #expect(quits(s.press(.char("q"), .char("y"))))
    }

    @Test func colonQuitAsksToo() {
        var s = state(EngineLink(status: Self.status(sessions: 1, streams: 0)))
        for key in [Key.char(":"), .char("q"), .char("u"), .char("i"), .char("t"), .enter] { #expect(!quits(s.press(key))) }
        #expect(ConsoleRenderer.render(s).text.contains("Stop serving 1 client?"))
    }

    @Test func attachedDetachesAtOnce() {
        var s = state(EngineLink(attached: true, target: "/tmp/g.db-admin.sock", status: Self.status(sessions: 5, streams: 0)))
        let screen = ConsoleRenderer.render(s).text
        #expect(screen.contains("<q> Detach"))
        #expect(screen.contains("[ATTACHED pid \(ProcessInfo.processInfo.processIdentifier)]"))
        #expect(quits(s.press(.char("q"))))
    }

    @Test func attachedToAnEngineThatStoppedSaysSo() {
        let s = state(EngineLink(attached: true, target: "/tmp/g.db-admin.sock", status: nil, problem: "not answering (is it running?)"))
        #expect(ConsoleRenderer.render(s).text.contains("[ENGINE UNREACHABLE]"))
    }
}

/// The requests pane follows the newest request while the cursor is on the top row; moved off it, the cursor stays
/// on its request and a marker says following is paused until g.
@Suite("Console requests follow")
struct ConsoleFollowTests {
    typealias F = ConsoleFixture

    @Test func followsUntilTheCursorMovesThenSaysSo() {
        var s = F.state()
        s.press(.char("4"))
        let newest = s.data.records[0].sequence
        #expect(!ConsoleRenderer.render(s).text.contains("following paused"))
        // New records arrive: the cursor stays on the newest.
        var data = s.data
        data.records.insert(F.data().records[0], at: 0)
        data.records[0].sequence = newest + 1
        _ = s.handle(.data(data))
        #expect(s.page.selected == 0)
        #expect(RequestsScreen.selectedRow(s)?.sequence == newest + 1)
        // Off the top: the cursor keeps its request as more arrive, and the marker shows.
        s.press(.down)
        let held = RequestsScreen.selectedRow(s)?.sequence
        data.records.insert(data.records[0], at: 0)
        data.records[0].sequence = newest + 2
        _ = s.handle(.data(data))
        #expect(RequestsScreen.selectedRow(s)?.sequence == held)
        #expect(ConsoleRenderer.render(s).text.contains("following paused: g resumes"))
        // g: back on the newest, following again.
        s.press(.char("g"))
        #expect(RequestsScreen.selectedRow(s)?.sequence == newest + 2)
        #expect(!ConsoleRenderer.render(s).text.contains("following paused"))
    }

    @Test func aRowThatAgesOutIsSaidNotSilentlyReplaced() {
        var s = F.state()
        s.press(.char("4"), .end)
        var data = s.data
        data.records.removeLast()
        _ = s.handle(.data(data))
        #expect(s.page.selected == data.records.count - 1)
        #expect(ConsoleRenderer.render(s).text.contains("left the in-memory list"))
    }
}
