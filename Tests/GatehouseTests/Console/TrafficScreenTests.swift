import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine
@testable import Store

/// The Traffic screen over a real store file: figures per tool over a window from the stored log, labelled with the
/// window, client mistakes apart from server-side failures and refusals; `w` changes the window, `b` the grouping.
@Suite("Console traffic screen")
@MainActor
struct TrafficScreenTests {
    @Test func figuresPerToolOverAWindow() async throws {
        let f = try ConsoleDriverTests.Fixture()
        let now = Date()
        func row(_ ago: TimeInterval, _ tool: String, _ outcome: String, status: Int = 200, server: Bool = false, latency: Int64 = 1000)
            -> RequestLogRecord.New
        {
            var r = RequestLogRecord.New(
                time: now.addingTimeInterval(-ago), server: "pets", client: "127.0.0.1", method: "tools/call", tool: tool, outcome: outcome,
                status: status, backendStatus: nil, latencyMicros: latency, bytesIn: 1, bytesOut: 1, error: nil)
            r.serverFailure = server
            return r
        }
        var rows: [RequestLogRecord.New] = []
        for i in 0..<8 { rows.append(row(10, "getPet", "ok", latency: 1000 * Int64(i + 1))) }
        rows += [row(20, "getPet", "tool_error"), row(20, "getPet", "tool_error", server: true), row(25, "getPet", "rejected", status: 429)]
        rows += [row(30, "listPets", "ok"), row(40, "listPets", "rpc_error", status: 500, server: true)]
        // Older than five minutes: only in the hour's figures.
        rows += (0..<5).map { _ in row(1200, "ancient", "ok") }
        try f.store.appendRequestLogs(rows)

        let driver = f.driver()
        await driver.refresh()
        for key in [Key.char(":")] + "traffic".map(Key.char) + [.enter] { await driver.send(.key(key)) }
        await driver.refresh()
        var screen = driver.screen.text
        #expect(screen.contains("last 5 min, by tool, from the stored request log"))
        let tools = TrafficScreen.rows(driver.state, driver.state.page)
        #expect(tools.map(\.group) == ["getPet", "listPets"])
        let getPet = try #require(tools.first)
        #expect(getPet.calls == 11, "\(getPet)")
        #expect(getPet.clientErrors == 1 && getPet.serverErrors == 1 && getPet.rejected == 1, "\(getPet)")
        #expect(screen.contains("CLIENT ERR") && screen.contains("SERVER ERR"))

        // w: 5 min → 1 h: the old calls appear.
        await driver.send(.key(.char("w")))
        await driver.refresh()
        screen = driver.screen.text
        #expect(screen.contains("last 1 h, by tool"))
        #expect(TrafficScreen.rows(driver.state, driver.state.page).map(\.group).contains("ancient"))
        // b: by server.
        await driver.send(.key(.char("b")))
        await driver.refresh()
        #expect(TrafficScreen.rows(driver.state, driver.state.page).map(\.group) == ["pets"])
        #expect(driver.screen.text.contains("by server"))
    }

    @Test func groupPageShowsTheLatencyHistogramAndPolicies() async throws {
        let f = try ConsoleDriverTests.Fixture()
        let now = Date()
        func row(_ latency: Int64, _ outcome: String = "ok", decisions: String? = nil) -> RequestLogRecord.New {
            RequestLogRecord.New(
                time: now.addingTimeInterval(-5), server: "pets", client: "127.0.0.1", method: "tools/call", tool: "getPet", outcome: outcome,
                status: outcome == "rejected" ? 429 : 200, backendStatus: nil, latencyMicros: latency, bytesIn: 1, bytesOut: 1, error: nil,
                decisions: decisions)
        }
        // 90 fast calls (about 0.4 ms), 10 slow ones (about 1.5 s): a second mode the percentiles alone hide.
        var rows = (0..<90).map { _ in row(400, decisions: "rate-limit-by-key@server:pets counted") }
        rows += (0..<10).map { _ in row(1_500_000, decisions: "rate-limit-by-key@server:pets counted") }
        rows.append(row(100, "rejected", decisions: "rate-limit-by-key@server:pets refused (retry after 2 s)"))
        try f.store.appendRequestLogs(rows)

        let driver = f.driver()
        await driver.refresh()
        for key in [Key.char(":")] + "traffic".map(Key.char) + [.enter] { await driver.send(.key(key)) }
        await driver.refresh()
        await driver.send(.key(.enter))
        #expect(driver.state.screen == TrafficGroupScreen.kind)
        let page = driver.screen.text
        #expect(page.contains("TOOL  getPet"))
        #expect(page.contains("last 5 min, from the stored request log"))
        let lines = page.split(separator: "\n").map(String.init)
        let fast = try #require(lines.first { $0.contains("≤ 0.50 ms") }, "\(page)")
        #expect(fast.contains("90") && fast.contains("89.1%"), "\(fast)")
        let slow = try #require(lines.first { $0.contains("≤ 2.00 s") }, "\(page)")
        #expect(slow.contains("10") && slow.contains("100.0%") && slow.contains("← p95"), "\(slow)")
        #expect(lines.contains { $0.contains("≤ 5.0 ms") }, "empty buckets between the modes are shown")
        #expect(!lines.contains { $0.contains("≤ 5.00 s") }, "buckets beyond the slowest call are not")

        // Esc, b until policy: one row for the rate limit, with its refusal.
        await driver.send(.key(.escape))
        for _ in 0..<5 { await driver.send(.key(.char("b"))) }
        await driver.refresh()
        #expect(driver.screen.text.contains("by policy"), "\(driver.screen.text)")
        let policies = TrafficScreen.rows(driver.state, driver.state.page)
        #expect(policies.map(\.group) == ["rate-limit-by-key@server:pets"])
        #expect(policies.first?.rejected == 1 && policies.first?.calls == 101)
    }
}
