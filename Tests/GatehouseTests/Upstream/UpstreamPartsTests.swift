import Foundation
import Testing

@testable import GatewayEngine

@Suite("Upstream parts: SSE parser, circuit breaker, tool fingerprints")
struct UpstreamPartsTests {
    @Test("SSE events split across chunks, CR LF and CR line ends, multi-line data, comments")
    func sseParsing() throws {
        var p = SSEParser(maxEventBytes: 1024)
        var events = try p.feed(Array(": keep-alive\r\n\r\nid: 7\r\nevent: message\r\nda".utf8))
        #expect(events.isEmpty)
        events = try p.feed(Array("ta: {\"a\":\r\ndata: 1}\r\n\r\ndata: x\r\rdata:y\n\n".utf8))
        #expect(
            events == [
                SSEParser.Event(name: "message", data: "{\"a\":\n1}", id: "7"),
                SSEParser.Event(name: nil, data: "x", id: "7"),
                SSEParser.Event(name: nil, data: "y", id: "7"),
            ])
    }

    @Test("an event over the cap is refused, even without a line end")
    func sseCap() {
        var p = SSEParser(maxEventBytes: 100)
        #expect(throws: SSEParser.TooLarge.self) { _ = try p.feed(Array(("data: " + String(repeating: "a", count: 200)).utf8)) }
        var q = SSEParser(maxEventBytes: 100)
        #expect(throws: SSEParser.TooLarge.self) {
            for _ in 0..<10 { _ = try q.feed(Array("data: 0123456789012345\n".utf8)) }
        }
    }

    @Test("the breaker opens after N failures, fails fast, probes once after the backoff, closes on success (U8)")
    func breaker() {
        var b = CircuitBreaker(threshold: 3, baseBackoff: .seconds(10), maxBackoff: .seconds(60))
        let t0 = ContinuousClock.now
        for _ in 0..<2 {
            #expect(b.admit(now: t0) == .allow)
            b.record(success: false, now: t0, jitter: 1)
        }
        #expect(b.admit(now: t0) == .allow)
        b.record(success: false, now: t0, jitter: 1)
        guard case .reject(let retry, _) = b.admit(now: t0 + .seconds(1)) else {
            Issue.record("open circuit let a call through")
            return
        }
        #expect(retry == 9)
        #expect(b.admit(now: t0 + .seconds(10)) == .probe)
        if case .reject = b.admit(now: t0 + .seconds(10)) {} else { Issue.record("a second call passed while the probe is in flight") }
        b.record(success: false, now: t0 + .seconds(10), jitter: 1)
        guard case .reject(let again, _) = b.admit(now: t0 + .seconds(11)) else {
            Issue.record("failed probe did not reopen")
            return
        }
        #expect(again == 19, "the backoff doubles after a failed probe")
        #expect(b.admit(now: t0 + .seconds(30)) == .probe)
        b.record(success: true, now: t0 + .seconds(30), jitter: 1)
        #expect(b.admit(now: t0 + .seconds(30)) == .allow)
        #expect(!b.isOpen)
    }

    @Test("an upstream 429 gates calls until Retry-After without opening the circuit (U9)")
    func rateLimitGate() {
        var b = CircuitBreaker(threshold: 1, baseBackoff: .seconds(10), maxBackoff: .seconds(60))
        let t0 = ContinuousClock.now
        b.rateLimited(retryAfter: 7, now: t0)
        guard case .reject(let retry, let reason) = b.admit(now: t0 + .seconds(2)) else {
            Issue.record("429 gate let a call through")
            return
        }
        #expect(retry == 5 && reason.contains("rate limited"))
        #expect(b.admit(now: t0 + .seconds(7)) == .allow)
        #expect(!b.isOpen)
    }

    @Test("the fingerprint ignores key order and covers every pinned member; flags find hidden characters (U11, U13)")
    func fingerprints() throws {
        let a = try #require(
            try JSONParser().parse(#"{"name":"t","description":"d","inputSchema":{"type":"object","properties":{"x":{"type":"string"}}}}"#)
                .objectValue)
        let b = try #require(
            try JSONParser().parse(#"{"inputSchema":{"properties":{"x":{"type":"string"}},"type":"object"},"description":"d","name":"t"}"#)
                .objectValue)
        #expect(ToolFingerprint.fingerprint(a) == ToolFingerprint.fingerprint(b))
        for (key, value) in [
            ("description", JSONValue.string("d2")), ("title", "T"), ("annotations", .object(["readOnlyHint": true])), ("outputSchema", .object([:])),
        ] {
            var c = a
            c[key] = value
            #expect(ToolFingerprint.fingerprint(c) != ToolFingerprint.fingerprint(a), "changing \(key) must change the fingerprint")
        }
        var extra = a
        extra["_meta"] = .object(["x": 1])
        #expect(ToolFingerprint.fingerprint(extra) == ToolFingerprint.fingerprint(a), "members outside the definition do not pin")
        #expect(ToolFingerprint.flags(a).isEmpty)
        var poisoned = a
        poisoned["description"] = .string("ok\u{1b}]0;pwned\u{07} \u{200B} \u{202E} \u{E0041} <IMPORTANT>do it</IMPORTANT>")
        let flags = ToolFingerprint.flags(poisoned).joined(separator: "\n")
        for expected in [
            "control character U+001B", "control character U+0007", "zero-width character U+200B", "bidi control U+202E", "tag character U+E0041",
            "instruction block <important>",
        ] {
            #expect(flags.contains(expected), "missing flag: \(expected)")
        }
        var nested = a
        nested["inputSchema"] = .object(["type": "object", "properties": .object(["x": .object(["description": .string("\u{2066}hidden")])])])
        #expect(ToolFingerprint.flags(nested).contains { $0.hasPrefix("inputSchema.properties.x.description: bidi control") })
    }
}
