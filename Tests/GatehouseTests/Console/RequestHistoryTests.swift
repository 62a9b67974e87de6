import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine
@testable import Store

/// The requests pane's stored history, driven headless over a real store file: `H` reads the request log on disk
/// (not the few records in memory), `O` pages back until the oldest stored record, a log-language filter is applied
/// in SQL so it reaches a record far older than the in-memory ring, and `H` again goes back to live.
@Suite("Console requests: stored history")
@MainActor
struct RequestHistoryTests {
    @Test func pagesBackThroughTheStoredLogPastTheMemoryRing() async throws {
        let f = try ConsoleDriverTests.Fixture()
        let now = Date()
        // 650 stored records, the oldest one a call of a tool nobody has called since.
        var rows = [RequestLogRecord.New]()
        for i in 0..<650 {
            rows.append(
                RequestLogRecord.New(
                    time: now.addingTimeInterval(-Double(650 - i)), server: "pets", client: "127.0.0.1", method: "tools/call",
                    tool: i == 0 ? "ancientTool" : "getPet", outcome: i % 10 == 0 ? "tool_error" : "ok", status: 200, backendStatus: 200,
                    latencyMicros: 1000 + Int64(i), bytesIn: 10, bytesOut: 20, error: nil))
        }
        try f.store.appendRequestLogs(rows)
        // The engine's memory holds one recent record only.
        f.monitor.record(
            RequestRecord(
                time: now, server: "pets", client: "127.0.0.1", transport: "streamable", method: "tools/call", tool: "live", outcome: .ok,
                status: 200, latency: .milliseconds(1), bytesIn: 1, bytesOut: 1))
        let driver = f.driver()
        await driver.refresh()
        await driver.send(.key(.char("4")))
        #expect(driver.state.recordRows(driver.state.page).map(\.tool) == ["live"])

        await driver.send(.key(.char("H")))
        await driver.waitForIdle()
        var screen = driver.screen.text
        #expect(screen.contains("[HISTORY]") && screen.contains("STORED HISTORY: 200 loaded · O older · H live"))
        #expect(driver.state.recordRows(driver.state.page).count == 200)
        #expect(driver.state.recordRows(driver.state.page).first?.tool == "getPet")
        for _ in 0..<3 {
            await driver.send(.key(.char("O")))
            await driver.waitForIdle()
        }
        let all = driver.state.recordRows(driver.state.page)
        #expect(all.count == 650 && all.last?.tool == "ancientTool")
        #expect(Set(all.map(\.sequence)).count == 650, "pages never overlap")
        screen = driver.screen.text
        #expect(screen.contains("650 loaded, the oldest kept"))
        await driver.send(.key(.char("O")))
        #expect(driver.screen.text.contains("that is the oldest stored request"))

        // The log's filter, applied in SQL: the one old call at once.
        await driver.send(.key(.char("H")))
        await driver.waitForIdle()
        #expect(driver.state.recordRows(driver.state.page).map(\.tool) == ["live"])
        await driver.send(.key(.char("/")))
        for c in "tool:ancient*" { await driver.send(.key(.char(c))) }
        await driver.send(.key(.enter))
        await driver.send(.key(.char("H")))
        await driver.waitForIdle()
        #expect(driver.state.recordRows(driver.state.page).map(\.tool) == ["ancientTool"])
        await driver.send(.key(.enter))
        screen = driver.screen.text
        #expect(screen.contains("ancientTool") && screen.contains("not kept: the stored request log holds no arguments"))
    }
}
