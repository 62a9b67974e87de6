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

/// A server's health counts server-side failures only: clients sending invalid arguments or calling unknown tools
/// are shown, but a healthy server does not turn CRIT because of them.
@Suite("Console health")
struct ConsoleHealthTests {
    @Test func clientMistakesNeverMakeAServerCritical() {
        let clientsOnly = TrafficStats(requestsPerSecond: 5, errorRate: 0.5, p95: .milliseconds(20), requests: 100, serverErrors: 0)
        #expect(Severity.health(clientsOnly, enabled: true) == .ok)
        #expect(clientsOnly.clientErrors == 50)
        let failing = TrafficStats(requestsPerSecond: 5, errorRate: 0.5, p95: .milliseconds(20), requests: 100, serverErrors: 30)
        #expect(Severity.health(failing, enabled: true) == .crit)
        #expect(failing.clientErrors == 20 && failing.serverErrorRate == 0.3)
    }
}

/// `y` copies what is selected through OSC 52: a server's endpoint URL, a request's id or masked arguments.
@Suite("Console copy")
struct ConsoleCopyTests {
    typealias F = ConsoleFixture

    func copied(_ effects: [ConsoleEffect]) -> String? {
        effects.compactMap { if case .copy(let text) = $0 { text } else { nil } }.first
    }

    @Test func copiesTheEndpointURLTheRequestIdAndTheArguments() throws {
        var s = F.state()
        s.press(.char("3"))
        #expect(copied(s.press(.char("y"))) == "http://127.0.0.1:8080/pets/mcp")
        #expect(ConsoleRenderer.render(s).text.contains("copied the endpoint URL to the clipboard"))
        s.press(.char("4"))
        let first = s.recordRows(s.page)[0]
        #expect(copied(s.press(.char("y"))) == "#\(first.sequence)")
        s.press(.enter)
        let args = try #require(first.arguments)
        #expect(copied(s.press(.char("y"))) == ConsoleDataSampler.prettyJSON(args))
        s.press(.escape, .char("5"))
        #expect(copied(s.press(.char("y"))) == nil)
        #expect(ConsoleRenderer.render(s).text.contains("nothing to copy here"))
    }

    @Test func theSequenceIsOSC52() {
        #expect(OSC52.sequence("hi") == "\u{1B}]52;c;aGk=\u{07}")
    }
}
