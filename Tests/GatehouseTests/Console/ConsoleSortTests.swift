import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// `>` and `<` sort a list by its columns (ascending, then descending, then the next column; back to the list's own
/// order after the last); the cursor, Enter and the header's position follow the sorted order.
@Suite("Console sorting")
struct ConsoleSortTests {
    typealias F = ConsoleFixture

    @Test func requestsSortByLatencyBothWays() {
        var s = F.state()
        s.press(.char("4"))
        // TIME ▲ TIME ▼ SERVER ▲ … LATENCY is the 8th column: 15 steps to ascending, 16 to descending.
        for _ in 0..<15 { s.press(.char(">")) }
        #expect(s.sortLabel == "LATENCY ▲")
        var rows = s.recordRows(s.page)
        #expect(rows.map(\.latency) == rows.map(\.latency).sorted())
        s.press(.char(">"))
        #expect(s.sortLabel == "LATENCY ▼")
        rows = s.recordRows(s.page)
        #expect(rows.map(\.latency) == rows.map(\.latency).sorted(by: >))
        #expect(ConsoleRenderer.render(s).text.contains("sort: LATENCY ▼"))
        // Enter opens the slowest request: the row under the cursor in the sorted order.
        s.press(.enter)
        #expect(s.page.route.value(as: RequestRecord.self)?.latency == rows.map(\.latency).max())
        s.press(.escape, .char(">"))
        #expect(s.sortLabel == nil, "after the last column the list is back in its own order")
        s.press(.char("<"))
        #expect(s.sortLabel == "LATENCY ▼")
    }

    @Test func serversSortByTheirLiveTraffic() {
        var s = F.state()
        s.press(.char("3"))
        while s.sortLabel != "REQ/S ▼" { s.press(.char(">")) }
        let rates = s.serverRows(s.page).map { s.data.monitor.servers[$0.name]?.requestsPerSecond ?? -1 }
        #expect(rates == rates.sorted(by: >))
        #expect(s.serverRows(s.page).count == s.data.servers.count)
    }

    @Test func aPageWithoutColumnsSaysSo() {
        var s = F.state()
        // The dashboard's server list is a summary with no sort columns.
        s.press(.char(">"))
        #expect(s.sortLabel == nil)
        #expect(ConsoleRenderer.render(s).text.contains("no sortable columns"))
    }
}
