import Foundation
import Testing

@testable import ConsoleUI

/// The mouse does what keys do: the wheel moves three rows, a click selects a row or goes to a tab, a double click
/// opens; nothing while a dialog is up.
@Suite("Console: mouse")
struct ConsoleMouseTests {
    /// The screen row showing list row `i` (the table right below the screen's header lines).
    func screenRow(_ s: ConsoleState, _ i: Int) -> Int { ConsoleLayout.contentTop + s.descriptor.headerLines + 1 + i - s.page.top }

    @Test func clicksSelectAndDoubleClicksOpen() throws {
        var s = ConsoleFixture.state()
        s.press(.char("3"))
        let rows = s.serverRows(s.page)
        #expect(rows.count >= 2)
        let second = screenRow(s, 1)
        #expect(ConsoleRenderer.render(s).line(second).contains(rows[1].name), "the row on screen is the row clicked")
        _ = s.handle(.mouse(MouseEvent(.click, x: 10, y: second)))
        #expect(s.page.selected == 1 && s.screen == .servers)
        _ = s.handle(.mouse(MouseEvent(.doubleClick, x: 10, y: second)))
        #expect(s.screen == .serverDetail)
        #expect(s.page.route.value(as: String.self) == rows[1].name)
        // A click below the last row or on the column titles does nothing.
        s.press(.escape)
        let before = s.page.selected
        _ = s.handle(.mouse(MouseEvent(.click, x: 10, y: screenRow(s, rows.count + 2))))
        _ = s.handle(.mouse(MouseEvent(.click, x: 10, y: screenRow(s, -1))))
        #expect(s.page.selected == before)
    }

    @Test func theWheelMovesThreeRowsAndScrollsTextPages() throws {
        var s = ConsoleFixture.state()
        s.press(.char("4"))
        #expect(s.recordRows(s.page).count > 6)
        _ = s.handle(.mouse(MouseEvent(.wheelDown, x: 5, y: 10)))
        #expect(s.page.selected == 3)
        _ = s.handle(.mouse(MouseEvent(.wheelUp, x: 5, y: 10)))
        #expect(s.page.selected == 0)
        s.press(.char("?"))
        let textPage = s.descriptor.isTextPage
        #expect(textPage)
        _ = s.handle(.mouse(MouseEvent(.wheelDown, x: 5, y: 10)))
        #expect(s.page.selected == 3, "a text page scrolls")
    }

    @Test func aClickOnATabGoesToIt() throws {
        var s = ConsoleFixture.state()
        let spans = HeaderView.tabSpans(s)
        let logs = try #require(spans.first { $0.kind == .logs })
        _ = s.handle(.mouse(MouseEvent(.click, x: logs.columns.lowerBound + 2, y: HeaderView.tabRow)))
        #expect(s.screen == .logs)
        let rendered = ConsoleRenderer.render(s).line(HeaderView.tabRow)
        let now = try #require(HeaderView.tabSpans(s).first { $0.kind == .logs })
        let chars = Array(rendered)
        #expect(String(chars[now.columns]) == now.text, "the spans are where the header draws the tabs")
    }

    @Test func nothingHappensUnderADialog() throws {
        var s = ConsoleFixture.state()
        s.press(.char("3"), .char("D"))
        guard case .confirm = s.mode else {
            Issue.record("no confirmation: \(s.mode)")
            return
        }
        let effects = s.handle(.mouse(MouseEvent(.doubleClick, x: 10, y: screenRow(s, 1))))
        #expect(effects.isEmpty)
        _ = s.handle(.mouse(MouseEvent(.click, x: 3, y: HeaderView.tabRow)))
        if case .confirm = s.mode {} else { Issue.record("the dialog closed: \(s.mode)") }
        #expect(s.screen == .servers)
    }
}
