import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Testing

@testable import GatewayEngine

/// A raw HTTP exchange with the gateway.
struct RawReply {
    var status: Int
    var headers: [String: String]
    var body: String
    var json: JSONValue? { try? JSONParser().parse(body) }
}

func send(_ url: String, method: String = "POST", body: String? = nil, headers: [String: String] = [:], json: Bool = true) async throws -> RawReply {
    var request = HTTPClientRequest(url: url)
    request.method = .init(rawValue: method)
    if json {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
    }
    for (k, v) in headers { request.headers.replaceOrAdd(name: k, value: v) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let bytes = try await response.body.collect(upTo: 1 << 22)
    var headers: [String: String] = [:]
    for h in response.headers { headers[h.name.lowercased()] = h.value }
    return RawReply(status: Int(response.status.code), headers: headers, body: String(buffer: bytes))
}

let initializeBody =
    #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"swift-test","version":"1"}}}"#

func initialize(_ g: TestGateway) async throws -> String {
    let reply = try await send(g.url, body: initializeBody)
    #expect(reply.status == 200)
    let id = try #require(reply.headers["mcp-session-id"])
    return id
}

@Suite("Streamable HTTP transport", .serialized)
struct StreamableHTTPTests {
    @Test("initialize, list and call a tool end to end")
    func endToEnd() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let sid = try await initialize(g)
        #expect(sid.count == 64 && sid.allSatisfy { $0.isHexDigit })

        let list = try await send(g.url, body: #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, headers: ["Mcp-Session-Id": sid])
        let tools = try #require(list.json?["result"]?["tools"]?.arrayValue)
        #expect(tools.compactMap { $0["name"]?.stringValue }.sorted() == ["echo", "getPetById"])

        let call = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"getPetById","arguments":{"petId":7}}}"#,
            headers: ["mcp-session-id": sid])
        let result = try #require(call.json?["result"])
        #expect(result["structuredContent"] == .object(["id": 7, "name": "pet7"]))
        #expect(result["isError"] == nil)
        #expect(g.backend.hitCount == 1)
    }

    @Test("invalid arguments are a tool error and the backend is not called")
    func invalidArguments() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let sid = try await initialize(g)
        let call = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"getPetById","arguments":{"petId":"seven"}}}"#,
            headers: ["Mcp-Session-Id": sid])
        #expect(call.json?["result"]?["isError"] == .bool(true))
        #expect(g.backend.hitCount == 0)
        let unknown = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"nope","arguments":{}}}"#, headers: ["Mcp-Session-Id": sid])
        #expect(unknown.json?["error"]?["code"] == .int(-32602))
    }

    @Test("a traversal value stays one path segment under the operation's path")
    func pathTraversal() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let sid = try await initialize(g)
        let call = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"value":"../../admin?x=1"}}}"#,
            headers: ["Mcp-Session-Id": sid])
        let path = try #require(call.json?["result"]?["structuredContent"]?["path"]?.stringValue)
        #expect(path.hasPrefix("/echo/"))
        #expect(!path.dropFirst("/echo/".count).contains("/"))
    }

    @Test("transport refusals: Origin, Host, batch, parse error, sessions, versions, media types, size")
    func refusals() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let evil = try await send(g.url, body: initializeBody, headers: ["Origin": "http://evil.example"])
        #expect(evil.status == 403)
        let badHost = try await send(g.url, body: initializeBody, headers: ["Host": "evil.example.com"])
        #expect(badHost.status == 403)
        let okOrigin = try await send(g.url, body: initializeBody, headers: ["Origin": "http://localhost:3000"])
        #expect(okOrigin.status == 200)

        let sid = try await initialize(g)
        let s = ["Mcp-Session-Id": sid]
        let batch = try await send(g.url, body: #"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]"#, headers: s)
        #expect(batch.status == 400)
        #expect(batch.json?["error"]?["code"] == .int(-32600))
        let garbage = try await send(g.url, body: "{", headers: s)
        #expect(garbage.status == 400)
        #expect(garbage.json?["error"]?["code"] == .int(-32700))
        let dup = try await send(g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"}"#, headers: s)
        #expect(dup.status == 400)
        let noSession = try await send(g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        #expect(noSession.status == 400)
        let forged = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: ["Mcp-Session-Id": String(repeating: "a", count: 64)])
        #expect(forged.status == 404)
        let note = try await send(g.url, body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, headers: s)
        #expect(note.status == 202 && note.body.isEmpty)
        for version in ["invalid-protocol-version", "2000-01-01", "2099-01-01"] {
            let r = try await send(
                g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: s.merging(["MCP-Protocol-Version": version]) { $1 })
            #expect(r.status == 400, "version \(version)")
        }
        let ping = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":9,"method":"ping"}"#, headers: s.merging(["MCP-Protocol-Version": "2025-11-25"]) { $1 })
        #expect(ping.json?["result"] == .object([:]))
        let notAcceptable = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: s.merging(["Accept": "application/json"]) { $1 })
        #expect(notAcceptable.status == 406)
        let text = try await send(g.url, body: "ping", headers: s.merging(["Content-Type": "text/plain"]) { $1 })
        #expect(text.status == 415)
        let huge = try await send(g.url, body: String(repeating: " ", count: 5 * 1024 * 1024), headers: s)
        #expect(huge.status == 413)
        let get = try await send(g.url, method: "GET", headers: ["Accept": "application/json", "Mcp-Session-Id": sid], json: false)
        #expect(get.status == 406)
        let put = try await send(g.url, method: "PUT", body: "{}", headers: s)
        #expect(put.status == 405)

        let delete = try await send(g.url, method: "DELETE", headers: s, json: false)
        #expect(delete.status == 204)
        let after = try await send(g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: s)
        #expect(after.status == 404)
    }

    @Test("route variants never reach a server")
    func routeVariants() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        for path in ["/pets/mcp/", "//pets/mcp", "/PETS/mcp", "/pets/MCP", "/pets/mcp;x", "/x/../pets/mcp/..", "/mcp"] {
            let r = try await send("http://127.0.0.1:\(g.port)\(path)", body: initializeBody)
            #expect(r.status == 404, "\(path)")
        }
    }

    @Test("a session is bound to the server that created it")
    func sessionBinding() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        _ = try g.store.createServer(name: "other", basePath: "other", apiName: "petstore", operations: ["echo"])
        g.gateway.reload()
        let sid = try await initialize(g)
        let r = try await send(
            "http://127.0.0.1:\(g.port)/other/mcp", body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: ["Mcp-Session-Id": sid])
        #expect(r.status == 404)
    }

    @Test("tools/list paginates with an opaque cursor")
    func pagination() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let sid = try await initialize(g)
        // The same store behind an engine that pages one tool at a time: walk every page.
        var config = GatewayConfiguration()
        config.toolsPageSize = 1
        let paged = Gateway(store: g.store, configuration: config, logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        var names: [String] = []
        var pageSizes: [Int] = []
        var params: JSONObject? = nil
        if let server = paged.routingTable.servers["pets"] {
            for _ in 0..<5 {
                let page = try? paged.handler.listTools(server: server, params: params, version: "2025-11-25")
                let tools = page?["tools"]?.arrayValue ?? []
                pageSizes.append(tools.count)
                names += tools.compactMap { $0["name"]?.stringValue }
                guard let cursor = page?["nextCursor"] else { break }
                params = ["cursor": cursor]
            }
        }
        await paged.shutdown() // the engine owns an HTTP client that must be shut down
        #expect(pageSizes == [1, 1])
        #expect(names == ["getPetById", "echo"])
        let bad = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"zzz"}}"#, headers: ["Mcp-Session-Id": sid])
        #expect(bad.json?["error"]?["code"] == .int(-32602))
    }

    @Test("records reach the monitor, and changes in the store are served without a restart")
    func monitoringAndReload() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let stream = g.gateway.monitor.records(bufferSize: 10)
        let sid = try await initialize(g)
        var iterator = stream.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first?.method == "initialize" && first?.server == "pets" && first?.outcome == .ok)
        #expect(g.gateway.monitor.recentRecords(limit: 10).count >= 1)
        _ = sid

        _ = try g.store.updateServer(named: "pets", enabled: false)
        // The watcher polls every 20 ms; wait on the condition with a deadline.
        let deadline = ContinuousClock.now + .seconds(5)
        while g.gateway.routingTable.servers["pets"] != nil && ContinuousClock.now < deadline { await Task.yield() }
        #expect(g.gateway.routingTable.servers["pets"] == nil)
        let gone = try await send(g.url, body: initializeBody)
        #expect(gone.status == 404)
        let metrics = try await send("http://127.0.0.1:\(g.port)/metrics", method: "GET", json: false)
        #expect(metrics.body.contains("gatehouse_requests_total"))
    }
}
