import Foundation
import NIOCore
import Synchronization
import Testing

@testable import GatewayEngine

#if canImport(Glibc)
    import Glibc
#endif

/// Issue #13 item 5: a legacy SSE client that never reads its stream holds a bounded amount of the gateway's memory;
/// at the bound its stream and session end, and other clients are served as before.
@Suite("Hardening: SSE clients that never read", .serialized)
struct StreamQueueTests {
    static let spec =
        testSpec + """

              /big/{kib}:
                get:
                  operationId: big
                  parameters:
                    - {name: kib, in: path, required: true, schema: {type: integer}}
                  responses: {"200": {description: ok}}
            """

    /// A raw TCP client: opens `/pets/sse` with a tiny receive buffer, reads up to the endpoint event, then never
    /// reads again.
    final class StalledSSEClient: Sendable {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var small: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let request = "GET /pets/sse HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
        }

        /// Reads until the endpoint event and returns its session id.
        func sessionID() throws -> String {
            var received = ""
            var buffer = [UInt8](repeating: 0, count: 1024)
            while !received.contains("sessionId=") || !received.hasSuffix("\n\n") {
                let n = recv(fd, &buffer, 1, 0)
                guard n > 0 else { throw POSIXError(.ETIMEDOUT) }
                received += String(decoding: buffer[0..<n], as: UTF8.self)
                if received.count > 8192 { throw POSIXError(.EMSGSIZE) }
            }
            let after = try #require(received.range(of: "sessionId=")).upperBound
            return String(received[after...].prefix { $0.isHexDigit })
        }

        deinit { close(fd) }
    }

    @Test("answers for a client that never reads are bounded: at the bound its stream and session end; others are served")
    func stalledClient() async throws {
        let g = try await TestGateway.start(spec: Self.spec) { $0.maxStreamQueueBytes = 512 * 1024 }
        defer { g.stop() }
        let client = try StalledSSEClient(port: g.port)
        let sid = try await RawConnection.offPool { Result { try client.sessionID() } }.get()
        let messages = "http://127.0.0.1:\(g.port)/pets/messages?sessionId=\(sid)"
        _ = try await send(messages, body: initializeBody)
        // The attack: 128 KiB answers, sent until the gateway ends the session (bounded: 64 MiB at most).
        var ended = false
        for i in 0..<512 {
            let reply = try await send(
                messages, body: #"{"jsonrpc":"2.0","id":\#(i + 10),"method":"tools/call","params":{"name":"big","arguments":{"kib":128}}}"#)
            if reply.status == 404 {
                ended = true
                break
            }
        }
        #expect(ended, "the session of a client that never reads was never ended")
        let metrics = try await send("http://127.0.0.1:\(g.port)/metrics", method: "GET", json: false)
        #expect(metrics.body.contains(#"gatehouse_stream_overflow_total{transport="sse"} 1"#))
        try await UnboundedNamesTests.wellBehavedClient(g)
    }

    @Test("the queue: events count until written; past the bound it ends and refuses; a lone large event still goes")
    func queue() async {
        var limits = EventQueue.Limits()
        limits.maxBytes = 10
        limits.maxEvents = 3
        let overflowed = Mutex(0)
        let q = EventQueue(limits: limits) { overflowed.withLock { $0 += 1 } }
        #expect(q.yield(ByteBuffer(string: String(repeating: "a", count: 40))), "a lone event larger than the bound goes")
        var output = q.output.makeAsyncIterator()
        #expect(await output.next()?.readableBytes == 40)
        #expect(q.queued.bytes == 0 && q.queued.events == 0)
        #expect(q.yield(ByteBuffer(string: "12345")) && q.yield(ByteBuffer(string: "12345")))
        #expect(!q.yield(ByteBuffer(string: "1")), "past 10 bytes")
        #expect(overflowed.withLock { $0 } == 1)
        #expect(!q.yield(ByteBuffer(string: "1")), "ended")
        #expect(overflowed.withLock { $0 } == 1, "the overflow handler runs once")
    }
}
