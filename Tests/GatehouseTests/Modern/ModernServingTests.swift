import Foundation
import Testing

@testable import GatewayEngine

/// Serving the stateless revision (2026-07-28) over raw HTTP beside the handshake revisions (issue #12).
@Suite("2026-07-28: stateless serving", .serialized)
struct ModernServingTests {
    static let metaJSON =
        #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"modern-test","version":"3.1"},"io.modelcontextprotocol/clientCapabilities":{}}"#

    /// A request of the revision with its headers mirrored (override or drop any with `headers`).
    static func modern(
        _ g: TestGateway, _ method: String, id: Int = 1, params: String = "", name: String? = nil, headers extra: [String: String] = [:]
    ) async throws -> RawReply {
        let body = #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":{\#(params.isEmpty ? "" : params + ",")\#(metaJSON)}}"#
        var h = ["MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method]
        if let name { h["Mcp-Name"] = name }
        for (k, v) in extra { h[k] = v }
        return try await send(g.url, body: body, headers: h.filter { !$0.value.isEmpty })
    }

    @Test("server/discover names every revision, the capabilities, the server and caching hints; no session is minted")
    func discover() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let r = try await Self.modern(g, "server/discover")
        #expect(r.status == 200)
        #expect(r.headers["mcp-session-id"] == nil)
        let result = try #require(r.json?["result"])
        #expect(result["resultType"] == "complete")
        #expect(result["supportedVersions"] == ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"])
        #expect(result["capabilities"]?["tools"]?["listChanged"] == true)
        #expect(result["_meta"]?["io.modelcontextprotocol/serverInfo"]?["name"] == "gatehouse/pets")
        #expect(result["ttlMs"]?.intValue ?? -1 > 0)
        #expect(result["cacheScope"] == "public")
    }

    @Test("tools are listed and called per request, with resultType and caching hints; records carry the client from _meta")
    func listAndCall() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let list = try await Self.modern(g, "tools/list", headers: ["Mcp-Session-Id": "ignored-on-modern-requests"])
        #expect(list.status == 200)
        let result = try #require(list.json?["result"])
        #expect(result["resultType"] == "complete")
        #expect(result["cacheScope"] == "public")
        #expect(result["ttlMs"] != nil)
        #expect(result["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue }.sorted() == ["echo", "getPetById"])
        let call = try await Self.modern(g, "tools/call", id: 2, params: #""name":"getPetById","arguments":{"petId":7}"#, name: "getPetById")
        #expect(call.json?["result"]?["structuredContent"] == .object(["id": 7, "name": "pet7"]))
        #expect(call.json?["result"]?["resultType"] == "complete")
        #expect(call.headers["mcp-session-id"] == nil)
        #expect(g.backend.hitCount == 1)
        #expect(g.gateway.sessionCount == 0)
        let record = try #require(g.gateway.monitor.recentRecords(limit: 10).first { $0.method == "tools/call" })
        #expect(record.protocolVersion == "2026-07-28")
        #expect(record.clientName == "modern-test" && record.clientVersion == "3.1")
    }

    @Test("header rules: mismatch, missing and Base64 names answer 400 -32020 naming the header; the backend is never called")
    func headerRules() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let call = #""name":"getPetById","arguments":{"petId":1}"#
        let cases: [(String, [String: String], String)] = [
            ("no Mcp-Name", [:], "Mcp-Name header is missing"),
            ("other Mcp-Name", ["Mcp-Name": "echo"], "Mcp-Name header value 'echo'"),
            ("other Mcp-Method", ["Mcp-Name": "getPetById", "Mcp-Method": "tools/list"], "Mcp-Method"),
            ("no Mcp-Method", ["Mcp-Name": "getPetById", "Mcp-Method": ""], "Mcp-Method header is missing"),
            ("other version", ["Mcp-Name": "getPetById", "MCP-Protocol-Version": "2026-07-29"], "does not match _meta"),
        ]
        for (what, headers, words) in cases {
            let r = try await Self.modern(g, "tools/call", params: call, headers: headers)
            #expect(r.status == 400, "\(what)")
            #expect(r.json?["error"]?["code"] == -32020, "\(what)")
            #expect(r.json?["error"]?["message"]?.stringValue?.contains(words) == true, "\(what): \(r.body)")
        }
        #expect(g.backend.hitCount == 0)
        let encoded = try await Self.modern(g, "tools/call", params: call, name: "=?base64?Z2V0UGV0QnlJZA==?=")
        #expect(encoded.status == 200 && encoded.json?["result"]?["structuredContent"]?["id"] == 1, "\(encoded.body)")
    }

    @Test("unsupported version: 400 -32022 listing the supported ones; unknown method (ping included): 404 -32601; no _meta: 400 -32602")
    func errors() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let body =
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}"#
        let v = try await send(g.url, body: body, headers: ["MCP-Protocol-Version": "2099-01-01", "Mcp-Method": "tools/list"])
        #expect(v.status == 400)
        #expect(v.json?["error"]?["code"] == -32022)
        #expect(v.json?["error"]?["data"]?["supported"]?.arrayValue?.contains("2026-07-28") == true)
        for method in ["ping", "resources/subscribe", "logging/setLevel", "prompts/list", "no/such"] {
            let r = try await Self.modern(g, method)
            #expect(r.status == 404, "\(method)")
            #expect(r.json?["error"]?["code"] == -32601, "\(method)")
        }
        let noMeta = try await send(
            g.url, body: #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            headers: ["MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list"])
        #expect(noMeta.status == 400)
        #expect(noMeta.json?["error"]?["code"] == -32602)
        let unknownTool = try await Self.modern(g, "tools/call", params: #""name":"nope","arguments":{}"#, name: "nope")
        #expect(unknownTool.status == 400 && unknownTool.json?["error"]?["code"] == -32602)
        // The legacy handshake still works on the same endpoint.
        _ = try await initialize(g)
    }

    @Test("GET and DELETE with a modern version get 405; a notification is accepted; a posted response is refused")
    func methods() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let h = ["MCP-Protocol-Version": "2026-07-28", "Accept": "text/event-stream", "Last-Event-ID": "3"]
        let get = try await send(g.url, method: "GET", headers: h, json: false)
        #expect(get.status == 405 && get.headers["allow"] == "POST")
        let delete = try await send(g.url, method: "DELETE", headers: h, json: false)
        #expect(delete.status == 405)
        let note = try await send(
            g.url, body: #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#,
            headers: ["MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "notifications/cancelled"])
        #expect(note.status == 202)
        let response = try await send(g.url, body: #"{"jsonrpc":"2.0","id":5,"result":{}}"#, headers: ["MCP-Protocol-Version": "2026-07-28"])
        #expect(response.status == 400 && response.json?["error"]?["code"] == -32600)
    }

    @Test("subscriptions/listen: acknowledged first, then tools/list_changed when a reload renames a tool")
    func listen() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let c = try RawConnection(port: g.port)
        let body =
            #"{"jsonrpc":"2.0","id":"sub-1","method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true,"resourceSubscriptions":["file:///x"]},\#(Self.metaJSON)}}"#
        c.send(
            "POST /pets/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                + "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: subscriptions/listen\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let ack = await c.read(until: "acknowledged")
        #expect(ack.text.contains("text/event-stream"))
        #expect(ack.text.contains(#""io.modelcontextprotocol/subscriptionId":"sub-1""#))
        #expect(ack.text.contains(#""notifications":{"toolsListChanged":true}"#), "resource subscriptions are not offered: \(ack.text)")
        _ = try g.store.updateTool(server: "pets", tool: "echo", newName: "echo2")
        g.gateway.reload()
        let changed = await c.read(until: "list_changed")
        #expect(changed.text.contains("notifications/tools/list_changed"), "\(changed.text)")
        #expect(changed.text.contains("sub-1"))
        c.hangUp()
    }

    /// The test spec with two header parameters on `getPetById` (same indentation as its path parameter).
    static let headerSpec: String = {
        let petId = "- {name: petId, in: path, required: true, schema: {type: integer}}"
        var lines: [String] = []
        for line in testSpec.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(String(line))
            guard line.hasSuffix(petId) else { continue }
            let indent = String(line.prefix { $0 == " " })
            lines.append(indent + "- {name: X-Tenant, in: header, required: false, schema: {type: string}}")
            lines.append(indent + "- {name: X-Filter, in: header, required: false, schema: {type: array, items: {type: string}}}")
        }
        return lines.joined(separator: "\n")
    }()

    @Test("a REST header parameter of a primitive type is declared with x-mcp-header, and its Mcp-Param header is checked")
    func restHeaderParameters() async throws {
        let g = try await TestGateway.start(spec: Self.headerSpec)
        defer { g.stop() }
        let list = try await Self.modern(g, "tools/list")
        let tool = try #require(list.json?["result"]?["tools"]?.arrayValue?.first { $0["name"] == "getPetById" })
        #expect(tool["inputSchema"]?["properties"]?["X-Tenant"]?["x-mcp-header"] == "X-Tenant")
        #expect(tool["inputSchema"]?["properties"]?["X-Filter"]?["x-mcp-header"] == nil, "arrays cannot be mirrored")
        let args = #""name":"getPetById","arguments":{"petId":3,"X-Tenant":"acme"}"#
        let missing = try await Self.modern(g, "tools/call", params: args, name: "getPetById")
        #expect(missing.status == 400 && missing.json?["error"]?["code"] == -32020)
        #expect(missing.json?["error"]?["message"]?.stringValue?.contains("Mcp-Param-X-Tenant") == true)
        let wrong = try await Self.modern(g, "tools/call", params: args, name: "getPetById", headers: ["Mcp-Param-X-Tenant": "other"])
        #expect(wrong.status == 400)
        #expect(g.backend.hitCount == 0)
        let right = try await Self.modern(g, "tools/call", params: args, name: "getPetById", headers: ["Mcp-Param-X-Tenant": "acme"])
        #expect(right.status == 200 && right.json?["result"]?["structuredContent"]?["id"] == 3, "\(right.body)")
        #expect(g.backend.receivedHeaders.last?["x-tenant"] == "acme")
    }
}
