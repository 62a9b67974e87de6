import Foundation
import Testing

@testable import GatewayEngine

/// The stateless revision's request checks (2026-07-28 `basic/transports/streamable-http.mdx`, "Server
/// Validation"), as a pure function of body and headers.
@Suite("2026-07-28: request envelope and header checks")
struct ModernEnvelopeTests {
    static let meta: JSONValue = .object([
        ModernEnvelope.versionKey: "2026-07-28", ModernEnvelope.capabilitiesKey: .object([:]),
        ModernEnvelope.clientInfoKey: .object(["name": "t", "version": "1"]),
    ])

    func headers(_ pairs: [String: [String]]) -> (String) -> [String] {
        { name in pairs.first { $0.key.lowercased() == name.lowercased() }?.value ?? [] }
    }

    func classify(_ method: String, params: JSONObject?, _ h: [String: [String]]) -> ModernEnvelope.Refusal? {
        if case .failure(let r) = ModernEnvelope.classify(method: method, params: params, headers: headers(h)) { return r }
        return nil
    }

    @Test("a request whose headers mirror its body passes, with its client and capabilities")
    func passes() throws {
        let params: JSONObject = ["name": "get weather ☀", "_meta": Self.meta]
        let h = ["MCP-Protocol-Version": ["2026-07-28"], "Mcp-Method": ["tools/call"], "Mcp-Name": ["=?base64?Z2V0IHdlYXRoZXIg4piA?="]]
        let e = try ModernEnvelope.classify(method: "tools/call", params: params, headers: headers(h)).get()
        #expect(e.protocolVersion == "2026-07-28")
        #expect(e.clientInfo?["name"] == "t")
    }

    @Test(
        "each rung refuses with its code and names the header",
        arguments: [
            // (method, params carry _meta?, headers, code, words in the message)
            ("tools/list", false, ["MCP-Protocol-Version": ["2026-07-28"], "Mcp-Method": ["tools/list"]], -32602, "_meta"),
            ("tools/list", true, ["Mcp-Method": ["tools/list"]], -32020, "MCP-Protocol-Version header is missing"),
            ("tools/list", true, ["MCP-Protocol-Version": ["2026-07-29"], "Mcp-Method": ["tools/list"]], -32020, "does not match _meta"),
            ("tools/list", true, ["MCP-Protocol-Version": ["2026-07-28"]], -32020, "Mcp-Method header is missing"),
            (
                "tools/list", true, ["MCP-Protocol-Version": ["2026-07-28"], "Mcp-Method": ["tools/call"]], -32020,
                "Mcp-Method header value 'tools/call'"
            ),
            ("tools/list", true, ["MCP-Protocol-Version": ["2026-07-28", "2026-07-28"], "Mcp-Method": ["tools/list"]], -32020, "more than once"),
            ("tools/call", true, ["MCP-Protocol-Version": ["2026-07-28"], "Mcp-Method": ["tools/call"]], -32020, "Mcp-Name header is missing"),
            (
                "tools/call", true, ["MCP-Protocol-Version": ["2026-07-28"], "Mcp-Method": ["tools/call"], "Mcp-Name": ["other"]], -32020,
                "'other' does not match"
            ),
            (
                "tools/call", true, ["MCP-Protocol-Version": ["2026-07-28"], "Mcp-Method": ["tools/call"], "Mcp-Name": ["=?base64?!!?="]], -32020,
                "malformed base64"
            ),
        ] as [(String, Bool, [String: [String]], Int, String)])
    func rungs(method: String, withMeta: Bool, headers h: [String: [String]], code: Int, words: String) throws {
        var params: JSONObject = ["name": "echo"]
        if withMeta { params["_meta"] = Self.meta }
        let r = try #require(classify(method, params: params, h))
        #expect(r.code == Int64(code))
        #expect(r.message.contains(words), "\(r.message)")
    }

    @Test("an unsupported version is refused with every revision served, so an older client knows to fall back")
    func unsupported() throws {
        var meta = try #require(Self.meta.objectValue)
        meta[ModernEnvelope.versionKey] = "2099-01-01"
        let r = try #require(
            classify("tools/list", params: ["_meta": .object(meta)], ["MCP-Protocol-Version": ["2099-01-01"], "Mcp-Method": ["tools/list"]]))
        #expect(r.code == -32022)
        #expect(r.data?["supported"] == ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"])
        #expect(r.data?["requested"] == "2099-01-01")
    }

    @Test("era: a handshake version or initialize stays with the handshake; any other version header, or _meta alone, is stateless")
    func era() {
        let meta: JSONObject = ["_meta": Self.meta]
        #expect(!ModernEnvelope.isModern(headerVersion: "2025-06-18", method: "tools/list", params: meta))
        #expect(!ModernEnvelope.isModern(headerVersion: nil, method: "tools/list", params: nil))
        #expect(!ModernEnvelope.isModern(headerVersion: "2026-07-28", method: "initialize", params: ["protocolVersion": "2025-06-18"]))
        #expect(ModernEnvelope.isModern(headerVersion: "2026-07-28", method: "tools/list", params: nil))
        #expect(ModernEnvelope.isModern(headerVersion: "1999-01-01", method: "ping", params: nil))
        #expect(ModernEnvelope.isModern(headerVersion: nil, method: "tools/list", params: meta))
    }

    @Test("Base64 sentinel values decode; non-canonical or non-UTF-8 ones do not")
    func base64() {
        #expect(ModernEnvelope.decodeHeaderValue("us-west1") == "us-west1")
        #expect(ModernEnvelope.decodeHeaderValue("=?base64?SGVsbG8sIOS4lueVjA==?=") == "Hello, 世界")
        #expect(ModernEnvelope.decodeHeaderValue("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=") == "=?base64?literal?=")
        #expect(ModernEnvelope.decodeHeaderValue("=?base64?SGVsbG9=?=") == nil, "non-zero trailing bits")
        #expect(ModernEnvelope.decodeHeaderValue("=?base64?/w==?=") == nil, "not UTF-8")
    }

    @Test("x-mcp-header: annotated arguments and their headers must agree")
    func paramHeaders() throws {
        let schema: JSONValue = .object([
            "type": "object",
            "properties": .object([
                "region": .object(["type": "string", "x-mcp-header": "Region"]),
                "limit": .object(["type": "integer", "x-mcp-header": "Limit"]),
                "query": .object(["type": "string"]),
            ]),
        ])
        let declared = try ModernEnvelope.paramHeaders(of: schema).get()
        #expect(declared.map(\.token) == ["Limit", "Region"])
        func check(_ args: JSONObject, _ h: [String: [String]]) -> String? {
            ModernEnvelope.checkParamHeaders(declared, arguments: args, headers: headers(h))?.message
        }
        #expect(check(["region": "us-west1", "limit": 42], ["Mcp-Param-Region": ["us-west1"], "Mcp-Param-Limit": ["42.0"]]) == nil)
        #expect(check(["region": "Hello, 世界"], ["Mcp-Param-Region": ["=?base64?SGVsbG8sIOS4lueVjA==?="]]) == nil)
        #expect(check(["region": .null], [:]) == nil, "null counts as absent")
        #expect(check(["region": "us-west1"], [:])?.contains("Mcp-Param-Region is missing") == true)
        #expect(check([:], ["Mcp-Param-Region": ["us-west1"]])?.contains("argument 'region' is absent") == true)
        #expect(check(["region": "eu"], ["Mcp-Param-Region": ["us"]])?.contains("does not match") == true)
        #expect(check(["region": "eu"], ["Mcp-Param-Region": ["eu", "eu"]])?.contains("more than once") == true)
    }

    @Test("invalid x-mcp-header annotations are reported, so nothing is checked for such a tool")
    func invalidAnnotations() {
        let cases: [JSONValue] = [
            .object(["properties": .object(["a": .object(["type": "number", "x-mcp-header": "A"])])]),
            .object(["properties": .object(["a": .object(["type": "string", "x-mcp-header": "has space"])])]),
            .object(["items": .object(["type": "string", "x-mcp-header": "A"])]),
            .object([
                "properties": .object([
                    "a": .object(["type": "string", "x-mcp-header": "A"]), "b": .object(["type": "string", "x-mcp-header": "a"]),
                ])
            ]),
        ]
        for schema in cases {
            guard case .failure = ModernEnvelope.paramHeaders(of: schema) else {
                Issue.record("accepted \(schema.jsonString)")
                continue
            }
        }
    }

    @Test("outbound: routing headers mirror the body, values that need it are Base64 sentinels, envelope keys come and go")
    func outbound() throws {
        #expect(ModernEnvelope.encodeHeaderValue("us-west1") == "us-west1")
        #expect(ModernEnvelope.encodeHeaderValue("Hello, 世界") == "=?base64?SGVsbG8sIOS4lueVjA==?=")
        #expect(ModernEnvelope.encodeHeaderValue(" padded ") == "=?base64?IHBhZGRlZCA=?=")
        #expect(ModernEnvelope.encodeHeaderValue("=?base64?literal?=") == "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=")
        let declared = [ModernEnvelope.ParamHeader(path: ["region"], token: "Region", type: "string")]
        let params: JSONObject = ["name": "regional ☀", "arguments": .object(["region": "eu", "query": "q"])]
        let headers = ModernEnvelope.routingHeaders(version: "2026-07-28", method: "tools/call", params: params, declared: declared)
        #expect(headers.map { $0.name } == ["MCP-Protocol-Version", "Mcp-Method", "Mcp-Name", "Mcp-Param-Region"])
        #expect(ModernEnvelope.decodeHeaderValue(headers[2].value) == "regional ☀")
        #expect(headers[3].value == "eu")
        let wrapped = ModernEnvelope.addingEnvelope(["_meta": .object(["progressToken": "p1"])], version: "2026-07-28", clientInfo: "gw")
        #expect(wrapped["_meta"]?[ModernEnvelope.versionKey] == "2026-07-28")
        let stripped = try #require(ModernEnvelope.strippingEnvelope(wrapped))
        #expect(stripped["_meta"] == .object(["progressToken": "p1"]), "progress tokens and trace context stay")
        #expect(ModernEnvelope.strippingEnvelope(ModernEnvelope.addingEnvelope(nil, version: "2026-07-28", clientInfo: "gw"))?["_meta"] == nil)
    }

    @Test("an initialize refusal that names 2026-07-28 makes the upstream a stateless one; other refusals do not")
    func upstreamEra() {
        let modern: JSONValue = .object(["code": -32022, "message": "Unsupported", "data": .object(["supported": ["2026-07-28"]])])
        #expect(UpstreamSession.modernVersion(offeredBy: modern) == "2026-07-28")
        let future: JSONValue = .object(["code": -32022, "message": "Unsupported", "data": .object(["supported": ["2099-01-01"]])])
        #expect(UpstreamSession.modernVersion(offeredBy: future) == nil)
        #expect(UpstreamSession.modernVersion(offeredBy: .object(["code": -32601, "message": "no"])) == nil)
        #expect(UpstreamSession.modernVersion(offeredBy: nil) == nil)
    }
}
