import ConsoleUI
import Foundation
import Prometheus
import Synchronization
import Testing

@testable import GatewayEngine

/// Issue #13: a limit that bites is visible in `/metrics`, in the console's dashboard and in its event log — and an
/// attack that makes it bite thousands of times cannot flood that log.
@Suite("Hardening: limits are visible when they bite")
struct LimitVisibilityTests {
    @Test("every limit's counter exists at zero; a bite counts it and warns once per interval, naming the flag")
    func tallyCountsAndThrottles() {
        let registry = PrometheusCollectorRegistry()
        let clock = Mutex(ContinuousClock.now)
        let tally = LimitTally(factory: PrometheusMetricsFactory(registry: registry), eventInterval: .seconds(10)) { clock.withLock { $0 } }
        var text: [UInt8] = []
        registry.emit(into: &text)
        let before = String(decoding: text, as: UTF8.self)
        #expect(before.contains(#"gatehouse_connection_limit_total{reason="header_timeout"} 0"#))
        #expect(before.contains(#"gatehouse_session_limit_total{reason="table_full"} 0"#))
        #expect(before.contains(#"gatehouse_backend_limit_total{limit="upstream_tool"} 0"#))
        #expect(before.contains(#"gatehouse_stream_overflow_total{transport="sse"} 0"#))

        let first = tally.hit(.connection, "header_timeout")
        #expect(first?.contains("--header-timeout") == true, "\(first ?? "no warning")")
        #expect(first?.contains("1 since start") == true)
        // 999 more bites within the interval: counted, not announced.
        #expect((0..<999).compactMap { _ in tally.hit(.connection, "header_timeout") }.isEmpty)
        // Another limit has its own interval.
        #expect(tally.hit(.streamOverflow, "sse") != nil)
        clock.withLock { $0 += .seconds(10) }
        #expect(tally.hit(.connection, "header_timeout")?.contains("1001 since start") == true)
        // Routine expiries are counted in /metrics only.
        #expect(tally.hit(.session, "expired_unused", count: 5) == nil)
        #expect(tally.hit(.session, "no_such_reason") == nil)

        #expect(tally.totals() == ["connection/header_timeout": 1001, "streamOverflow/sse": 1])
        text = []
        registry.emit(into: &text)
        let after = String(decoding: text, as: UTF8.self)
        #expect(after.contains(#"gatehouse_connection_limit_total{reason="header_timeout"} 1001"#))
        #expect(after.contains(#"gatehouse_session_limit_total{reason="expired_unused"} 5"#))
    }

    @Test("the dashboard's Total line lists the limits that bit, most frequent first")
    func dashboardShowsLimits() {
        var data = ConsoleFixture.data()
        data.monitor.limitHits = ["connection/header_timeout": 3, "connection/streams_client_address": 12]
        let frame = ConsoleRenderer.render(ConsoleFixture.state(width: 160, data: data))
        let line = frame.text.split(separator: "\n").first { $0.contains("requests since start") }.map(String.init) ?? ""
        #expect(line.contains("limits hit: connection/streams_client_address 12, connection/header_timeout 3"), "\(line)")
        let quiet = ConsoleRenderer.render(ConsoleFixture.state()).text
        #expect(!quiet.contains("limits hit"))
    }

    @Test("a stream refused at its address's cap shows in the monitor's snapshot and event log")
    func engineReportsABite() async throws {
        let g = try await TestGateway.start { $0.connectionLimits.streamsPerClientAddress = 1 }
        defer { g.stop() }
        func openStream() async throws -> (RawConnection, String) {
            let c = try RawConnection(port: g.port, from: "127.0.0.1")
            c.send("GET /pets/sse HTTP/1.1\r\nHost: 127.0.0.1:\(g.port)\r\nAccept: text/event-stream\r\n\r\n")
            return (c, await c.read(until: "\r\n\r\n").text)
        }
        let held = try await openStream()
        #expect(held.1.hasPrefix("HTTP/1.1 200"))
        for _ in 0..<3 { #expect(try await openStream().1.hasPrefix("HTTP/1.1 429")) }
        let monitor = g.gateway.monitor
        #expect(monitor.snapshot().limitHits == ["connection/streams_client_address": 3])
        let warnings = monitor.recentEvents(limit: 50).filter { $0.message.contains("--max-streams-per-client") }
        #expect(warnings.count == 1 && warnings[0].level == .warning, "\(warnings)")
        _ = held
    }
}

/// Issue #13 (low): memory goes back to the system after a peak, and only after one.
@Suite("Hardening: memory after a peak")
struct MemoryTrimTests {
    @Test("the first look sets the floor; a trim only after the resident size grew by the threshold; the floor follows")
    func policy() {
        var p = MemoryTrimmer.Policy(interval: .seconds(30), growth: 64 << 20)
        let looks = [100, 150, 170].map { p.shouldTrim(rss: $0 << 20) }
        #expect(looks == [false, false, true], "the first look only sets the floor; 70 MiB above it trims")
        p.trimmed(to: 120 << 20)
        let later = [180, 90, 160].map { p.shouldTrim(rss: $0 << 20) }
        #expect(later == [false, false, true], "a smaller size lowers the floor, and growth counts from there")
    }

    @Test("freed heap pages that glibc keeps after a burst go back to the system on a trim")
    func trimReturnsMemory() throws {
        let before = try #require(MemoryTrimmer.residentBytes())
        // 2048 blocks of 64 KiB (below glibc's mmap threshold, so on the heap); every other one stays allocated,
        // so the freed ones cannot merge into the heap's top and be returned by free itself — as after a burst of
        // large requests among longer-lived state. Their pages stay resident until a trim.
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<2048 {
            let p = try #require(malloc(64 << 10))
            memset(p, 1, 64 << 10)
            blocks.append(p)
        }
        let kept = blocks.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        defer { for p in kept { free(p) } }
        for (i, p) in blocks.enumerated() where i % 2 == 0 { free(p) }
        let afterFree = try #require(MemoryTrimmer.residentBytes())
        MemoryTrimmer.trim()
        let afterTrim = try #require(MemoryTrimmer.residentBytes())
        #expect(afterFree - before > 32 << 20, "freeing gave the pages back by itself (\(before >> 20) → \(afterFree >> 20) MiB)")
        #expect(afterFree - afterTrim > 32 << 20, "the trim gave back too little (\(afterFree >> 20) → \(afterTrim >> 20) MiB)")
    }
}
