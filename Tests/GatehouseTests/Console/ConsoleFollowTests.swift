import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

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
