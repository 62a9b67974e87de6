import Foundation
import Testing

@testable import GatewayEngine

/// Issue #13 item 7: a slow backend can neither outlast the call's deadline nor take the neighbours of its tool down.
@Suite("Hardening: slow backends", .serialized)
struct SlowBackendTests {
    static let spec =
        testSpec + """

              /drip:
                get:
                  operationId: drip
                  responses: {"200": {description: ok}}
              /hang:
                get:
                  operationId: hang
                  responses: {"200": {description: ok}}
              /moved:
                get:
                  operationId: moved
                  responses: {"200": {description: ok}}
              /stream/{kib}:
                get:
                  operationId: stream
                  parameters: [{name: kib, in: path, required: true, schema: {type: integer}}]
                  responses: {"200": {description: ok}}
            """

    static func call(_ g: TestGateway, _ sid: String, _ tool: String, _ arguments: String = "{}", id: Int = 9) async throws -> JSONValue? {
        try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#,
            headers: ["mcp-session-id": sid]
        ).json?["result"]
    }

    @Test("a backend dripping its answer is cut off at the call's deadline, not left to run")
    func drip() async throws {
        let g = try await TestGateway.start(spec: Self.spec) { $0.backend.timeout = .seconds(1) }
        defer { g.stop() }
        let sid = try await initialize(g)
        let started = ContinuousClock.now
        let result = try #require(try await Self.call(g, sid, "drip"))
        #expect(result["isError"] == .bool(true))
        #expect(
            result["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("backend did not finish its answer in time") == true, "\(result)")
        // The drip would go on for 100 s (100,000 bytes at 20 a second): the deadline ended it.
        #expect(ContinuousClock.now - started < .seconds(8))
        try await UnboundedNamesTests.wellBehavedClient(g)
    }

    @Test("one tool's hung calls hold at most its own limit: a further call of it is refused clearly, its neighbours still answer")
    func perToolLimit() async throws {
        let g = try await TestGateway.start(spec: Self.spec) {
            $0.backend.concurrency.perTool = 2
            $0.backend.concurrency.queueTimeout = .milliseconds(200)
        }
        defer { g.stop() }
        let sid = try await initialize(g)
        let hung = Task {
            try await withThrowingTaskGroup(of: JSONValue?.self) { group in
                for i in 0..<2 { group.addTask { try await Self.call(g, sid, "hang", id: 20 + i) } }
                var results: [JSONValue?] = []
                for try await r in group { results.append(r) }
                return results
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while g.backend.hangingCount < 2 {
            #expect(ContinuousClock.now < deadline, "the two calls never reached the backend")
            if ContinuousClock.now >= deadline { break }
            await Task.yield()
        }
        let refused = try #require(try await Self.call(g, sid, "hang", id: 30))
        #expect(refused["isError"] == .bool(true))
        #expect(
            refused["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("too many calls of this tool in flight (2)") == true, "\(refused)")
        #expect(g.backend.hangingCount == 2, "the refused call reached the backend")
        // The neighbours of the slow tool still answer.
        try await UnboundedNamesTests.wellBehavedClient(g)
        let metrics = try await send("http://127.0.0.1:\(g.port)/metrics", method: "GET", json: false)
        #expect(metrics.body.contains(#"gatehouse_backend_limit_total{limit="tool"} 1"#), "\(metrics.body.prefix(300))")
        g.backend.releaseHanging()
        let results = try await hung.value
        let answered = results.filter { r in
            r.map { $0["isError"] == nil && $0["content"]?.arrayValue?.first?["text"] == .string(#"{"done":true}"#) } ?? false
        }
        #expect(answered.count == 2, "\(results)")
    }

    @Test("a call over the limit waits for a slot and runs when one frees within the queue timeout")
    func waitsForASlot() async throws {
        let g = try await TestGateway.start(spec: Self.spec) {
            $0.backend.concurrency.perTool = 1
            $0.backend.concurrency.queueTimeout = .seconds(30)
        }
        defer { g.stop() }
        let sid = try await initialize(g)
        let first = Task { try await Self.call(g, sid, "hang", id: 40) }
        let second = Task { try await Self.call(g, sid, "hang", id: 41) }
        let deadline = ContinuousClock.now + .seconds(10)
        while g.backend.hangingCount < 1 || g.gateway.backend.concurrency.waiting < 1 {
            if ContinuousClock.now >= deadline { break }
            await Task.yield()
        }
        #expect(g.backend.hangingCount == 1 && g.gateway.backend.concurrency.waiting == 1)
        g.backend.releaseHanging()
        for task in [first, second] {
            let r = try await task.value
            #expect(r?["content"]?.arrayValue?.first?["text"] == .string(#"{"done":true}"#), "\(String(describing: r))")
        }
        #expect(g.backend.hitCount == 2)
    }

    @Test("answers buffered at once are bounded gateway-wide: past the budget a call fails clearly, and the budget is given back")
    func bufferBudget() async throws {
        let g = try await TestGateway.start(spec: Self.spec) { $0.backendBufferBudget = 16 }
        defer { g.stop() }
        let sid = try await initialize(g)
        // {"id":3,"name":"pet3"} is 22 bytes: past a 16-byte budget.
        let refused = try #require(try await Self.call(g, sid, "getPetById", #"{"petId":3}"#))
        #expect(refused["isError"] == .bool(true))
        #expect(refused["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("buffer budget") == true, "\(refused)")
        let echo = try #require(try await Self.call(g, sid, "echo", #"{"value":"a"}"#))
        #expect(echo["isError"] == .bool(true), "the echo answer is over 16 bytes too")
        #expect(g.gateway.backend.budget.inUse == 0)
        let metrics = try await send("http://127.0.0.1:\(g.port)/metrics", method: "GET", json: false)
        #expect(metrics.body.contains(#"gatehouse_backend_limit_total{limit="buffer"} 2"#))

        let roomy = try await TestGateway.start(spec: Self.spec) { $0.backendBufferBudget = 64 }
        defer { roomy.stop() }
        try await UnboundedNamesTests.wellBehavedClient(roomy)
        #expect(roomy.gateway.backend.budget.inUse == 0)
    }

    @Test("an answer over the size cap is refused, announced (Content-Length) or streamed (chunked), and its bytes leave the budget")
    func sizeCap() async throws {
        let g = try await TestGateway.start(spec: Self.spec) { $0.backend.maxResponseBytes = 3000 }
        defer { g.stop() }
        let sid = try await initialize(g)
        func text(_ r: JSONValue?) -> String { r?["content"]?.arrayValue?.first?["text"]?.stringValue ?? "" }
        // The drip announces 100,000 bytes: refused at its head, without waiting for the drip.
        let announced = try #require(try await Self.call(g, sid, "drip"))
        #expect(announced["isError"] == .bool(true))
        #expect(text(announced).contains("backend response of 100000 bytes exceeds the 3000-byte limit"), "\(announced)")
        // 4 KiB in 1 KiB chunks, no length: refused once the chunks pass the cap.
        let streamed = try #require(try await Self.call(g, sid, "stream", #"{"kib":4}"#))
        #expect(streamed["isError"] == .bool(true))
        #expect(text(streamed).contains("backend response exceeds the 3000-byte limit"), "\(streamed)")
        // 2 KiB in chunks fits: the chunks arrive whole and in order.
        let fits = try #require(try await Self.call(g, sid, "stream", #"{"kib":2}"#))
        #expect(fits["isError"] != .bool(true), "\(fits)")
        #expect(text(fits) == #"{"data":""# + String(repeating: "x", count: 2048) + #""}"#)
        #expect(g.gateway.backend.budget.inUse == 0)
    }

    @Test("a backend's redirect is answered as what it is, never followed (it could lead anywhere the SSRF guard did not check)")
    func redirectNotFollowed() async throws {
        let g = try await TestGateway.start(spec: Self.spec)
        defer { g.stop() }
        let sid = try await initialize(g)
        let result = try #require(try await Self.call(g, sid, "moved"))
        #expect(result["isError"] == .bool(true))
        #expect(result["content"]?.arrayValue?.first?["text"]?.stringValue == "Backend returned HTTP 302 Found: moved", "\(result)")
        #expect(g.backend.hitCount == 1)
    }

    @Test("the limiter's state: tool and API limits, slots handed to waiters in order, a waiter that gives up leaves")
    func state() {
        var limits = CallConcurrency.Limits()
        limits.perAPI = 3
        limits.perTool = 2
        var s = CallConcurrency.State(limits: limits)
        let first = s.tryStart(api: "a", tool: "slow")
        let second = s.tryStart(api: "a", tool: "slow")
        #expect(first && second)
        let third = s.tryStart(api: "a", tool: "slow")
        #expect(!third && s.blocked(api: "a", tool: "slow") == .tool)
        let fast = s.tryStart(api: "a", tool: "fast")
        #expect(fast)
        #expect(s.blocked(api: "a", tool: "other") == .api)
        let otherAPI = s.tryStart(api: "b", tool: "slow")
        #expect(otherAPI, "another API is not limited by this one")
        s.waiters = [.init(id: 1, api: "a", tool: "slow"), .init(id: 2, api: "a", tool: "other"), .init(id: 3, api: "a", tool: "x")]
        // A slow call ends: the first waiter that fits (tool slow, now 1 of 2) starts; the API is full again.
        let afterSlow = s.finish(api: "a", tool: "slow")
        #expect(afterSlow == [1])
        let gaveUp = s.abandon(2)
        let again = s.abandon(2)
        #expect(gaveUp && !again)
        let afterFast = s.finish(api: "a", tool: "fast")
        #expect(afterFast == [3])
        #expect(s.waiters.isEmpty)
    }
}
