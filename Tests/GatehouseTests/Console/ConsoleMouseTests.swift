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

    /// Every top list screen with the fixture's data: a click on each visible row selects that row, and the row the
    /// table then draws as selected (`›`) is the one clicked — the click's arithmetic matches each screen's layout.
    @Test func aClickSelectsTheRowDrawnWhereItLands() throws {
        var checked = 0
        for top in ConsoleFixture.state().registry.tops {
            var s = ConsoleFixture.state()
            _ = s.handle(.key(.char(":")))
            _ = s.type(top.command)
            _ = s.handle(.key(.enter))
            guard s.descriptor is any ListScreen.Type, s.screen == top.kind else { continue }
            let visible = min(s.rowCount(s.page), ConsoleLayout.viewport(s, s.page))
            for i in 0..<visible {
                let y = screenRow(s, i)
                _ = s.handle(.mouse(MouseEvent(.click, x: 30, y: y)))
                #expect(s.page.selected == i, "\(top.kind): row \(i)")
                let line = ConsoleRenderer.render(s).line(y)
                #expect(line.hasPrefix("›"), "\(top.kind): clicked row \(i) on screen row \(y), drawn there: \(line)")
                checked += 1
            }
        }
        #expect(checked > 20, "the fixture has rows on the list screens")
    }
}
