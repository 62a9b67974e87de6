import Foundation
import Testing

@testable import GatewayEngine

@Suite("Request monitor")
struct RequestMonitorTests {
    func record(_ n: Int, outcome: RequestRecord.Outcome = .ok) -> RequestRecord {
        RequestRecord(
            time: Date(), server: "pets", client: "127.0.0.1", transport: "streamable", method: "tools/call", tool: "t\(n)",
            outcome: outcome, status: 200, latency: .milliseconds(n), bytesIn: 1, bytesOut: 1)
    }

    @Test("a stalled log writer loses the oldest records, and every lost record is counted")
    func droppedRecordsAreCounted() {
        let monitor = RequestMonitor(ringCapacity: 5, pendingLogCapacity: 10)
        for n in 0..<25 { monitor.record(record(n)) }
        let pending = monitor.drainPendingLog()
        #expect(pending.count + monitor.snapshot().droppedLogRecords == 25)
        #expect(pending.last?.tool == "t24")
        #expect(monitor.recentRecords(limit: 10).map(\.tool) == ["t24", "t23", "t22", "t21", "t20"])
    }

    @Test("errors count towards the error rate of the window")
    func errorRate() {
        let monitor = RequestMonitor()
        let past = Date().addingTimeInterval(-2)
        for n in 0..<4 {
            var r = record(n, outcome: n == 0 ? .toolError : .ok)
            r.time = past
            monitor.record(r)
        }
        let stats = monitor.snapshot().total
        #expect(stats.requests == 4)
        #expect(stats.errorRate == 0.25)
        #expect(monitor.snapshot().servers["pets"]?.requests == 4)
    }
}
