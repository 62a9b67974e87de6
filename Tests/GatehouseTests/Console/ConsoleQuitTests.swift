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
