import Foundation
import NIOCore
import Testing

@testable import GatewayEngine

/// Issue #13 item 2: one client address cannot hold the gateway's connections or streams, a client that drips its
/// headers is cut off, streams that carry only keep-alives end, and new clients get in when the gateway is nearly
/// full. Each attack is measured beside a well-behaved client from another address (127.0.0.2).
@Suite("Hardening: connections and streams", .serialized)
struct ConnectionLimitTests {
    /// A whole MCP `initialize` over a fresh connection from `source`; the status line and body.
    static func initializeRaw(port: Int, from source: String) async throws -> String {
        let c = try RawConnection(port: port, from: source)
        c.send(
            "POST /pets/mcp HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\nContent-Length: \(initializeBody.utf8.count)\r\nConnection: close\r\n\r\n"
                + initializeBody)
        return await c.read().text
    }

    /// A `/metrics` figure, read from 127.0.0.2 (127.0.0.1 is the attacker's address in these tests).
    static func metric(_ g: TestGateway, _ reason: String) async throws -> Int? {
        let c = try RawConnection(port: g.port, from: "127.0.0.2")
        c.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:\(g.port)\r\nConnection: close\r\n\r\n")
        let prefix = #"gatehouse_connection_limit_total{reason="\#(reason)"} "#
        return await c.read().text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) }
    }

    @Test("idle connections past the per-address cap are closed at once; another address is served")
    func perAddressCap() async throws {
        let g = try await TestGateway.start { $0.connectionLimits.perClientAddress = 8 }
        defer { g.stop() }
        let attack = try (0..<9).map { _ in try RawConnection(port: g.port, from: "127.0.0.1") }
        let closed = await RawConnection.closed(among: attack, within: 5)
        #expect(closed.count == 1, "exactly the connection over the cap is closed (closed: \(closed))")
        #expect(try await RawConnection(port: g.port, from: "127.0.0.1").closedWithin(seconds: 5), "a tenth is refused too")
        #expect(try await Self.initializeRaw(port: g.port, from: "127.0.0.2").hasPrefix("HTTP/1.1 200"))
        #expect(try await Self.metric(g, "client_address") == 2)
        _ = attack
    }

    @Test("a client that drips its headers (slowloris) is cut off at the header timeout; others are served meanwhile")
    func slowloris() async throws {
        let g = try await TestGateway.start { $0.connectionLimits.headerTimeout = .seconds(1) }
        defer { g.stop() }
        let started = ContinuousClock.now
        let slow = try RawConnection(port: g.port, from: "127.0.0.1")
        slow.send("POST /pets/mcp HTTP/1.1\r\nHost: 127.0.0.1:\(g.port)\r\nX-Slow: a")
        #expect(try await Self.initializeRaw(port: g.port, from: "127.0.0.2").hasPrefix("HTTP/1.1 200"))
        #expect(await slow.closedWithin(seconds: 8), "the half-sent request held its connection")
        #expect(ContinuousClock.now - started < .seconds(8))
        // A connection that sends nothing at all is cut off the same way.
        #expect(try await RawConnection(port: g.port, from: "127.0.0.1").closedWithin(seconds: 8))
        #expect(try await Self.metric(g, "header_timeout") == 2)
        // A kept-alive connection whose next request starts and stalls is cut off too.
        let kept = try RawConnection(port: g.port, from: "127.0.0.1")
        kept.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(g.port)\r\n\r\n")
        #expect(await kept.read(until: "\r\n\r\n").text.hasPrefix("HTTP/1.1 200"))
        kept.send("GET /healthz HTTP/1.1\r\nHost: 1")
        #expect(await kept.closedWithin(seconds: 8))
    }

    @Test("open streams are capped per client address (429), other addresses still open theirs")
    func streamCap() async throws {
        let g = try await TestGateway.start { $0.connectionLimits.streamsPerClientAddress = 2 }
        defer { g.stop() }
        func openStream(from source: String) async throws -> (RawConnection, String) {
            let c = try RawConnection(port: g.port, from: source)
            c.send("GET /pets/sse HTTP/1.1\r\nHost: 127.0.0.1:\(g.port)\r\nAccept: text/event-stream\r\n\r\n")
            return (c, await c.read(until: "\r\n\r\n").text)
        }
        let first = try await openStream(from: "127.0.0.1")
        let second = try await openStream(from: "127.0.0.1")
        #expect(first.1.hasPrefix("HTTP/1.1 200") && second.1.hasPrefix("HTTP/1.1 200"))
        let third = try await openStream(from: "127.0.0.1")
        #expect(third.1.hasPrefix("HTTP/1.1 429"), "\(third.1)")
        let other = try await openStream(from: "127.0.0.2")
        #expect(other.1.hasPrefix("HTTP/1.1 200"))
        #expect(try await Self.metric(g, "streams_client_address") == 1)
    }

    @Test("a stream that carries only keep-alives ends after its idle lifetime, and its session with it")
    func streamIdleLifetime() async throws {
        let g = try await TestGateway.start {
            $0.connectionLimits.streamIdleLifetime = .milliseconds(300)
            $0.sseKeepAlive = .milliseconds(100)
        }
        defer { g.stop() }
        let c = try RawConnection(port: g.port, from: "127.0.0.1")
        c.send("GET /pets/sse HTTP/1.1\r\nHost: 127.0.0.1:\(g.port)\r\nAccept: text/event-stream\r\n\r\n")
        let head = await c.read(until: "\n\n").text
        #expect(head.hasPrefix("HTTP/1.1 200"))
        let ended = await c.read(until: "\r\n0\r\n\r\n")
        #expect(ended.text.hasSuffix("\r\n0\r\n\r\n") || ended.closed, "the stream never ended")
        #expect(ended.text.contains("keep-alive"))
        #expect(try await Self.metric(g, "stream_idle_lifetime") == 1)
        let sid = String(head[head.range(of: "sessionId=")!.upperBound...].prefix { $0.isHexDigit })
        let reply = try await send("http://127.0.0.1:\(g.port)/pets/messages?sessionId=\(sid)", body: initializeBody)
        #expect(reply.status == 404)
    }

    @Test("posts to /messages after the client closed its SSE stream are refused at once and reach no backend")
    func messagesAfterStreamClose() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let c = try RawConnection(port: g.port, from: "127.0.0.1")
        c.send("GET /pets/sse HTTP/1.1\r\nHost: 127.0.0.1:\(g.port)\r\nAccept: text/event-stream\r\n\r\n")
        let head = await c.read(until: "\n\n").text
        let sid = String(head[head.range(of: "sessionId=")!.upperBound...].prefix { $0.isHexDigit })
        let url = "http://127.0.0.1:\(g.port)/pets/messages?sessionId=\(sid)"
        #expect(try await send(url, body: initializeBody).status == 202, "the session works while its stream is open")
        c.hangUp()
        // The gateway learns of the close from the FIN, not from a keep-alive that fails later (15 s by default).
        let closed = ContinuousClock.now
        var status = 202
        while status != 404, ContinuousClock.now - closed < .seconds(2) {
            status = try await send(url, body: #"{"jsonrpc":"2.0","id":7,"method":"ping"}"#).status
        }
        #expect(status == 404, "posts were still accepted 2 s after the stream closed")
        let hits = g.backend.hitCount
        let call = try await send(
            url, body: #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"getPetById","arguments":{"petId":1}}}"#)
        #expect(call.status == 404)
        #expect(g.backend.hitCount == hits, "a call on the closed session reached the backend")
    }

    @Test("near the global cap an address holding its fair share gets no more; a new address still gets in")
    func fairShare() async throws {
        let g = try await TestGateway.start {
            $0.maxConnections = 16
            $0.connectionLimits.fairShare = 2
        }
        defer { g.stop() }
        // 14 of 16 (7/8) from one address are admitted; the next is over the fair share.
        var held = try (0..<14).map { _ in try RawConnection(port: g.port, from: "127.0.0.1") }
        held.append(try RawConnection(port: g.port, from: "127.0.0.1"))
        let closed = await RawConnection.closed(among: held, within: 5)
        #expect(closed.count == 1, "closed: \(closed)")
        #expect(try await Self.initializeRaw(port: g.port, from: "127.0.0.2").hasPrefix("HTTP/1.1 200"))
        #expect(try await Self.metric(g, "fair_share") == 1)
    }

    @Test("the timers: head due after the first byte, body after the head, nothing while answering")
    func timers() {
        var t = ConnectionTimers(headerTimeout: .seconds(10), bodyTimeout: .seconds(30))
        let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
        #expect(t.accepted(at: t0) == .arm(t0 + .seconds(10)))
        #expect(t.timerFired(at: t0 + .seconds(10)) == .close(.header))
        #expect(t.headRead(at: t0 + .seconds(1)) == .arm(t0 + .seconds(31)))
        #expect(t.timerFired(at: t0 + .seconds(10)) == .arm(t0 + .seconds(31)), "the deadline moved: re-arm")
        #expect(t.timerFired(at: t0 + .seconds(31)) == .close(.body))
        t.bodyEnded()
        #expect(t.timerFired(at: t0 + .seconds(3600)) == .none, "no deadline while the gateway answers")
        #expect(t.bytesRead(at: t0 + .seconds(40)) == .none, "pipelined bytes while answering")
        t.responseEnded()
        #expect(t.phase == .idle)
        #expect(t.bytesRead(at: t0 + .seconds(50)) == .arm(t0 + .seconds(60)))
    }

    @Test("address slots: capped per address, exempt addresses counted but never refused, the fair share near full")
    func slots() {
        let s = AddressSlots(perAddress: 2, fairShare: 1, nearlyFull: 3)
        #expect(s.acquire("a") == nil && s.acquire("a") == nil)
        #expect(s.acquire("a") == .clientAddress)
        #expect(s.acquire("p", exempt: true) == nil && s.acquire("p", exempt: true) == nil && s.acquire("p", exempt: true) == nil)
        #expect(s.acquire("b") == nil, "b holds none: admitted although the whole is nearly full")
        #expect(s.acquire("b") == .fairShare)
        s.release("a")
        #expect(s.held(by: "a").address == 1)
    }
}
