import Foundation
import Logging
import Store
import Synchronization
import Testing

@testable import GatewayEngine

/// Issue #13 item 7, the upstream half: calls in flight to one upstream MCP server are bounded per upstream and per
/// tool, with a short wait and a clear `busy` error, so one hung tool cannot hold every call to its upstream and
/// other upstreams are never held by it.
@Suite("Hardening: upstream call limits")
struct UpstreamConcurrencyTests {
    /// Calls that hold their slot until the gate opens; `entered` yields once per call inside its slot.
    final class Gate: Sendable {
        let entered: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation
        private let waiting = Mutex<(open: Bool, held: [CheckedContinuation<Void, Never>])>((false, []))

        init() { (entered, continuation) = AsyncStream.makeStream() }

        func hold() async {
            continuation.yield()
            await withCheckedContinuation { c in
                let open = waiting.withLock { w in
                    if !w.open { w.held.append(c) }
                    return w.open
                }
                if open { c.resume() }
            }
        }

        func open() {
            let held = waiting.withLock { w in
                w.open = true
                defer { w.held = [] }
                return w.held
            }
            for c in held { c.resume() }
        }
    }

    @Test("past the per-tool and per-upstream limits a call waits 1 s, then fails `busy`; other tools and upstreams go on")
    func limits() async throws {
        let dir = TempDir()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        var configuration = UpstreamConfiguration()
        configuration.maxCallsPerUpstream = 3
        configuration.maxCallsPerUpstreamTool = 2
        let refusals = Mutex<[CallConcurrency.Refusal]>([])
        let hub = UpstreamHub(
            store: store, configuration: configuration, credentials: nil, logger: Logger(label: "test"),
            onLimit: { r in refusals.withLock { $0.append(r) } })
        let gate = Gate()
        let held = (0..<2).map { _ in
            Task { try await hub.guarded("slow", call: "hang") { () async throws(UpstreamError) in await gate.hold() } }
        }
        var entered = gate.entered.makeAsyncIterator()
        for _ in 0..<2 { await entered.next() }

        let started = ContinuousClock.now
        let error = await #expect(throws: UpstreamError.self) {
            try await hub.guarded("slow", call: "hang") { () async throws(UpstreamError) in }
        }
        #expect(error?.code == .busy)
        #expect(error?.message.contains("this tool") == true)
        #expect(ContinuousClock.now - started >= .seconds(1) && ContinuousClock.now - started < .seconds(5))
        // Another tool of the same upstream takes the upstream's last slot; then the upstream is full.
        let third = Task { try await hub.guarded("slow", call: "other") { () async throws(UpstreamError) in await gate.hold() } }
        await entered.next()
        let full = await #expect(throws: UpstreamError.self) {
            try await hub.guarded("slow", call: "fourth") { () async throws(UpstreamError) in }
        }
        #expect(full?.message.contains("this upstream") == true)
        // Another upstream is not held at all.
        try await hub.guarded("fast", call: "hang") { () async throws(UpstreamError) in }
        #expect(refusals.withLock { $0 } == [.tool, .api])
        gate.open()
        for task in held { try await task.value }
        try await third.value
        // Slots come back: the tool is callable again at once.
        try await hub.guarded("slow", call: "hang") { () async throws(UpstreamError) in }
        await hub.shutdown()
    }
}
